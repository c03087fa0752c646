"""The demo catalogue: which songs are the demo's, and taking it away again in one step.

The demo (``manage.py load_demo``) is rendered from MIDI so that a new platform has something to
explore. It must never shape a real library: statistics are fitted without it once real songs
exist (songs.services.embeddings.songs_to_fit_on), and staff remove it whole when they no longer
want it, with ``manage.py remove_demo`` or the admin action on its catalogue.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from explorer.models import Mix
from playlists.models import LibraryStar, Playlist, PlaylistEntry
from playlists.services import renumber
from songs.models import Catalogue, Song, UploadBatch
from songs.services.duplicates import delete_files

logger = logging.getLogger(__name__)

DEMO_CATALOGUE = "Demo"


def demo_render_folder() -> Path:
    """Where load_demo renders the demo's audio (a cache: the songs are copies in the media)."""
    return Path(settings.VAR_DIR) / "demo-catalogue"


def demo_songs() -> QuerySet[Song]:
    """Every song that came in with the demo catalogue (its batches are marked "demo")."""
    return Song.objects.filter(batch__source=UploadBatch.Source.DEMO)


@dataclass(frozen=True)
class DemoRemoval:
    """What removing the demo took away."""

    songs: int
    playlist_entries: int
    files: int


def demo_catalogue_remove() -> DemoRemoval:
    """Delete the demo's songs and everything that hangs on them, in one transaction: vectors,
    tag vectors, map points, near-duplicate pairs, ratings, plays and playlist entries (by
    cascade; the playlists are renumbered), their places in mixes, stars on its artists and
    albums that no other song has, its batches and catalogue. Its files (audio, spectrograms,
    covers no other song uses, the rendered folder) are deleted once that has committed, and
    the embedding statistics are refitted without it (songs.tasks.keep_embedding_current)."""
    from songs.tasks import keep_embedding_current

    with transaction.atomic():
        songs = list(
            demo_songs()
            .select_for_update()
            .values_list("id", "audio", "spectrogram", "cover", "artist_key", "album_key")
        )
        ids = {row[0] for row in songs}
        entries = PlaylistEntry.objects.filter(song_id__in=ids)
        playlist_ids = set(entries.values_list("playlist_id", flat=True))
        entry_count = entries.count()
        Song.objects.filter(id__in=ids).delete()
        for playlist in Playlist.objects.select_for_update().filter(id__in=playlist_ids):
            renumber(playlist)
        for mix in Mix.objects.select_for_update().filter(song_ids__overlap=list(ids)):
            mix.song_ids = [song_id for song_id in mix.song_ids if song_id not in ids]
            if mix.song_ids:
                mix.save(update_fields=["song_ids"])
            else:
                mix.delete()
        _unstar_gone(LibraryStar.Kind.ARTIST, {row[4] for row in songs}, "artist_key")
        _unstar_gone(LibraryStar.Kind.ALBUM, {row[5] for row in songs}, "album_key")
        UploadBatch.objects.filter(source=UploadBatch.Source.DEMO, songs__isnull=True).delete()
        Catalogue.objects.filter(
            name=DEMO_CATALOGUE, songs__isnull=True, batches__isnull=True
        ).delete()
        covers = {row[3] for row in songs if row[3]}
        covers -= set(Song.objects.filter(cover__in=covers).values_list("cover", flat=True))
        files = [name for row in songs for name in row[1:3] if name] + sorted(covers)
        transaction.on_commit(lambda: _delete_demo_files(files))
        transaction.on_commit(keep_embedding_current.delay)
    logger.info("demo catalogue removed", extra={"songs": len(ids), "files": len(files)})
    return DemoRemoval(songs=len(ids), playlist_entries=entry_count, files=len(files))


def _unstar_gone(kind: str, keys: set[str], field: str) -> None:
    remaining = set(Song.objects.filter(**{f"{field}__in": keys}).values_list(field, flat=True))
    LibraryStar.objects.filter(kind=kind, key__in=keys - remaining).delete()


def _delete_demo_files(names: list[str]) -> None:
    delete_files(names)
    shutil.rmtree(demo_render_folder(), ignore_errors=True)
