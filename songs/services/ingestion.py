"""Bringing audio into the catalogue: one file, a zip of files, a folder on the server.

Every way in ends in song_create_from_file: validate the file by its content, store it under the
SHA-256 of its bytes (the same audio twice is one song) with its embedded cover beside it, create
the song "pending" and queue its analysis once the transaction has committed. If the broker is
down the song is still created; the sweep queues it when the broker is back.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import soundfile
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from neuralnotes.errors import RETRY_AFTER_S, DomainError
from neuralnotes.outages import BROKER_DOWN_ERRORS, STORAGE_DOWN_ERRORS
from songs.audio_formats import AUDIO_FORMATS
from songs.models import Catalogue, Song, UploadBatch
from songs.queueing import catalogue_task
from songs.services.metadata import SongMetadata, embedded_lyrics, embedded_picture

logger = logging.getLogger(__name__)

DEFAULT_CATALOGUE = "Main"


class RejectedFile(DomainError, ValueError):
    """A file that cannot become a song; the message names the file and the reason."""

    field = "file"


class StorageUnavailable(DomainError, RuntimeError):
    """The media storage cannot be reached: the file was not stored and no song was made."""

    status = 503
    code = "storage_unavailable"
    retry_after_s = RETRY_AFTER_S


def catalogue_get_or_create(*, name: str = DEFAULT_CATALOGUE) -> Catalogue:
    catalogue, _ = Catalogue.objects.get_or_create(name=name)
    return catalogue


def batch_create(
    *, source: str, catalogue: Catalogue, created_by: User | None = None, name: str = ""
) -> UploadBatch:
    return UploadBatch.objects.create(
        source=source, catalogue=catalogue, created_by=created_by, name=name[:300]
    )


def song_enqueue(*, song_id: int) -> bool:
    """Queue the song's analysis; False (and the song stays pending for the sweep) when the broker
    cannot be reached."""
    try:
        catalogue_task("analyse_song").apply_async(args=[song_id])
    except BROKER_DOWN_ERRORS as exc:
        logger.warning(
            "broker unreachable, song left for the sweep",
            extra={"song_id": song_id, "error": str(exc)},
        )
        return False
    Song.objects.filter(id=song_id).update(queued_at=timezone.now())
    return True


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _format_and_suffix(path: Path, original_name: str) -> tuple[str, str]:
    """The container format read from the content (WAV, FLAC, OGG, MP3 …) and a file suffix."""
    try:
        container = soundfile.info(str(path)).format
    except Exception:  # audio that only audioread decodes (M4A/AAC): trust the name
        suffix = Path(original_name).suffix.lower()[:8]
        return suffix.lstrip(".").upper(), suffix
    known = AUDIO_FORMATS.get(container)
    return container, "." + (known.suffix if known else container.lower())


def validate_audio_file(path: Path, original_name: str):
    """Check size, that the content decodes as audio, and its duration; return its AudioInfo."""
    from ml.audio import InvalidAudio, probe  # lazy: librosa (ml.spectrogram) stays out of start-up

    size = path.stat().st_size
    if size == 0:
        raise RejectedFile(f"{original_name}: the file is empty.")
    if size > settings.UPLOAD_MAX_BYTES:
        raise RejectedFile(
            f"{original_name}: {size / 1e6:.0f} MB is more than the limit of "
            f"{settings.UPLOAD_MAX_BYTES / 1e6:.0f} MB."
        )
    try:
        info = probe(path)
    except InvalidAudio as exc:
        reason = str(exc).removeprefix(f"{path.name}: ")
        raise RejectedFile(f"{original_name}: {reason}") from exc
    if info.duration_s > settings.UPLOAD_MAX_DURATION_S:
        raise RejectedFile(
            f"{original_name}: {info.duration_s / 60:.0f} minutes is longer than the limit of "
            f"{settings.UPLOAD_MAX_DURATION_S / 60:.0f} minutes."
        )
    return info


_COVER_SUFFIXES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/bmp": "bmp",
}


def cover_store(path: Path) -> str:
    """Store the picture embedded in the file under the SHA-256 of its bytes (an album's songs
    share one file) and return its storage name; "" when the file has none."""
    picture = embedded_picture(path)
    if picture is None:
        return ""
    data, mime = picture
    suffix = _COVER_SUFFIXES.get(mime, "img")
    name = f"covers/{hashlib.sha256(data).hexdigest()}.{suffix}"
    if not default_storage.exists(name):
        stored = default_storage.save(name, ContentFile(data))
        if stored != name:  # another import of the same cover saved it first
            default_storage.delete(stored)
    return name


def _fill_lyrics(song: Song, path: Path) -> None:
    """Read the lyrics of a song imported before they were read from tags, when its file comes
    in again (a re-import, a library scan); a song whose tags were read is left as it is."""
    if song.lyrics is not None:
        return
    song.lyrics = embedded_lyrics(path)
    Song.objects.filter(id=song.id, lyrics__isnull=True).update(lyrics=song.lyrics)


def _store_audio(path: Path, name: str, *, in_place: bool) -> None:
    """Put the file in storage under ``name``: a copy, or with ``in_place`` on a local disk, a
    symbolic link to the file where it lies. A music library on the server is indexed where it
    is, as music servers do, rather than copied: a copy would need as much disk again. It must
    then stay there. Object storage always gets a copy: workers on other hosts read from it."""
    try:
        local = Path(default_storage.path(name))
    except NotImplementedError:  # object storage
        local = None
    if local is not None and local.is_symlink() and not local.exists():
        local.unlink(missing_ok=True)  # its library file moved away; this one has the same audio
    if default_storage.exists(name):
        return
    if in_place and local is not None:
        local.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):  # the same audio, linked just now
            local.symlink_to(path.resolve())
        return
    with path.open("rb") as handle:
        stored = default_storage.save(name, File(handle))
    if stored != name:  # another upload of the same audio saved it first
        default_storage.delete(stored)


def song_create_from_file(
    *,
    path: Path,
    original_name: str,
    batch: UploadBatch,
    uploaded_by: User | None = None,
    metadata: SongMetadata | None = None,
    in_place: bool = False,
) -> tuple[Song, bool]:
    """Validate and store one audio file as a song; (song, created). The same audio already in
    the catalogue gives (that song, False). Raises RejectedFile. ``in_place``: the file stays
    where it is (see _store_audio)."""
    info = validate_audio_file(path, original_name)
    digest = sha256_of(path)
    existing = Song.objects.filter(content_sha256=digest).first()
    if existing is not None:
        _fill_lyrics(existing, path)
        return existing, False

    audio_format, suffix = _format_and_suffix(path, original_name)
    name = f"audio/{digest[:2]}/{digest}{suffix}"
    try:
        # A song row is only made once its audio (and cover) are stored. What a failed attempt
        # left in storage is named by its content, so the next attempt uses it as it is.
        _store_audio(path, name, in_place=in_place)
        cover = cover_store(path)
    except STORAGE_DOWN_ERRORS as exc:
        logger.warning(
            "media storage unreachable", extra={"file": original_name, "error": repr(exc)}
        )
        raise StorageUnavailable(
            f"The media storage cannot be reached, so {original_name} was not stored and no "
            "song was made. Please try again in a minute."
        ) from exc
    metadata = metadata or SongMetadata()
    lyrics = embedded_lyrics(path)
    try:
        with transaction.atomic():
            song = Song.objects.create(
                catalogue=batch.catalogue,
                batch=batch,
                uploaded_by=uploaded_by,
                title=(metadata.title or Path(original_name).stem)[:300],
                artist=metadata.artist[:300],
                album=metadata.album[:300],
                genre=metadata.genre[:100],
                track_number=metadata.track_number,
                year=metadata.year,
                audio=name,
                content_sha256=digest,
                original_name=original_name[:500],
                size_bytes=path.stat().st_size,
                audio_format=audio_format,
                duration_s=info.duration_s,
                sample_rate=info.sample_rate,
                channels=info.channels,
                cover=cover,
                lyrics=lyrics,
            )
    except IntegrityError:  # the same audio arrived at the same moment: one song
        return Song.objects.get(content_sha256=digest), False
    transaction.on_commit(lambda: song_enqueue(song_id=song.id))
    return song, True


@dataclass(frozen=True)
class FileOutcome:
    """What became of one file of a batch: a new song, a song that was there already, or an
    error (the song is None)."""

    name: str
    song: Song | None
    created: bool = False
    error: str = ""


def _batch_note(batch: UploadBatch, field: str, entry: dict) -> None:
    with transaction.atomic():
        locked = UploadBatch.objects.select_for_update().get(id=batch.id)
        getattr(locked, field).append(entry)
        locked.save(update_fields=[field])


def batch_add_file(
    *,
    batch: UploadBatch,
    path: Path,
    original_name: str,
    uploaded_by: User | None = None,
    metadata: SongMetadata | None = None,
    in_place: bool = False,
) -> FileOutcome:
    """song_create_from_file, with rejections and duplicates recorded on the batch."""
    try:
        song, created = song_create_from_file(
            path=path,
            original_name=original_name,
            batch=batch,
            uploaded_by=uploaded_by,
            metadata=metadata,
            in_place=in_place,
        )
    except RejectedFile as exc:
        _batch_note(batch, "rejected", {"name": original_name, "reason": str(exc)})
        return FileOutcome(original_name, None, error=str(exc))
    if not created:
        _batch_note(batch, "duplicates", {"name": original_name, "song_id": song.id})
    return FileOutcome(original_name, song, created)
