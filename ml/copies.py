"""Copies of a song as a catalogue comes to hold it twice: another codec or bit rate, another
sample rate, or a trimmed file. They are what the near-duplicate finder must find
(``evaluate_near_duplicates`` measures it on them, the tests make a pair with them).

Decoding is libsndfile's (through soundfile); MP3 and Opus are encoded with PyAV (libmp3lame,
libopus), Ogg Vorbis with libsndfile, resampling with soxr. Nothing here knows about Django.
"""

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

_BLOCK_FRAMES = 65_536  # one sf.write of a long signal to Vorbis segfaults in libsndfile


def read_audio(path: str | os.PathLike) -> tuple[np.ndarray, int]:
    """The whole file decoded: ((frames, channels) float32 in [-1, 1], sample rate in Hz)."""
    audio, rate = sf.read(path, dtype="float32", always_2d=True)
    return audio, rate


def write_vorbis(path: str | os.PathLike, audio: np.ndarray, sample_rate: int) -> Path:
    """Write (frames, channels) float32 as Ogg Vorbis (libsndfile's default quality), in blocks."""
    with sf.SoundFile(
        path, "w", samplerate=sample_rate, channels=audio.shape[1], format="OGG", subtype="VORBIS"
    ) as out:
        for start in range(0, len(audio), _BLOCK_FRAMES):
            out.write(audio[start : start + _BLOCK_FRAMES])
    return Path(path)


def encode(
    path: str | os.PathLike,
    audio: np.ndarray,
    sample_rate: int,
    *,
    codec: str,
    kbps: int,
    container: str | None = None,
) -> Path:
    """Encode (frames, channels) float32 at ``sample_rate`` Hz with an FFmpeg encoder (``codec``:
    "libmp3lame", "libopus") at ``kbps`` kbit/s into ``path``. Opus runs at 48 kHz: the audio is
    resampled to it by the encoder's resampler, as a converter would."""
    import av

    layout = "stereo" if audio.shape[1] >= 2 else "mono"
    planar = np.ascontiguousarray(audio[:, :2].T)  # (channels, frames), as "fltp" wants
    with av.open(str(path), mode="w", format=container) as out:
        rate = 48_000 if codec == "libopus" else sample_rate
        stream = out.add_stream(codec, rate=rate, layout=layout)
        stream.bit_rate = kbps * 1000
        resampler = av.AudioResampler(
            format=stream.codec_context.format.name, layout=layout, rate=rate
        )
        for start in range(0, planar.shape[1], _BLOCK_FRAMES):
            frame = av.AudioFrame.from_ndarray(
                planar[:, start : start + _BLOCK_FRAMES], format="fltp", layout=layout
            )
            frame.sample_rate = sample_rate
            for resampled in resampler.resample(frame):
                for packet in stream.encode(resampled):
                    out.mux(packet)
        for resampled in resampler.resample(None):
            for packet in stream.encode(resampled):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return Path(path)


def mp3_copy(source: str | os.PathLike, path: str | os.PathLike, *, kbps: int = 64) -> Path:
    """The song as MP3 at ``kbps`` kbit/s CBR, at its own sample rate."""
    audio, rate = read_audio(source)
    return encode(path, audio, rate, codec="libmp3lame", kbps=kbps, container="mp3")


def opus_copy(source: str | os.PathLike, path: str | os.PathLike, *, kbps: int = 96) -> Path:
    """The song as Ogg Opus at ``kbps`` kbit/s (48 kHz, as Opus always is)."""
    audio, rate = read_audio(source)
    return encode(path, audio, rate, codec="libopus", kbps=kbps, container="ogg")


def resampled_copy(
    source: str | os.PathLike, path: str | os.PathLike, *, sample_rate: int = 22_050
) -> Path:
    """The song resampled to ``sample_rate`` Hz (soxr, high quality), as Ogg Vorbis."""
    audio, rate = read_audio(source)
    if rate != sample_rate:
        audio = soxr.resample(audio, rate, sample_rate, quality="HQ").astype(np.float32)
    return write_vorbis(path, audio, sample_rate)


def trimmed_copy(
    source: str | os.PathLike,
    path: str | os.PathLike,
    *,
    start_s: float = 0.0,
    end_s: float | None = None,
) -> Path:
    """The part of the song from ``start_s`` to ``end_s`` seconds (None: to its end), cut at
    those samples without a fade, as Ogg Vorbis at the song's own rate."""
    audio, rate = read_audio(source)
    stop = None if end_s is None else round(end_s * rate)
    return write_vorbis(path, audio[round(start_s * rate) : stop], rate)


# The copies evaluate_near_duplicates makes of every song: name -> (file suffix, what it is,
# maker(source, path)). "cut-first-20s" is the "first 20 s cut" read as the first 20 s
# removed (a 30-s song keeps its last 10 s); "first-20s" is the other reading, the song cut
# down to its first 20 s.
COPY_KINDS: dict[str, tuple[str, str, Callable[[Path, Path], Path]]] = {
    "mp3-64k": (".mp3", "MP3, 64 kbit/s CBR (libmp3lame), own sample rate", mp3_copy),
    "opus-96k": (".opus", "Ogg Opus, 96 kbit/s (libopus), 48 kHz", opus_copy),
    "22khz": (".ogg", "resampled to 22.05 kHz (soxr HQ), Ogg Vorbis", resampled_copy),
    "cut-first-20s": (
        ".ogg",
        "the first 20 s removed (keeps 20 s to the end), Ogg Vorbis",
        lambda source, path: trimmed_copy(source, path, start_s=20.0),
    ),
    "first-20s": (
        ".ogg",
        "only the first 20 s kept (0 s to 20 s), Ogg Vorbis",
        lambda source, path: trimmed_copy(source, path, end_s=20.0),
    ),
}
