"""Importing a music library from a folder on the server (``manage.py import_music``), and
keeping what is served from it inside it.

A library is linked where it lies (ingestion._store_audio), so the server reads files it does not
own: a symbolic link in the library, or a file replaced by one after the import, could point
anywhere the server can read (its secret key, another user's files). Import never follows a link
out of the library, and every serving path asks song_file_check first: the file's real path must
still be inside the media folder or a library that import_music was given.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import Http404

from neuralnotes.errors import DomainError
from songs.models import Song, UploadBatch
from songs.services.ingestion import FileOutcome, SongMetadata, _batch_note, batch_add_file
from songs.services.metadata import (
    METADATA_SUFFIXES,
    merged,
    metadata_from_path,
    metadata_from_tags,
)

logger = logging.getLogger(__name__)

# What a music folder holds besides audio; everything else is tried as audio (by its content).
NOT_AUDIO = {
    ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".txt", ".nfo", ".cue", ".log", ".m3u",
    ".m3u8", ".pls", ".pdf", ".db", ".ini", ".url", ".sfv", ".md5", ".xml", *METADATA_SUFFIXES,
}  # fmt: skip


class SongFileOutsideLibrary(DomainError, Http404):
    """The song's file now resolves outside the media folder and every imported library (a
    library file replaced by a link to elsewhere): it is not served. A 404 where Django answers."""

    status = 404
    code = "not_found"


def _inside(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def library_roots() -> list[Path]:
    """Where served audio may lie: the media folder, and the folders import_music was given
    (an import batch's name is its folder's resolved path)."""
    roots = [Path(settings.MEDIA_ROOT).resolve()]
    names = (
        UploadBatch.objects.filter(source=UploadBatch.Source.IMPORT)
        .exclude(name="")
        .values_list("name", flat=True)
        .distinct()
    )
    roots += [Path(name).resolve() for name in names if Path(name).is_absolute()]
    return roots


def song_file_check(*, song: Song) -> None:
    """Raise SongFileOutsideLibrary unless the song's stored file, every link followed, is inside
    library_roots(). Object storage holds copies only and has no links: nothing to check."""
    try:
        local = Path(default_storage.path(song.audio.name))
    except NotImplementedError:
        return
    real = local.resolve()
    if not any(_inside(real, root) for root in library_roots()):
        logger.warning(
            "song file outside the library not served",
            extra={"song_id": song.id, "resolves_to": str(real)},
        )
        raise SongFileOutsideLibrary("No such song file.")


def library_files(root: Path) -> Iterator[Path]:
    """Candidate audio files under ``root``, in a stable order; hidden files and folders skipped.
    Linked folders are not entered (os.walk does not follow them); linked files are yielded,
    for batch_add_folder to check where they lead."""
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower() not in NOT_AUDIO:
                yield Path(folder) / name


def batch_add_folder(
    *,
    batch: UploadBatch,
    root: Path,
    genre_from_folder: bool = False,
    extra_metadata: Callable[[Path], SongMetadata | None] | None = None,
    progress: Callable[[int, int, FileOutcome], None] | None = None,
    in_place: bool = False,
) -> list[FileOutcome]:
    """Add every audio file under ``root``. Metadata, most trusted first: ``extra_metadata``
    (e.g. a catalogue's own table), the genre folder if asked for, the file's tags, its path.
    ``in_place``: the files stay where they are (ingestion._store_audio). A symbolic link to a
    file outside ``root`` is not imported: it is rejected, with the reason, on the batch."""
    real_root = root.resolve()
    files = list(library_files(root))
    outcomes = []
    for number, path in enumerate(files, start=1):
        if not _inside(path.resolve(), real_root):
            outcome = _link_out_of_library(batch, path, root)
            outcomes.append(outcome)
            if progress:
                progress(number, len(files), outcome)
            continue
        from_path = metadata_from_path(path, root, genre_from_folder=genre_from_folder)
        folder_genre = SongMetadata(genre=from_path.genre) if genre_from_folder else None
        metadata = merged(
            extra_metadata(path) if extra_metadata else None,
            folder_genre,
            metadata_from_tags(path),
            from_path,
        )
        outcome = batch_add_file(
            batch=batch,
            path=path,
            original_name=str(path.relative_to(root)),
            uploaded_by=batch.created_by,
            metadata=metadata,
            in_place=in_place,
        )
        outcomes.append(outcome)
        if progress:
            progress(number, len(files), outcome)
    return outcomes


def _link_out_of_library(batch: UploadBatch, path: Path, root: Path) -> FileOutcome:
    name = str(path.relative_to(root))
    reason = f"{name}: a symbolic link to a file outside the library, not imported."
    logger.warning("link out of the library skipped", extra={"file": name, "batch_id": batch.id})
    _batch_note(batch, "rejected", {"name": name, "reason": reason})
    return FileOutcome(name, None, error=reason)
