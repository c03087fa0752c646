"""Where a song's title, artist, album, genre, track number and year come from: a metadata
file sent with an upload (CSV or JSON, matched by file name), the file's own tags, its path."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import mutagen
from mutagen.flac import Picture
from mutagen.mp4 import MP4Cover

from neuralnotes.errors import DomainError
from songs.services.lyrics import lyrics_from_tags

FIELDS = ("title", "artist", "album", "genre", "track_number", "year")
# The metadata files parse_metadata_file reads (JSON by its suffix, else CSV): in an upload,
# a zip or a music folder, files of these names are metadata, not audio.
METADATA_SUFFIXES = (".csv", ".json")
_FILE_COLUMNS = ("file", "filename", "file_name", "name", "path")
_ALIASES = {"track": "track_number", "tracknumber": "track_number", "date": "year"}
_LEADING_NUMBER = re.compile(r"^(\d{1,3})[\s._-]+(.+)$")


@dataclass(frozen=True)
class SongMetadata:
    title: str = ""
    artist: str = ""
    album: str = ""
    genre: str = ""
    track_number: int | None = None
    year: int | None = None


class MetadataFileError(DomainError, ValueError):
    """A metadata file that cannot be read; the message says where and why."""

    field = "metadata"


def _key(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).name.casefold()


def _number(value: object) -> int | None:
    match = re.match(r"\s*(\d+)", str(value or ""))
    return int(match.group(1)) if match else None


def metadata_from_mapping(row: dict) -> SongMetadata:
    values = {}
    for column, value in row.items():
        field = _ALIASES.get(str(column).strip().lower(), str(column).strip().lower())
        if field in FIELDS and value not in (None, ""):
            values[field] = value
    return SongMetadata(
        title=str(values.get("title", "")).strip(),
        artist=str(values.get("artist", "")).strip(),
        album=str(values.get("album", "")).strip(),
        genre=str(values.get("genre", "")).strip(),
        track_number=_number(values.get("track_number")),
        year=_number(values.get("year")),
    )


def parse_metadata_file(name: str, content: bytes) -> dict[str, SongMetadata]:
    """Metadata by file name (case-insensitive, without folders) from a CSV with a header row or
    a JSON list of objects; each row names its audio file in a column such as ``file``."""
    try:
        text = content.decode("utf-8-sig")
        if name.lower().endswith(".json"):
            rows = json.loads(text)
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                raise MetadataFileError(f"{name}: expected a JSON list of objects, one per song.")
        else:
            rows = list(csv.DictReader(io.StringIO(text)))
    except (UnicodeDecodeError, json.JSONDecodeError, csv.Error) as exc:
        raise MetadataFileError(f"{name}: cannot be read ({exc}).") from exc
    result = {}
    for number, row in enumerate(rows, start=1):
        lowered = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
        file_name = next((lowered[c] for c in _FILE_COLUMNS if lowered.get(c)), None)
        if not file_name:
            raise MetadataFileError(
                f"{name}: row {number} names no file (give a column called 'file')."
            )
        result[_key(str(file_name))] = metadata_from_mapping(lowered)
    return result


def metadata_for(name: str, table: dict[str, SongMetadata]) -> SongMetadata | None:
    return table.get(_key(name))


def metadata_from_tags(path: Path) -> SongMetadata:
    """Title, artist, album, genre, track and year from the file's own tags (ID3, Vorbis
    comments, MP4 atoms, through mutagen's easy interface); empty fields where there are none."""
    try:
        tags = mutagen.File(path, easy=True)
    except Exception:  # unreadable tags are no reason to refuse the audio
        tags = None
    if tags is None or tags.tags is None:
        return SongMetadata()

    def first(key: str) -> str:
        values = tags.tags.get(key) or []
        return _repair_legacy_text(str(values[0]).strip()) if values else ""

    return SongMetadata(
        title=first("title"),
        artist=first("artist") or first("albumartist"),
        album=first("album"),
        genre=first("genre"),
        track_number=_number(first("tracknumber")),
        year=_number(first("date")),
    )


_FRONT_COVER = 3  # the picture type that ID3 and FLAC share for "Cover (front)"
_IMAGE_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF8", "image/gif"),
    (b"BM", "image/bmp"),
)


def _image_mime(data: bytes, declared: str) -> str | None:
    """The picture's type from its first bytes (taggers often write a wrong or empty MIME type);
    None for what is not a picture, such as an ID3 "-->" link to a URL."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    for signature, mime in _IMAGE_SIGNATURES:
        if data.startswith(signature):
            return mime
    return None if declared in ("", "-->") else declared.lower()


def _best_picture(pictures: list[tuple[int, bytes, str]]) -> tuple[bytes, str] | None:
    """The front cover if there is one, else the first picture; (type, data, mime) in."""
    found = [(kind, data, _image_mime(data, mime)) for kind, data, mime in pictures if data]
    found = [(kind, data, mime) for kind, data, mime in found if mime]
    if not found:
        return None
    kind, data, mime = next((p for p in found if p[0] == _FRONT_COVER), found[0])
    return data, mime


def embedded_picture(path: Path) -> tuple[bytes, str] | None:
    """The cover embedded in the file's tags as (bytes, MIME type): ID3 APIC frames (MP3, WAV,
    AIFF), FLAC picture blocks, MP4 'covr' atoms, Vorbis/Opus METADATA_BLOCK_PICTURE comments.
    None when there is none; an odd file is never a reason to refuse the audio."""
    try:
        return _embedded_picture(path)
    except Exception:
        return None


def _embedded_picture(path: Path) -> tuple[bytes, str] | None:
    audio = mutagen.File(path)
    if audio is None:
        return None
    pictures: list[tuple[int, bytes, str]] = []
    for picture in getattr(audio, "pictures", None) or []:  # FLAC
        pictures.append((picture.type, picture.data, picture.mime))
    tags = audio.tags
    if tags is not None and hasattr(tags, "getall"):  # ID3
        for frame in tags.getall("APIC"):
            pictures.append((frame.type, frame.data, frame.mime))
    elif tags is not None:
        for cover in _tag_values(tags, "covr"):  # MP4
            mime = "image/png" if cover.imageformat == MP4Cover.FORMAT_PNG else "image/jpeg"
            pictures.append((_FRONT_COVER, bytes(cover), mime))
        for encoded in _tag_values(tags, "metadata_block_picture"):  # Vorbis comments
            try:
                picture = Picture(base64.b64decode(encoded))
            except Exception:
                continue
            pictures.append((picture.type, picture.data, picture.mime))
    return _best_picture(pictures)


def embedded_lyrics(path: Path) -> list[dict]:
    """The lyrics in the file's tags, structured (songs.services.lyrics): ID3 USLT and SYLT
    frames, Vorbis LYRICS comments, the MP4 lyrics atom; LRC text is synced. [] when there are
    none or the tags cannot be read."""
    try:
        audio = mutagen.File(path)
    except Exception:  # unreadable tags are no reason to refuse the audio
        return []
    return lyrics_from_tags(audio.tags) if audio is not None else []


def _tag_values(tags, key: str) -> list:
    try:
        return list(tags.get(key) or [])
    except Exception:  # keys that this kind of tag cannot hold
        return []


def _repair_legacy_text(text: str) -> str:
    """ID3v2 tags written by old Windows software hold cp1252 bytes labelled Latin-1; mutagen
    then gives 'Ã©' for 'é'. Undo that when the result is valid UTF-8."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def metadata_from_path(path: Path, root: Path, *, genre_from_folder: bool) -> SongMetadata:
    """Guess from a library laid out as ``Artist/Album/NN Title.ext`` (any of them may be absent).
    With genre_from_folder, the top folder under ``root`` is the genre: ``Genre/Artist/...``."""
    parts = path.relative_to(root).parts[:-1]
    if genre_from_folder and parts:
        genre, parts = parts[0], parts[1:]
    else:
        genre = ""
    match = _LEADING_NUMBER.match(path.stem)
    return SongMetadata(
        title=(match.group(2) if match else path.stem).strip(),
        artist=parts[-2] if len(parts) >= 2 else (parts[0] if parts else ""),
        album=parts[-1] if len(parts) >= 2 else "",
        genre=genre,
        track_number=int(match.group(1)) if match else None,
    )


def merged(*sources: SongMetadata | None) -> SongMetadata:
    """Field by field, the first non-empty value among ``sources`` (most trusted first)."""
    values = {}
    for field in FIELDS:
        values[field] = next(
            (
                getattr(s, field)
                for s in sources
                if s is not None and getattr(s, field) not in ("", None)
            ),
            "" if field not in ("track_number", "year") else None,
        )
    return SongMetadata(**values)
