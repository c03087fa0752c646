"""The library's artists and albums by name, kept in this process until the library changes:
what the artist index (getArtists, getIndexes) and a search's artists and albums (search2,
search3) read.

Each is a grouped scan of every song, about a second at a million songs (bench/scale.py), and
the same for every caller until a song is added, changed or removed. So a copy is kept per music
folder with the library's version it was read at (songs.library_version, raised by every save
and delete of a song), and a call first reads the version, one cache lookup, and uses the copy
while the version is the same, for KEPT_AT_MOST_S at most (a write that raises no version, such
as SQL by hand, is seen by then). The version is read before the songs, so a copy is never
older than the version it is kept under. Only what is the same for everybody is kept: a caller's
stars are added per call.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Min
from django.db.models.functions import Lower

from songs.library_version import library_version
from subsonic.library import artists, library_songs

KEPT_AT_MOST_S = 600.0

T = TypeVar("T")

_copies: dict[tuple[str, int | None], tuple[int, float, object]] = {}  # version, read at, copy
_lock = threading.Lock()


@dataclass(frozen=True)
class NamedRows:
    """Rows in the database's order, each with its searchable text (lower-cased names)."""

    rows: list
    texts: list[str]

    def containing(self, words: list[str]) -> list:
        """The rows whose text contains every one of ``words`` (lower-cased), in order."""
        texts = self.texts
        kept = range(len(texts))
        for word in words:  # one plain test a row: about 50 ns (a generator per row costs more)
            kept = [i for i in kept if word in texts[i]]
        return [self.rows[i] for i in kept]


def _kept(what: str, folder: int | None, read: Callable[[int | None], T]) -> T:
    current = library_version()
    key = (what, folder)
    with _lock:  # one reader per process reads a changed library; the others wait for its copy
        kept = _copies.get(key)
        now = time.monotonic()
        if (
            current is not None
            and kept is not None
            and kept[0] == current[0]
            and now - kept[1] < KEPT_AT_MOST_S
        ):
            return kept[2]  # type: ignore[return-value]
        value = read(folder)
        if current is not None:
            _copies[key] = (current[0], now, value)
        return value


def _read_artists(folder: int | None) -> NamedRows:
    rows = list(artists(library_songs(folder)))
    return NamedRows(rows, [(row["name"] or "").lower() for row in rows])


def _read_albums(folder: int | None) -> NamedRows:
    rows = list(
        library_songs(folder)
        .values("album_key")
        .annotate(name=Min("album"), artist_name=Min("artist"))
        .order_by(Lower("name"), "album_key")
        .values_list("album_key", "name", "artist_name")
    )
    # NUL parts the names: no word of a query holds one (songs.selectors.catalogue.query_words).
    texts = [f"{name.lower()}\x00{artist.lower()}" for _, name, artist in rows]
    return NamedRows([key for key, _, _ in rows], texts)


def folder_artists(folder: int | None) -> NamedRows:
    """Every artist of the library (or of one music folder): rows of subsonic.library.artists()
    (artist_key, name, album_count) by name, searchable by name."""
    return _kept("artists", folder, _read_artists)


def folder_albums(folder: int | None) -> NamedRows:
    """Every album's key, by lower-cased name then key, searchable by album and artist name."""
    return _kept("albums", folder, _read_albums)
