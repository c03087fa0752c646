"""Media methods: stream (the file, or re-encoded for a lower bit rate), download, cover art.

The original file goes out through songs.streaming.audio_response, the REST API's own, so seeking
with Range requests works the same for both APIs.
"""

from __future__ import annotations

import io
import math
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import F, QuerySet
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header, urlencode

from songs.models import Song
from songs.streaming import audio_response
from songs.transcoding import TARGETS, transcoded_response
from subsonic.library import (
    ALBUM_PREFIX,
    ARTIST_PREFIX,
    key_from_id,
    library_songs,
    song_by_id,
)
from subsonic.protocol import SubsonicError
from subsonic.registry import Call, endpoint

DEFAULT_KBPS = {"mp3": 192, "opus": 128}
# When only maxBitRate asks for less, MP3: the one format that every client plays.
DOWNSAMPLING_FORMAT = "mp3"
# Formats that are already what a client asking for "mp3" / "opus" wants.
SAME_FORMAT = {"mp3": {"MP3"}, "opus": {"OPUS"}}
MAX_COVER_SIZE = 2048
# Re-encoding only because the player seeks (no format asked for): as close to the file as MP3
# goes.
OFFSET_KBPS = 320


def _file_kbps(song: Song) -> float:
    return song.size_bytes * 8 / 1000 / song.duration_s if song.duration_s else 0


@endpoint("stream")
def stream(call: Call) -> HttpResponse:
    """The stored file (with Range requests), or re-encoded when the format or maxBitRate asks
    for it; from ``timeOffset`` seconds on (the transcodeOffset extension) it is always
    re-encoded, as the requested format, else MP3 at up to OFFSET_KBPS."""
    song = song_by_id(call.params.required("id"))
    form = (call.params.get("format") or "").lower()
    max_kbps = call.params.integer("maxBitRate", 0)
    offset_s = call.params.integer("timeOffset", 0)
    if offset_s:
        asked = form in TARGETS
        form = form if asked else DOWNSAMPLING_FORMAT
        ceiling = DEFAULT_KBPS[form] if asked else OFFSET_KBPS
        kbps = min(ceiling, max_kbps) if max_kbps else ceiling
        return transcoded_response(song, form, kbps, offset_s=offset_s)
    if form == "raw":
        return audio_response(call.request, song)
    too_big = bool(max_kbps) and _file_kbps(song) > max_kbps
    if form in TARGETS:
        if song.audio_format.upper() in SAME_FORMAT[form] and not too_big:
            return audio_response(call.request, song)
    elif too_big:
        form = DOWNSAMPLING_FORMAT
    else:  # no format, or one this server does not make: the file as it is
        return audio_response(call.request, song)
    kbps = min(DEFAULT_KBPS[form], max_kbps) if max_kbps else DEFAULT_KBPS[form]
    return transcoded_response(song, form, kbps)


AUTH_PARAMETERS = ("u", "p", "t", "s", "apiKey", "v", "c")


def _signed(call: Call, method: str, **params) -> str:
    """A relative URL of another method, signed as this call was (a player fetches what a
    playlist names with no credentials of its own)."""
    signature = {name: call.params.get(name) for name in AUTH_PARAMETERS if call.params.get(name)}
    return f"{method}?{urlencode({**params, **signature})}"


def _hls_kbps(raw: str) -> int:
    try:  # "1000@480x360": a video size, meaningless for audio
        return max(int(raw.split("@", 1)[0]), 1)
    except ValueError:
        raise SubsonicError(
            SubsonicError.GENERIC, f"bitRate is kilobits per second, not {raw!r}."
        ) from None


@endpoint("hls")
def hls(call: Call) -> HttpResponse:
    """An HLS playlist of the song as one MP3 segment (the whole song, which HLS allows for
    audio: nothing to gain from cutting a song up when stream can start anywhere); several
    bitRate values make a variant playlist, one entry per rate."""
    raw_id = call.params.required("id")
    song = song_by_id(raw_id)
    rates = [_hls_kbps(raw) for raw in call.params.list("bitRate")]
    if len(rates) > 1:
        lines = ["#EXTM3U"]
        for kbps in rates:
            lines += [
                f'#EXT-X-STREAM-INF:BANDWIDTH={kbps * 1000},CODECS="mp4a.40.34"',
                _signed(call, "hls.m3u8", id=raw_id, bitRate=kbps),
            ]
    else:
        kbps = rates[0] if rates else DEFAULT_KBPS[DOWNSAMPLING_FORMAT]
        duration = song.duration_s or 0
        lines = [
            "#EXTM3U",
            "#EXT-X-VERSION:3",
            f"#EXT-X-TARGETDURATION:{math.ceil(duration)}",
            "#EXT-X-MEDIA-SEQUENCE:0",
            "#EXT-X-PLAYLIST-TYPE:VOD",
            f"#EXTINF:{duration:.3f},",
            _signed(call, "stream.view", id=raw_id, format="mp3", maxBitRate=kbps),
            "#EXT-X-ENDLIST",
        ]
    return HttpResponse("\n".join(lines) + "\n", content_type="application/vnd.apple.mpegurl")


@endpoint("download")
def download(call: Call) -> HttpResponse:
    song = song_by_id(call.params.required("id"))
    response = audio_response(call.request, song)
    name = PurePosixPath(song.original_name.replace("\\", "/")).name or song.audio.name
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _first(songs: QuerySet[Song]) -> QuerySet[Song]:
    return songs.order_by(F("track_number").asc(nulls_last=True), "id")


def _picture_of(raw: str) -> str:
    """The storage name of the picture for a song, album or artist id: the embedded cover, else
    the spectrogram; for an album or artist, of its first song (by track) that has a cover."""
    if raw.startswith(ALBUM_PREFIX):
        songs = library_songs().filter(album_key=key_from_id(raw, ALBUM_PREFIX, "Album"))
    elif raw.startswith(ARTIST_PREFIX):
        songs = library_songs().filter(artist_key=key_from_id(raw, ARTIST_PREFIX, "Artist"))
    else:
        songs = library_songs().filter(id=song_by_id(raw).id)
    with_cover = _first(songs.exclude(cover="")).first()
    if with_cover is not None:
        return with_cover.cover.name
    first = _first(songs).first()
    if first is None:
        raise SubsonicError(SubsonicError.NOT_FOUND, "Cover art not found.")
    if not first.spectrogram:
        raise SubsonicError(SubsonicError.NOT_FOUND, "Cover art not found.")
    return first.spectrogram.name


def _sized(name: str, size: int) -> str:
    """The picture scaled down to fit size x size (aspect ratio kept), made once and kept in
    storage; PNG stays PNG (spectrograms are sharp lines), anything else becomes JPEG. A picture
    already that small is served as it is."""
    from PIL import Image

    stem = PurePosixPath(name).stem
    png = name.lower().endswith(".png")
    sized = f"covers/sized/{stem}-{size}.{'png' if png else 'jpg'}"
    if default_storage.exists(sized):
        return sized
    with default_storage.open(name, "rb") as handle, Image.open(handle) as image:
        if image.width <= size and image.height <= size:
            return name
        image.thumbnail((size, size), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        if png:
            image.save(out, format="PNG", optimize=True)
        else:
            image.convert("RGB").save(out, format="JPEG", quality=88)
    stored = default_storage.save(sized, ContentFile(out.getvalue()))
    if stored != sized:  # another request made it first
        default_storage.delete(stored)
    return sized


_IMAGE_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "bmp": "image/bmp",
}


@endpoint("getCoverArt")
def get_cover_art(call: Call) -> HttpResponse:
    name = _picture_of(call.params.required("id"))
    size = call.params.integer("size", minimum=1, maximum=MAX_COVER_SIZE)
    if not default_storage.exists(name):
        raise SubsonicError(SubsonicError.NOT_FOUND, "Cover art not found.")
    if size:
        name = _sized(name, size)
    suffix = name.rsplit(".", 1)[-1].lower()
    response = FileResponse(
        default_storage.open(name, "rb"),
        content_type=_IMAGE_TYPES.get(suffix, "application/octet-stream"),
    )
    response["Cache-Control"] = "private, max-age=86400"
    return response
