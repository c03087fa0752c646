"""Audio made in code for the ml tests: tones, noise, chords, a rock-ish band, a long song."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from ml.backbone import MusicnnBackbone, load_backbone


class Synth:
    """Signal generators: float32 arrays, (n,) mono or (n, 2) stereo, amplitude within [-1, 1]."""

    @staticmethod
    def tone(seconds: float, sr: int, freq: float = 440.0, amplitude: float = 0.5) -> np.ndarray:
        t = np.arange(int(seconds * sr)) / sr
        return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)

    @staticmethod
    def noise(seconds: float, sr: int, amplitude: float = 0.3, seed: int = 0) -> np.ndarray:
        rng = np.random.default_rng(seed)
        return (amplitude * rng.standard_normal(int(seconds * sr))).clip(-1, 1).astype(np.float32)

    @staticmethod
    def chord(
        seconds: float, sr: int, freqs: tuple[float, ...] = (220.0, 277.18, 329.63)
    ) -> np.ndarray:
        t = np.arange(int(seconds * sr)) / sr
        harmonics = sum(np.sin(2 * np.pi * f * k * t) / k for f in freqs for k in (1, 2, 3))
        return (0.5 * harmonics / np.abs(harmonics).max()).astype(np.float32)

    @staticmethod
    def rock(seconds: float, sr: int, seed: int = 0, bpm: float = 120.0) -> np.ndarray:
        """Distorted power chords, kick, snare and hi-hat: (n, 2)."""
        rng = np.random.default_rng(seed)
        t = np.arange(int(seconds * sr)) / sr
        beat = 60.0 / bpm
        in_beat = t % beat
        roots = np.array([82.41, 110.0, 146.83, 130.81])[rng.permutation(4)]
        root = roots[(t // (2 * beat)).astype(int) % 4]
        phase = np.cumsum(root) / sr
        saw = sum(
            np.sin(2 * np.pi * k * phase) / k + np.sin(2 * np.pi * 1.5 * k * phase) / k
            for k in range(1, 7)
        )
        guitar = 0.35 * np.tanh(3 * saw)
        beat_index = (t // beat).astype(int)
        kick = (beat_index % 2 == 0) * np.exp(-in_beat * 18) * np.sin(2 * np.pi * 55 * in_beat)
        snare = (beat_index % 2 == 1) * np.exp(-in_beat * 22) * rng.standard_normal(len(t))
        hat = np.exp(-(t % (beat / 2)) * 90) * np.diff(rng.standard_normal(len(t) + 1))
        mono = guitar + 0.6 * kick + 0.3 * snare + 0.1 * hat
        stereo = np.stack([mono + 0.05 * hat, mono - 0.05 * hat], axis=1)
        return (0.9 * stereo / np.abs(stereo).max()).astype(np.float32)

    @staticmethod
    def song(seconds: float, sr: int, seed: int = 0) -> np.ndarray:
        """Sections of 9-15 s alternating chords, band, melody and noise texture: (n, 2)."""
        rng = np.random.default_rng(seed)
        parts, total = [], 0.0
        while total < seconds:
            length = min(float(rng.uniform(9, 15)), seconds - total)
            kind = len(parts) % 4
            if kind == 0:
                part = Synth.chord(length, sr, tuple(rng.uniform(180, 400, 3)))
            elif kind == 1:
                part = Synth.rock(length, sr, seed=int(rng.integers(1 << 30))).mean(axis=1)
            elif kind == 2:
                part = Synth.tone(length, sr, float(rng.uniform(300, 900)), 0.4)
            else:
                part = Synth.noise(length, sr, 0.15, seed=int(rng.integers(1 << 30)))
            parts.append(part)
            total += length
        mono = np.concatenate(parts)
        return np.stack([mono, 0.9 * mono], axis=1)


@pytest.fixture
def synth() -> type[Synth]:
    return Synth


@pytest.fixture
def write_audio(tmp_path: Path):
    """Write samples to tmp_path/name in 65,536-frame blocks.

    One sf.write of a long signal crashes libsndfile's Vorbis encoder; block writes do not.
    """

    def write(name: str, samples: np.ndarray, sr: int, **soundfile_options) -> Path:
        path = tmp_path / name
        channels = 1 if samples.ndim == 1 else samples.shape[1]
        with sf.SoundFile(path, "w", sr, channels, **soundfile_options) as out:
            for first in range(0, len(samples), 65536):
                out.write(samples[first : first + 65536])
        return path

    return write


@pytest.fixture(scope="session")
def backbone() -> MusicnnBackbone:
    return load_backbone()
