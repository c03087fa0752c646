"""Importing again the folders that ``manage.py import_music`` imported, to pick up what was
added to them since (a Subsonic client's "scan the library").

Each run makes one batch per folder, as the command does, so what a scan found is read like any
import: the batch's songs, duplicates and rejections. A file already in the catalogue is a
duplicate by its content hash and makes no second song. Whether a folder is still being scanned
is a flag in the cache, set when its batch is made and cleared when its task ends; it expires
after the task time limit, so a worker that died does not leave a scan running for ever.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from songs.models import Song, UploadBatch
from songs.queueing import catalogue_task
from songs.services.folders import batch_add_folder
from songs.services.ingestion import batch_create

LATEST_SCAN_KEY = "songs:rescan:latest"  # {"batch_ids": [...], "finished_at": datetime | None}


def _running_key(batch_id: int) -> str:
    return f"songs:rescan:running:{batch_id}"


def imported_folders() -> list[UploadBatch]:
    """The latest import batch of each folder import_music was given (its name is the folder's
    absolute path), in path order."""
    return list(
        UploadBatch.objects.filter(source=UploadBatch.Source.IMPORT)
        .exclude(name="")
        .select_related("catalogue")
        .order_by("name", "-created_at")
        .distinct("name")
    )


@dataclass(frozen=True)
class ScanStatus:
    scanning: bool
    files_seen: int  # files the latest scan has looked at so far (songs, duplicates, rejected)
    finished_at: datetime | None
    folders: int


def library_scan_status() -> ScanStatus:
    latest = cache.get(LATEST_SCAN_KEY) or {"batch_ids": [], "finished_at": None}
    ids = latest["batch_ids"]
    running = cache.get_many([_running_key(i) for i in ids]) if ids else {}
    batches = UploadBatch.objects.filter(id__in=ids)
    seen = Song.objects.filter(batch__in=batches).count() + sum(
        len(b.rejected) + len(b.duplicates) for b in batches.only("rejected", "duplicates")
    )
    return ScanStatus(
        scanning=bool(running),
        files_seen=seen,
        finished_at=latest["finished_at"],
        folders=len(imported_folders()),
    )


def library_rescan_start(*, user: User) -> ScanStatus:
    """Queue a re-import of every imported folder, one task per folder; while a scan runs,
    asking again starts nothing (the status of the one running)."""
    if library_scan_status().scanning:
        return library_scan_status()
    batches = [
        batch_create(
            source=UploadBatch.Source.IMPORT,
            catalogue=folder.catalogue,
            created_by=user,
            name=folder.name,
        )
        for folder in imported_folders()
    ]
    timeout = settings.CELERY_TASK_TIME_LIMIT
    cache.set_many({_running_key(b.id): True for b in batches}, timeout)
    cache.set(LATEST_SCAN_KEY, {"batch_ids": [b.id for b in batches], "finished_at": None}, None)
    for batch in batches:
        transaction.on_commit(
            lambda batch_id=batch.id: catalogue_task("rescan_folder").delay(batch_id)
        )
    if not batches:
        cache.set(LATEST_SCAN_KEY, {"batch_ids": [], "finished_at": timezone.now()}, None)
    return library_scan_status()


def folder_rescan(*, batch_id: int) -> int:
    """Add the files of the batch's folder that are not in the catalogue yet; the number of
    new songs. A batch whose scan has ended (a redelivered message) is left alone; a folder
    that is gone adds nothing. New files stay where they are, as import_music leaves them."""
    if not cache.get(_running_key(batch_id)):
        return 0
    try:
        batch = UploadBatch.objects.select_related("created_by").get(id=batch_id)
        root = Path(batch.name)
        outcomes = batch_add_folder(batch=batch, root=root, in_place=True) if root.is_dir() else []
    finally:
        cache.delete(_running_key(batch_id))
        _note_finished()
    return sum(o.created for o in outcomes)


def _note_finished() -> None:
    latest = cache.get(LATEST_SCAN_KEY)
    if latest is None:
        return
    if not cache.get_many([_running_key(i) for i in latest["batch_ids"]]):
        cache.set(LATEST_SCAN_KEY, {**latest, "finished_at": timezone.now()}, None)
