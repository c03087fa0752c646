"""Uploads through the web page or the API: audio files, zips of them, metadata files.

Zips are unpacked safely.
Entries are never written to the paths they name: each goes to a fresh temporary file and only
its base name is kept, and an entry naming an absolute path or a parent folder (``../``) is
refused outright. A zip bomb is refused by the sizes its directory declares (total and ratio)
and, should those lie, by the bytes an entry actually inflates to.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.contrib.auth.models import User

from songs.models import UploadBatch
from songs.services.ingestion import (
    FileOutcome,
    RejectedFile,
    SongMetadata,
    _batch_note,
    batch_add_file,
)
from songs.services.metadata import (
    METADATA_SUFFIXES,
    MetadataFileError,
    metadata_for,
    parse_metadata_file,
)

MAX_COMPRESSION_RATIO = 200  # audio barely compresses; a 1000:1 entry is a bomb
# A metadata file is text for a few thousand songs; past this it is refused, never inflated whole.
METADATA_MAX_BYTES = 16 << 20


def _unsafe(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    return path.is_absolute() or ".." in path.parts or (len(name) > 1 and name[1] == ":")


def _skipped(name: str) -> bool:
    base = PurePosixPath(name).name
    return name.endswith("/") or name.startswith("__MACOSX/") or base.startswith(".")


def _open(zip_path: Path, display_name: str) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """The archive and its entries (folders and resource forks left out), once the limits on
    their number and declared size are checked."""
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise RejectedFile(f"{display_name}: not a readable zip file ({exc}).") from exc
    entries = [info for info in archive.infolist() if not _skipped(info.filename)]
    declared = sum(info.file_size for info in entries)
    if len(entries) > settings.ZIP_MAX_ENTRIES:
        raise RejectedFile(
            f"{display_name}: {len(entries)} files is more than the limit of "
            f"{settings.ZIP_MAX_ENTRIES} per zip."
        )
    if declared > settings.ZIP_MAX_UNCOMPRESSED_BYTES:
        raise RejectedFile(
            f"{display_name}: it would unpack to {declared / 1e9:.1f} GB, more than the limit "
            f"of {settings.ZIP_MAX_UNCOMPRESSED_BYTES / 1e9:.1f} GB."
        )
    return archive, entries


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> None:
    """Inflate one entry, stopping as soon as it exceeds what it declared or the upload limit."""
    limit = min(info.file_size, settings.UPLOAD_MAX_BYTES)
    if info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO:
        raise RejectedFile(
            f"{info.filename}: compressed {info.file_size // info.compress_size}:1, a zip bomb."
        )
    if info.file_size > settings.UPLOAD_MAX_BYTES:
        raise RejectedFile(f"{info.filename}: larger than the upload limit.")
    written = 0
    with archive.open(info) as source, target.open("wb") as out:
        while chunk := source.read(1 << 20):
            written += len(chunk)
            if written > limit:
                raise RejectedFile(
                    f"{info.filename}: inflates beyond its declared size, a zip bomb."
                )
            out.write(chunk)


def _read_metadata(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A metadata entry's bytes, inflating at most one byte past METADATA_MAX_BYTES whatever its
    header declares. Raises MetadataFileError for a larger one."""
    with archive.open(info) as source:
        content = source.read(METADATA_MAX_BYTES + 1)
    if len(content) > METADATA_MAX_BYTES:
        raise MetadataFileError(
            f"{info.filename}: a metadata file may be at most {METADATA_MAX_BYTES >> 20} MB."
        )
    return content


def batch_add_zip(
    *,
    batch: UploadBatch,
    zip_path: Path,
    display_name: str,
    uploaded_by: User | None = None,
    metadata: dict | None = None,
) -> list[FileOutcome]:
    """Add every audio file of a zip to the batch. Metadata files (CSV/JSON) inside the zip are
    read first and matched to the audio files by name, after any ``metadata`` given.
    Raises RejectedFile for the zip as a whole (unreadable, too many files, too large)."""
    table = dict(metadata or {})
    outcomes = []
    archive, entries = _open(zip_path, display_name)
    with archive, tempfile.TemporaryDirectory() as tmp:
        for info in entries:
            if info.filename.lower().endswith(METADATA_SUFFIXES) and not _unsafe(info.filename):
                try:
                    found = parse_metadata_file(info.filename, _read_metadata(archive, info))
                except (MetadataFileError, zipfile.BadZipFile) as exc:
                    _batch_note(batch, "rejected", {"name": info.filename, "reason": str(exc)})
                    continue
                table = {**found, **table}
        for index, info in enumerate(entries):
            name = info.filename
            if name.lower().endswith(METADATA_SUFFIXES) and not _unsafe(name):
                continue
            if _unsafe(name):
                reason = f"{name}: the path points outside the zip; the file was not unpacked."
                _batch_note(batch, "rejected", {"name": name, "reason": reason})
                outcomes.append(FileOutcome(name, None, error=reason))
                continue
            target = Path(tmp) / f"{index}{PurePosixPath(name).suffix[:8]}"
            try:
                _extract(archive, info, target)
            except RejectedFile as exc:
                _batch_note(batch, "rejected", {"name": name, "reason": str(exc)})
                outcomes.append(FileOutcome(name, None, error=str(exc)))
                target.unlink(missing_ok=True)
                continue
            outcomes.append(
                batch_add_file(
                    batch=batch,
                    path=target,
                    original_name=PurePosixPath(name).name,
                    uploaded_by=uploaded_by,
                    metadata=metadata_for(name, table),
                )
            )
            target.unlink()
    return outcomes


def batch_set_metadata(*, batch: UploadBatch, name: str, content: bytes) -> int:
    """Keep a metadata file's rows on the batch for the files uploaded after it; returns how many
    rows it had. Raises MetadataFileError (also for one over METADATA_MAX_BYTES: read at most
    one byte more)."""
    if len(content) > METADATA_MAX_BYTES:
        raise MetadataFileError(
            f"{name}: a metadata file may be at most {METADATA_MAX_BYTES >> 20} MB."
        )
    table = parse_metadata_file(name, content)
    batch.metadata = {**batch.metadata, **{key: vars(meta) for key, meta in table.items()}}
    batch.save(update_fields=["metadata"])
    return len(table)


def batch_add_upload(
    *, batch: UploadBatch, path: Path, original_name: str, uploaded_by: User | None = None
) -> list[FileOutcome]:
    """One uploaded file: a zip (recognised by its content) is unpacked into the batch, anything
    else is taken as audio. Metadata sent earlier to the batch is matched by file name."""
    table = {key: SongMetadata(**fields) for key, fields in batch.metadata.items()}
    if zipfile.is_zipfile(path):
        try:
            return batch_add_zip(
                batch=batch,
                zip_path=path,
                display_name=original_name,
                uploaded_by=uploaded_by,
                metadata=table,
            )
        except RejectedFile as exc:
            _batch_note(batch, "rejected", {"name": original_name, "reason": str(exc)})
            return [FileOutcome(original_name, None, error=str(exc))]
    outcome = batch_add_file(
        batch=batch,
        path=path,
        original_name=original_name,
        uploaded_by=uploaded_by,
        metadata=metadata_for(original_name, table),
    )
    return [outcome]
