"""Stars, ratings, scrobbles and what is playing now: the platform's own (playlists.services and
selectors). A starred song is a song in the user's Favourites, the same list as on the web; a
starred album or artist is a LibraryStar. A scrobble with submission=true is a play in the
user's history; with submission=false it only says what their player is playing now."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from playlists.models import LibraryStar, Play
from playlists.selectors import favourite_entries, library_stars, now_playing
from playlists.services import (
    favourite_set,
    library_star_set,
    now_playing_set,
    play_record,
    rating_set,
)
from subsonic.endpoints.browsing import album_child
from subsonic.library import (
    ALBUM_PREFIX,
    ARTIST_PREFIX,
    UserAnnotations,
    album_payload,
    albums,
    artist_folder,
    artist_payload,
    artists,
    key_from_id,
    library_songs,
    song_by_id,
    song_child,
    song_children,
    songs_by_ids,
)
from subsonic.protocol import SubsonicError
from subsonic.registry import Call, endpoint

KINDS = {
    ALBUM_PREFIX: (LibraryStar.Kind.ALBUM, "album_key", "Album"),
    ARTIST_PREFIX: (LibraryStar.Kind.ARTIST, "artist_key", "Artist"),
}


def _library_key(raw: str, prefix: str) -> tuple[str, str]:
    """(kind, key) of an album or artist id that is in the library; error 70 otherwise."""
    kind, field, what = KINDS[prefix]
    key = key_from_id(raw, prefix, what)
    if not library_songs().filter(**{field: key}).exists():
        raise SubsonicError(SubsonicError.NOT_FOUND, f"{what} not found.")
    return kind, key


def _star(call: Call, starred: bool) -> dict:
    """star / unstar: ``id`` (a song, or an album or artist id), ``albumId``, ``artistId``, each
    repeatable; every id is checked before anything changes."""
    params = call.params
    song_ids: list[str] = []
    items: list[tuple[str, str]] = []
    for raw in params.list("id"):
        prefix = next((p for p in KINDS if raw.startswith(p)), None)
        if prefix is None:
            song_ids.append(raw)
        else:
            items.append(_library_key(raw, prefix))
    items += [_library_key(raw, ALBUM_PREFIX) for raw in params.list("albumId")]
    items += [_library_key(raw, ARTIST_PREFIX) for raw in params.list("artistId")]
    if not song_ids and not items:
        raise SubsonicError(SubsonicError.MISSING_PARAMETER, "Required parameter is missing: id")
    songs = songs_by_ids(song_ids)
    with transaction.atomic():
        for song in songs:
            favourite_set(user=call.user, song=song, favourite=starred)
        for kind, key in items:
            library_star_set(user=call.user, kind=kind, key=key, starred=starred)
    return {}


@endpoint("star")
def star(call: Call) -> dict:
    return _star(call, True)


@endpoint("unstar")
def unstar(call: Call) -> dict:
    return _star(call, False)


def _starred(call: Call, *, id3: bool) -> dict:
    """The user's starred artists, albums and songs, most recently starred first."""
    artist_stars = library_stars(call.user, LibraryStar.Kind.ARTIST)
    album_stars = library_stars(call.user, LibraryStar.Kind.ALBUM)
    artist_rows = {r["artist_key"]: r for r in artists().filter(artist_key__in=artist_stars)}
    album_rows = {r["album_key"]: r for r in albums().filter(album_key__in=album_stars)}
    # getStarred shows artists as Artist and albums as folders (Child); getStarred2 as ID3.
    artist_as = artist_payload if id3 else artist_folder
    album_as = album_payload if id3 else album_child
    found_artists = [
        artist_as(artist_rows[key], starred=artist_stars[key])
        for key in sorted(artist_rows, key=artist_stars.get, reverse=True)
    ]
    found_albums = [
        album_as(album_rows[key], starred=album_stars[key])
        for key in sorted(album_rows, key=album_stars.get, reverse=True)
    ]
    songs = [e.song for e in favourite_entries(call.user).filter(song__in=library_songs())]
    return {"artist": found_artists, "album": found_albums, "song": song_children(call.user, songs)}


@endpoint("getStarred")
def get_starred(call: Call) -> dict:
    return {"starred": _starred(call, id3=False)}


@endpoint("getStarred2")
def get_starred2(call: Call) -> dict:
    return {"starred2": _starred(call, id3=True)}


@endpoint("setRating")
def set_rating(call: Call) -> dict:
    song = song_by_id(call.params.required("id"))
    raw = call.params.required("rating")
    try:
        stars = int(raw)
    except ValueError:
        stars = -1
    if not 0 <= stars <= 5:
        raise SubsonicError(SubsonicError.GENERIC, f"A rating is 0 to 5, not {raw!r}.")
    rating_set(user=call.user, song=song, stars=stars)
    return {}


def _times(call: Call, count: int) -> list[datetime | None]:
    """When each song was played (``time``: milliseconds since the epoch), or None: now."""
    raw_times = call.params.list("time")
    if not raw_times:
        return [None] * count
    if len(raw_times) != count:
        raise SubsonicError(SubsonicError.GENERIC, "Give one time per id, or none.")
    times = []
    for raw in raw_times:
        try:
            times.append(datetime.fromtimestamp(int(raw) / 1000, tz=UTC))
        except (ValueError, OverflowError, OSError):
            raise SubsonicError(
                SubsonicError.GENERIC, f"A time is milliseconds since 1970, not {raw!r}."
            ) from None
    return times


@endpoint("scrobble")
def scrobble(call: Call) -> dict:
    raw_ids = call.params.list("id")
    if not raw_ids:
        raise SubsonicError(SubsonicError.MISSING_PARAMETER, "Required parameter is missing: id")
    times = _times(call, len(raw_ids))
    songs = songs_by_ids(raw_ids)
    if not call.params.boolean("submission", True):
        for song in songs:
            now_playing_set(user=call.user, song=song, client=call.client)
        return {}
    with transaction.atomic():
        for song, played_at in zip(songs, times, strict=True):
            play_record(
                user=call.user,
                song=song,
                source=Play.Source.SUBSONIC,
                client=call.client,
                played_at=played_at,
            )
    return {}


@endpoint("getNowPlaying")
def get_now_playing(call: Call) -> dict:
    """Who is playing what, every user's players (as the spec has it); stars and ratings are
    the caller's own."""
    playing = now_playing()
    annotations = UserAnnotations.of(call.user, [p.song.id for p in playing])
    now = timezone.now()
    entries = []
    for p in playing:
        entry = song_child(p.song, annotations)
        entry["username"] = p.user.username
        entry["minutesAgo"] = max(int((now - p.at).total_seconds() // 60), 0)
        # No player table here: a stable number for this user's client stands in for one.
        entry["playerId"] = zlib.crc32(f"{p.user.id}:{p.client}".encode()) & 0x7FFFFFFF
        entry["playerName"] = p.client
        entries.append(entry)
    return {"nowPlaying": {"entry": entries}}
