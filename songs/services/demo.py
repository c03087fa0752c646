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

from songs.models import Catalogue, Song, UploadBatch
from songs.queueing import catalogue_task
from songs.services.duplicates import delete_files
from songs.signals import replies_merged, songs_deleting

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
    """What removing the demo took away (``playlist_entries`` as the receivers of
    songs.signals.songs_deleting counted it)."""

    songs: int
    files: int
    playlist_entries: int = 0


def demo_catalogue_remove() -> DemoRemoval:
    """Delete the demo's songs and everything that hangs on them, in one transaction: vectors,
    tag vectors, map points, near-duplicate pairs, ratings and plays (by cascade); what the
    other apps keep on them (songs_deleting: playlist entries with the playlists renumbered,
    their places in mixes, stars on its artists and albums that no other song has); its
    batches and catalogue. Its files (audio, spectrograms, covers no other song uses, the
    rendered folder) are deleted once that has committed, and the embedding statistics are
    refitted without it (songs.tasks.keep_embedding_current)."""
    with transaction.atomic():
        songs = list(
            demo_songs().select_for_update().values_list("id", "audio", "spectrogram", "cover")
        )
        ids = {row[0] for row in songs}
        counts = replies_merged(songs_deleting.send(sender=Song, song_ids=ids))
        Song.objects.filter(id__in=ids).delete()
        UploadBatch.objects.filter(source=UploadBatch.Source.DEMO, songs__isnull=True).delete()
        Catalogue.objects.filter(
            name=DEMO_CATALOGUE, songs__isnull=True, batches__isnull=True
        ).delete()
        covers = {row[3] for row in songs if row[3]}
        covers -= set(Song.objects.filter(cover__in=covers).values_list("cover", flat=True))
        files = [name for row in songs for name in row[1:3] if name] + sorted(covers)
        transaction.on_commit(lambda: _delete_demo_files(files))
        transaction.on_commit(catalogue_task("keep_embedding_current").delay)
    logger.info("demo catalogue removed", extra={"songs": len(ids), "files": len(files)})
    return DemoRemoval(songs=len(ids), files=len(files), **counts)


def _delete_demo_files(names: list[str]) -> None:
    delete_files(names)
    shutil.rmtree(demo_render_folder(), ignore_errors=True)
