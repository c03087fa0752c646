"""The map's points as a file, written when they change, never per request.

Packing the points of a million songs takes seconds of database and Python time; every visit
of the explorer asking for it did that. Now a map version's packed points
(explorer.selectors.map_points_packed) are written once, gzip-compressed, to the media storage
(the local disk, or the object store on many hosts) when the version is built, and written again
a few seconds after songs are placed on it or deleted (a debounce: a large import rewrites the
file once every MAP_FILE_DELAY_S, not once per song). The API serves the stored bytes with a
strong validator: the SHA-256 of what the file holds, so a return visit is a 304.
"""

from __future__ import annotations

import gzip
import hashlib
import logging

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from explorer.models import MapVersion
from explorer.selectors import map_points_packed, map_points_summary

logger = logging.getLogger(__name__)


def map_file_is_current(version: MapVersion) -> bool:
    return bool(version.points_file) and version.points_summary == map_points_summary(version)


def map_file_write(*, version_id: int) -> bool:
    """Write the version's points file if it is missing or behind its points; True if written.

    One writer at a time per version (a row lock taken without waiting: a second writer leaves
    the work to the first, whose debounce has already been reset). The old file is removed once
    the new one is recorded."""
    with transaction.atomic():
        version = (
            MapVersion.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("embedding_model")
            .filter(id=version_id, state=MapVersion.State.READY)
            .first()
        )
        if version is None or map_file_is_current(version):
            return False
        summary = map_points_summary(version)
        packed = map_points_packed(version)
        digest = hashlib.sha256(packed).hexdigest()
        old_name = version.points_file.name
        # mtime=0: the same points give the same bytes, whenever they are written.
        compressed = gzip.compress(packed, compresslevel=6, mtime=0)
        name = default_storage.save(
            f"maps/map-{version.id}-{digest[:16]}.bin.gz", ContentFile(compressed)
        )
        MapVersion.objects.filter(id=version.id).update(
            points_file=name,
            points_bytes=len(packed),
            points_etag=f'"{digest[:32]}"',
            points_summary=summary,
            points_written_at=timezone.now(),
        )
        if old_name and old_name != name:
            transaction.on_commit(lambda: default_storage.delete(old_name))
    logger.info(
        "map file written",
        extra={"map": version_id, "bytes": len(compressed), "packed_bytes": len(packed)},
    )
    return True


def map_files_delete(versions: QuerySet[MapVersion]) -> None:
    """Remove the points files of map versions about to be deleted."""
    for name in versions.exclude(points_file="").values_list("points_file", flat=True):
        default_storage.delete(name)


def _due_key(version_id: int) -> str:
    return f"map-file-due:{version_id}"


def map_file_claim_write(version_id: int, delay_s: float) -> bool:
    """Whether the caller should queue the write of this version's file: True for the first
    caller since the last write began (the others' changes are in the write it queues)."""
    return cache.add(_due_key(version_id), True, timeout=delay_s + 300)


def map_file_write_begins(version_id: int) -> None:
    """A write starts: changes from now on queue the next one."""
    cache.delete(_due_key(version_id))
