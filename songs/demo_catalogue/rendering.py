"""From notes to an Ogg Vorbis file: a SoundFont synthesiser, mastering, and a safe write."""

import os
from pathlib import Path

import numpy as np
import soundfile as sf
import tinysoundfont

from songs.demo_catalogue.score import DRUMS, Arrangement

VORBIS_BLOCK_FRAMES = 65_536  # one sf.write of a long signal to Vorbis segfaults in libsndfile
TARGET_RMS = 0.1  # -20 dBFS: loud enough to hear, headroom for drum peaks
PEAK_CEILING = 0.89  # -1 dBFS, so that Vorbis overshoot stays below full scale


def synthesise(
    arrangement: Arrangement, soundfont: bytes, seconds: float, sample_rate: int
) -> np.ndarray:
    """Play the notes through the SoundFont: ``(round(seconds * sample_rate), 2)`` float32."""
    frames = round(seconds * sample_rate)
    # A fresh synthesiser per song, so that no state carries over from the previous song.
    synth = tinysoundfont.Synth(samplerate=sample_rate)
    soundfont_id = synth.sfload(soundfont)
    for channel, voice in sorted(arrangement.voices.items()):
        synth.program_select(channel, soundfont_id, 0, voice.program, is_drums=channel == DRUMS)
        synth.control_change(channel, 7, voice.volume)
        synth.control_change(channel, 10, voice.pan)
    events = []
    for start, end, channel, pitch, velocity in arrangement.notes:
        on = round(start * sample_rate)
        if on < frames:
            events.append((on, 1, channel, pitch, velocity))
            events.append((max(round(end * sample_rate), on + 1), 0, channel, pitch, 0))
    events.sort()  # at equal times note-offs (0) come before note-ons (1): repeated notes sound

    buffer = memoryview(bytearray(frames * 2 * 4))  # interleaved stereo float32
    position = 0
    for frame, is_on, channel, pitch, velocity in events:
        frame = min(frame, frames)
        if frame > position:
            synth.generate_simple(frame - position, buffer[position * 8 : frame * 8])
            position = frame
        if is_on:
            synth.noteon(channel, pitch, velocity)
        else:
            synth.noteoff(channel, pitch)
    if position < frames:
        synth.generate_simple(frames - position, buffer[position * 8 :])
    return np.frombuffer(buffer, dtype=np.float32).reshape(frames, 2).copy()


def master(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Fade in over 10 ms and out over the last second (a third of a song under 3 s), bring to
    ``TARGET_RMS``, keep peaks below ``PEAK_CEILING``. ``audio``: ``(frames, 2)`` float32, returned
    in the same shape."""
    frames = len(audio)
    fade_in = min(frames, round(0.01 * sample_rate))
    fade_out = min(frames, round(min(1.0, frames / sample_rate / 3) * sample_rate))
    envelope = np.ones(frames, dtype=np.float32)
    envelope[:fade_in] = np.linspace(0.0, 1.0, fade_in, dtype=np.float32)
    envelope[frames - fade_out :] *= np.linspace(1.0, 0.0, fade_out, dtype=np.float32)
    audio = audio * envelope[:, None]
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))
    peak = float(np.max(np.abs(audio)))
    if rms == 0.0:
        return audio
    gain = min(TARGET_RMS / rms, PEAK_CEILING / peak)
    return (audio * gain).astype(np.float32)


def write_vorbis(path: Path, audio: np.ndarray, sample_rate: int) -> None:
    """Write Ogg Vorbis in blocks (see ``VORBIS_BLOCK_FRAMES``), under a temporary name first so
    that an interrupted run never leaves a truncated file to be reused."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    with sf.SoundFile(
        partial,
        "w",
        samplerate=sample_rate,
        channels=audio.shape[1],
        format="OGG",
        subtype="VORBIS",
    ) as file:
        for start in range(0, len(audio), VORBIS_BLOCK_FRAMES):
            file.write(audio[start : start + VORBIS_BLOCK_FRAMES])
    partial.replace(path)


def is_rendered(path: Path, frames: int, sample_rate: int) -> bool:
    """Whether ``path`` already holds this song at this length and sample rate."""
    if not path.is_file():
        return False
    try:
        info = sf.info(path)
    except (RuntimeError, sf.LibsndfileError):
        return False
    return info.samplerate == sample_rate and info.frames == frames
