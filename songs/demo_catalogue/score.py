"""What every demo style writes in: notes in seconds, a voice per channel, a timeline in beats."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

import numpy as np

# (start in s, end in s, MIDI channel 0-15, MIDI pitch, velocity 1-127)
Note = tuple[float, float, int, int, int]

DRUMS = 9  # General MIDI's percussion channel ("channel 10")
CHORD_QUALITIES = {
    "maj": (0, 4, 7),
    "min": (0, 3, 7),
    "sus2": (0, 2, 7),
    "7": (0, 4, 7, 10),
    "m7": (0, 3, 7, 10),
    "maj7": (0, 4, 7, 11),
}


class Voice(NamedTuple):
    """How a MIDI channel sounds: GM program (0-based; the drum kit on channel 9), CC7, CC10."""

    program: int
    volume: int = 100
    pan: int = 64


@dataclass
class Arrangement:
    """What a song plays: a voice per channel and its notes, times in seconds."""

    voices: dict[int, Voice]
    notes: list[Note]


class Timeline:
    """Collects notes placed in beats at a fixed tempo.

    ``swing`` is where the off-beat eighth falls within the beat: 0.5 is straight, 2/3 is the
    triplet swing of jazz.
    """

    def __init__(self, bpm: float, swing: float = 0.5) -> None:
        self.seconds_per_beat = 60.0 / bpm
        self.swing = swing
        self.notes: list[Note] = []

    def seconds(self, beat: float) -> float:
        whole, fraction = divmod(beat, 1.0)
        if fraction < 0.5:
            fraction *= self.swing / 0.5
        else:
            fraction = self.swing + (fraction - 0.5) * (1.0 - self.swing) / 0.5
        return (whole + fraction) * self.seconds_per_beat

    def add(self, beat: float, beats: float, channel: int, pitch: int, velocity: float) -> None:
        velocity = int(min(127, max(1, round(velocity))))
        self.notes.append(
            (self.seconds(beat), self.seconds(beat + beats), channel, pitch, velocity)
        )

    def bars(self, seconds: float) -> int:
        """Whole 4/4 bars that cover ``seconds`` (one more, so nothing ends early)."""
        return math.ceil(seconds / (4 * self.seconds_per_beat)) + 1


def melodic_channels(count: int) -> list[int]:
    """The first ``count`` channels that are not the drum channel (at most 15)."""
    return [channel for channel in range(16) if channel != DRUMS][:count]


def chord(root: int, quality: str) -> list[int]:
    """MIDI pitches of a chord in root position, e.g. ``chord(60, "maj7")`` -> C E G B."""
    return [root + interval for interval in CHORD_QUALITIES[quality]]


Option = TypeVar("Option")


def pick(rng: np.random.Generator, options: Sequence[Option]) -> Option:
    return options[int(rng.integers(len(options)))]
