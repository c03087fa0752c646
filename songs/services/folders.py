"""Importing a music library from a folder on the server (``manage.py import_music``)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

from songs.models import UploadBatch
from songs.services.ingestion import FileOutcome, SongMetadata, batch_add_file
from songs.services.metadata import merged, metadata_from_path, metadata_from_tags

# What a music folder holds besides audio; everything else is tried as audio (by its content).
NOT_AUDIO = {
    ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".txt", ".nfo", ".cue", ".log", ".m3u",
    ".m3u8", ".pls", ".pdf", ".db", ".ini", ".url", ".sfv", ".md5", ".csv", ".json", ".xml",
}  # fmt: skip


def library_files(root: Path) -> Iterator[Path]:
    """Candidate audio files under ``root``, in a stable order; hidden files and folders skipped."""
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
    ``in_place``: the files stay where they are (ingestion._store_audio)."""
    files = list(library_files(root))
    outcomes = []
    for number, path in enumerate(files, start=1):
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
