"""Serving a song's audio with HTTP Range requests, so that players can seek and resume."""

from __future__ import annotations

import re

from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from songs.models import Song

CHUNK = 64 * 1024
CONTENT_TYPES = {
    "WAV": "audio/wav",
    "FLAC": "audio/flac",
    "OGG": "audio/ogg",
    "MP3": "audio/mpeg",
    "AIFF": "audio/aiff",
    "M4A": "audio/mp4",
    "MP4": "audio/mp4",
    "OPUS": "audio/ogg",
}
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _chunks(handle, remaining: int):
    try:
        while remaining > 0:
            data = handle.read(min(CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        handle.close()


def audio_response(request: HttpRequest, song: Song) -> HttpResponse:
    """The whole file (200) or the byte range asked for (206); 416 for a range outside it."""
    size = default_storage.size(song.audio.name)
    content_type = CONTENT_TYPES.get(song.audio_format.upper(), "application/octet-stream")
    start, end = 0, size - 1
    match = _RANGE.match(request.headers.get("Range", "").strip())
    ranged = bool(match and (match.group(1) or match.group(2)))
    if ranged:
        if match.group(1):
            start = int(match.group(1))
            end = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
        else:  # "bytes=-N": the last N bytes
            start = max(size - int(match.group(2)), 0)
        if start > end or start >= size:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
    handle = default_storage.open(song.audio.name, "rb")
    handle.seek(start)
    response = StreamingHttpResponse(_chunks(handle, end - start + 1), content_type=content_type)
    if ranged:
        response.status_code = 206
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=3600"
    return response
