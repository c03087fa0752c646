"""Re-encoding a song's audio on the fly (MP3 or Opus at a given bit rate) for players on slow
connections, with PyAV: the stored file is decoded and the new container written out in chunks
as it is made, so the first bytes leave before the last are encoded."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.http import StreamingHttpResponse

from songs.models import Song
from songs.services.folders import song_file_check


@dataclass(frozen=True)
class Target:
    container: str
    codec: str
    content_type: str
    sample_format: str
    rates: tuple[int, ...]  # the sample rates the encoder takes, the preferred one first
    min_kbps: int
    max_kbps: int


TARGETS = {
    "mp3": Target(
        "mp3",
        "libmp3lame",
        "audio/mpeg",
        "s16p",
        (44100, 48000, 32000, 22050, 24000, 16000, 11025, 12000, 8000),
        8,
        320,
    ),
    # Opus only runs at 48 kHz (or lower rates that no player needs).
    "opus": Target("ogg", "libopus", "audio/ogg", "s16", (48000,), 6, 510),
}


class _Sink:
    """A write-only file for the output container; what it holds is taken after each packet.
    Having no seek, the muxer writes a plain stream (no header patched at the end)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def _frames_from(inp, audio, offset_s: float) -> Iterator:
    """The decoded frames of ``audio`` from ``offset_s`` seconds on: the demuxer seeks to the
    packet before it, and the frames that end before it are dropped (so the audio starts at
    most one frame of the source early: under 0.1 s for FLAC, 26 ms for MP3). A file that
    cannot seek is decoded from its start and the frames before the offset dropped."""
    import av

    if offset_s > 0 and audio.time_base:
        with contextlib.suppress(av.error.FFmpegError):
            inp.seek(int(offset_s / audio.time_base), stream=audio)
    elapsed = 0.0
    for frame in inp.decode(audio):
        start = frame.time if frame.time is not None else elapsed
        elapsed = start + frame.samples / frame.sample_rate
        if elapsed > offset_s:
            yield frame


def _open_input(song: Song):
    """The song's stored file as a PyAV input container, opened (probed) before any response
    starts. Only the file protocol and single-file audio demuxers (FFMPEG_INPUT_OPTIONS): a
    stored "audio" file that is a playlist naming other files or URLs is refused, not followed.
    Raises InvalidAudio."""
    import av

    # lazy: librosa (ml.audio imports ml.spectrogram) stays out of web processes' start-up
    from ml.audio import FFMPEG_INPUT_OPTIONS, InvalidAudio

    source = default_storage.open(song.audio.name, "rb")
    try:
        return av.open(source, options=FFMPEG_INPUT_OPTIONS), source
    except (av.error.FFmpegError, OSError) as error:
        source.close()
        raise InvalidAudio(f"Song {song.id}: its file is not audio that can be read.") from error


def _transcoded_chunks(opened, target: Target, kbps: int, offset_s: float) -> Iterator[bytes]:
    import av

    container, source = opened
    try:
        with container as inp:
            audio = inp.streams.audio[0]
            channels = min(audio.codec_context.channels or 2, 2)
            layout = "stereo" if channels == 2 else "mono"
            rate = audio.codec_context.sample_rate
            rate = rate if rate in target.rates else target.rates[0]
            sink = _Sink()
            with av.open(sink, mode="w", format=target.container) as out:
                stream = out.add_stream(target.codec, rate=rate, layout=layout)
                stream.bit_rate = kbps * 1000
                resampler = av.AudioResampler(format=target.sample_format, layout=layout, rate=rate)
                for frame in _frames_from(inp, audio, offset_s):
                    frame.pts = None  # the resampler and encoder keep their own time
                    for resampled in resampler.resample(frame):
                        for packet in stream.encode(resampled):
                            out.mux(packet)
                    data = sink.take()
                    if data:
                        yield data
                for resampled in resampler.resample(None):
                    for packet in stream.encode(resampled):
                        out.mux(packet)
                for packet in stream.encode(None):
                    out.mux(packet)
            yield sink.take()  # what closing the container wrote: the last pages, the trailer
    finally:
        source.close()


def transcoded_response(
    song: Song, form: str, kbps: int, *, offset_s: float = 0
) -> StreamingHttpResponse:
    """The song re-encoded as ``form`` ("mp3" or "opus") at about ``kbps``, clamped to what the
    encoder takes, from ``offset_s`` seconds into it (a player seeking). Its length is not
    known in advance, so there are no Range requests: the whole stream every time (as Navidrome
    does). Raises InvalidAudio, and SongFileOutsideLibrary (a 404) for a file that is no
    longer where the catalogue put it."""
    target = TARGETS[form]
    kbps = max(target.min_kbps, min(kbps, target.max_kbps))
    song_file_check(song=song)
    response = StreamingHttpResponse(
        _transcoded_chunks(_open_input(song), target, kbps, offset_s),
        content_type=target.content_type,
    )
    response["Accept-Ranges"] = "none"
    response["Cache-Control"] = "private, max-age=3600"
    return response
