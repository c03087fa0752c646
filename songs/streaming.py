"""Serving a song's audio with HTTP Range requests, so that players can seek and resume."""

from __future__ import annotations

import re

from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from songs.audio_formats import AUDIO_FORMATS
from songs.models import Song
from songs.services.folders import song_file_check

CHUNK = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
# A position of more digits than this (past 2**63, as nginx rules) is unsatisfiable: 416. Never
# int() on it: a 5,000-digit string raises (Python's limit on digits), which was a 500.
_MAX_DIGITS = 18


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


def _unsatisfiable(size: int) -> HttpResponse:
    response = HttpResponse(status=416)
    response["Content-Range"] = f"bytes */{size}"
    return response


def audio_response(request: HttpRequest, song: Song) -> HttpResponse:
    """The whole file (200) or the byte range asked for (206); 416 for a range outside it."""
    song_file_check(song=song)  # a 404 for a file that now lies outside the library
    size = default_storage.size(song.audio.name)
    known = AUDIO_FORMATS.get(song.audio_format.upper())
    content_type = known.content_type if known else "application/octet-stream"
    start, end = 0, size - 1
    match = _RANGE.match(request.headers.get("Range", "").strip())
    ranged = bool(match and (match.group(1) or match.group(2)))
    if ranged:
        first, last = match.group(1), match.group(2)
        if len(first) > _MAX_DIGITS or len(last) > _MAX_DIGITS:
            return _unsatisfiable(size)
        if first:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        else:  # "bytes=-N": the last N bytes
            start = max(size - int(last), 0)
        if start > end or start >= size:
            return _unsatisfiable(size)
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
