"""Small audio files made in code for the catalogue tests."""

from pathlib import Path

import numpy as np
import soundfile as sf


def write_tone(
    path: Path,
    *,
    seconds: float = 3.0,
    freq: float = 440.0,
    sample_rate: int = 22050,
    channels: int = 1,
    noise: float = 0.05,
) -> Path:
    """A sine tone with a little seeded noise (so different frequencies give different bytes),
    in the format the suffix names (.wav, .flac, .ogg, .mp3)."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    rng = np.random.default_rng(int(freq * 1000) + channels)
    mono = 0.4 * np.sin(2 * np.pi * freq * t) + noise * rng.standard_normal(len(t))
    data = np.repeat(mono[:, None], channels, axis=1).astype(np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written in blocks: one sf.write of a long Vorbis signal crashes libsndfile.
    with sf.SoundFile(path, "w", samplerate=sample_rate, channels=channels) as out:
        for start in range(0, len(data), 65536):
            out.write(data[start : start + 65536])
    return path
