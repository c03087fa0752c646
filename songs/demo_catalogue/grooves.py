"""Grooves composed by rule (electronic, rock, swing jazz, reggae, bossa nova, ambient).

Each ``arrange_*`` takes a seeded generator and a length in seconds and returns an
:class:`~songs.demo_catalogue.score.Arrangement`: drums, bass, chords and a lead as the style has
them, with tempo, key, progression and instruments drawn from the generator.
"""

import math

import numpy as np

from songs.demo_catalogue.score import DRUMS, Arrangement, Timeline, Voice, chord, pick

# Drum notes of General MIDI's percussion map.
KICK, SIDE_STICK, SNARE, CLAP, CLOSED_HAT, PEDAL_HAT, OPEN_HAT = 36, 37, 38, 39, 42, 44, 46
LOW_TOM, MID_TOM, HIGH_TOM, CRASH, RIDE, CABASA = 45, 47, 50, 49, 51, 69


def arrange_electronic(rng: np.random.Generator, seconds: float) -> Arrangement:
    """Four-on-the-floor: kick every beat, open hats off the beat, pumping synth bass, a pad, and
    a sixteenth-note saw arpeggio from the fifth bar on."""
    timeline = Timeline(rng.uniform(120, 128))
    key = 45 + int(rng.integers(12))
    progression = pick(
        rng,
        [
            [(0, "min"), (8, "maj"), (3, "maj"), (10, "maj")],
            [(0, "min"), (5, "min"), (10, "maj"), (3, "maj")],
            [(0, "min"), (0, "min"), (8, "maj"), (10, "maj")],
        ],
    )
    arpeggio = rng.integers(0, 4, size=8)
    for bar in range(timeline.bars(seconds)):
        root, quality = progression[bar % len(progression)]
        tones = chord(key + root, quality)
        tones.append(tones[0] + 12)
        start = bar * 4
        for beat in range(4):
            timeline.add(start + beat, 0.5, DRUMS, KICK, 120)
            timeline.add(start + beat + 0.5, 0.25, DRUMS, OPEN_HAT, 80)
            for sixteenth in (0.25, 0.75):
                timeline.add(start + beat + sixteenth, 0.1, DRUMS, CLOSED_HAT, 55)
            timeline.add(start + beat + 0.5, 0.4, 1, tones[0] - 12, 105)
        for beat in (1, 3):
            timeline.add(start + beat, 0.25, DRUMS, CLAP, 105)
        for pitch in tones[:3]:
            timeline.add(start, 4, 2, pitch + 12, 60)
        if bar >= 4:
            for step in range(16):
                pitch = tones[arpeggio[step % 8]] + 24
                timeline.add(start + step / 4, 0.2, 3, pitch, 100 + 15 * (step % 4 == 0))
    voices = {
        DRUMS: Voice(pick(rng, [24, 25]), 110),
        1: Voice(pick(rng, [38, 39]), 110),
        2: Voice(pick(rng, [89, 90, 94]), 85, 40),
        3: Voice(pick(rng, [80, 81]), 105, 88),
    }
    return Arrangement(voices, timeline.notes)


def arrange_rock(rng: np.random.Generator, seconds: float) -> Arrangement:
    """Distorted power chords in eighths over a backbeat, bass locked to the guitar, a tom fill
    and a crash every fourth bar."""
    timeline = Timeline(rng.uniform(100, 140))
    key = 40 + int(rng.integers(8))
    progression = pick(rng, [[0, 7, 9, 5], [0, 10, 5, 0], [0, 8, 10, 0], [0, 5, 7, 5]])
    for bar in range(timeline.bars(seconds)):
        root = 40 + (key - 40 + progression[bar % 4]) % 12  # low enough for power chords
        start = bar * 4
        for eighth in range(8):
            beat = start + eighth / 2
            accent = 20 if eighth % 2 == 0 else 0
            for pitch in (root, root + 7, root + 12):
                timeline.add(beat, 0.45, 0, pitch, 85 + accent)
            timeline.add(beat, 0.45, 1, root - 12, 100 + accent / 2)
            timeline.add(beat, 0.2, DRUMS, CLOSED_HAT, 70 + accent)
        for beat in (0, 2, 2.5):
            timeline.add(start + beat, 0.5, DRUMS, KICK, 115)
        fill = bar % 4 == 3
        for beat in (1, 3) if not fill else (1,):
            timeline.add(start + beat, 0.5, DRUMS, SNARE, 115)
        if fill:
            for step, tom in enumerate((SNARE, HIGH_TOM, HIGH_TOM, MID_TOM, MID_TOM, LOW_TOM)):
                timeline.add(start + 2.5 + step / 4, 0.25, DRUMS, tom, 100 + 3 * step)
        if bar % 4 == 0:
            timeline.add(start, 1, DRUMS, CRASH, 110)
    voices = {
        0: Voice(pick(rng, [29, 30]), 100, 44),
        1: Voice(pick(rng, [33, 34]), 110, 70),
        DRUMS: Voice(pick(rng, [0, 16]), 115),
    }
    return Arrangement(voices, timeline.notes)


def walking_line(tones: list[int], next_root: int, rng: np.random.Generator) -> list[int]:
    """Four quarter notes: the root, two chord tones, then a half step into the next root."""
    low = [pitch - 12 for pitch in tones]
    middle = [int(pick(rng, low[1:] + [low[0] + 12])) for _ in range(2)]
    approach = next_root - 12 + pick(rng, [-1, 1])
    return [low[0], *middle, approach]


def arrange_swing(rng: np.random.Generator, seconds: float) -> Arrangement:
    """A trio plus horn at about 140 bpm in triplet swing: ride "ding, ding-a", hi-hat on two
    and four, walking bass, piano comping rootless voicings, and a soloing vibraphone or sax."""
    timeline = Timeline(rng.uniform(130, 165), swing=2 / 3)
    key = 48 + int(rng.integers(12))
    progression = pick(
        rng,
        [
            [(2, "m7"), (7, "7"), (0, "maj7"), (9, "7")],
            [(0, "maj7"), (9, "m7"), (2, "m7"), (7, "7")],
            [(0, "maj7"), (5, "7"), (4, "m7"), (9, "7")],
        ],
    )
    bars = timeline.bars(seconds)
    for bar in range(bars):
        root, quality = progression[bar % 4]
        tones = chord(key + root, quality)
        next_root = key + progression[(bar + 1) % 4][0]
        start = bar * 4
        for beat in (0, 1, 1.5, 2, 3, 3.5):
            timeline.add(start + beat, 0.5, DRUMS, RIDE, 105 if beat % 1 == 0 else 85)
        for beat in range(4):
            timeline.add(start + beat, 0.3, DRUMS, KICK, 35)
        for beat in (1, 3):
            timeline.add(start + beat, 0.3, DRUMS, PEDAL_HAT, 80)
        for beat, pitch in enumerate(walking_line(tones, next_root, rng)):
            timeline.add(start + beat, 0.9, 1, pitch, 100)
        voicing = [tones[1], tones[3], tones[0] + 14]  # third, seventh, ninth: no root
        for beat, beats in pick(
            rng, [[(0, 1.0), (1.5, 0.5)], [(0.5, 0.5), (2.5, 1.0)], [(1.5, 0.5), (3.5, 0.5)]]
        ):
            for pitch in voicing:
                timeline.add(start + beat, beats, 0, pitch, 95)
        if bar % 8 >= 2:
            scale = sorted({pitch + 12 * octave for pitch in tones for octave in (0, 1)})
            position = int(rng.integers(len(scale)))
            for eighth in range(8):
                if rng.random() < 0.3:
                    continue
                position = int(np.clip(position + pick(rng, [-2, -1, 1, 2]), 0, len(scale) - 1))
                timeline.add(start + eighth / 2, 0.45, 2, scale[position], 80 + 15 * (eighth % 2))
    voices = {
        DRUMS: Voice(pick(rng, [32, 40]), 125),
        0: Voice(0, 115, 44),
        1: Voice(32, 95, 64),
        2: Voice(pick(rng, [11, 66, 65]), 95, 84),
    }
    return Arrangement(voices, timeline.notes)


def arrange_reggae(rng: np.random.Generator, seconds: float) -> Arrangement:
    """One drop (kick and rim on three, nothing on one), the guitar's skank on two and four, the
    organ's off-beat bubble, and a deep, round bass line."""
    timeline = Timeline(rng.uniform(70, 84), swing=0.56)
    key = 43 + int(rng.integers(12))
    progression = pick(
        rng,
        [
            [(0, "maj"), (0, "maj"), (5, "maj"), (5, "maj")],
            [(0, "min"), (5, "min"), (0, "min"), (5, "min")],
            [(0, "maj"), (10, "maj"), (5, "maj"), (0, "maj")],
        ],
    )
    bass_rhythm = pick(
        rng,
        [
            [(0, 0), (1.5, 2), (2.5, 1), (3, 0)],
            [(0.5, 0), (2, 2), (2.5, 3)],
        ],
    )
    for bar in range(timeline.bars(seconds)):
        root, quality = progression[bar % 4]
        tones = chord(key + root, quality)
        start = bar * 4
        for eighth in range(8):
            hat = OPEN_HAT if eighth == 7 else CLOSED_HAT
            timeline.add(start + eighth / 2, 0.2, DRUMS, hat, 80 + 25 * (eighth % 2))
        timeline.add(start + 2, 0.5, DRUMS, KICK, 115)
        timeline.add(start + 2, 0.5, DRUMS, SIDE_STICK, 110)
        for beat in (1, 3):
            for pitch in tones:
                timeline.add(start + beat, 0.2, 0, pitch + 12, 115)
        for beat in range(4):
            for pitch in tones:
                timeline.add(start + beat + 0.5, 0.3, 1, pitch, 90)
        bass_tones = [*tones[:3], tones[0] + 12]
        # Legato: each bass note rings until just before the next one, across the bar line.
        onsets = [beat for beat, _ in bass_rhythm] + [bass_rhythm[0][0] + 4]
        for (beat, tone), following in zip(bass_rhythm, onsets[1:], strict=True):
            timeline.add(start + beat, following - beat - 0.1, 2, bass_tones[tone] - 12, 110)
    voices = {
        DRUMS: Voice(0, 125),
        0: Voice(pick(rng, [27, 28]), 120, 84),
        1: Voice(pick(rng, [16, 17]), 105, 44),
        2: Voice(pick(rng, [33, 38]), 95),
    }
    return Arrangement(voices, timeline.notes)


def arrange_bossa(rng: np.random.Generator, seconds: float) -> Arrangement:
    """Nylon guitar with the thumb on one and three and syncopated chords, rim clicks in the
    bossa clave, soft shaker, upright bass, and a flute line over the changes."""
    timeline = Timeline(rng.uniform(128, 148))
    key = 48 + int(rng.integers(12))
    progression = pick(
        rng,
        [
            [(0, "maj7"), (0, "maj7"), (2, "m7"), (7, "7")],
            [(2, "m7"), (7, "7"), (0, "maj7"), (0, "maj7")],
            [(0, "maj7"), (9, "m7"), (2, "m7"), (7, "7")],
        ],
    )
    clave = [(0.0, 1.5, 3.0), (1.0, 2.5)]
    chords_at = [(0.0, 1.5, 2.5), (0.5, 1.5, 3.0)]
    for bar in range(timeline.bars(seconds)):
        root, quality = progression[bar % 4]
        tones = chord(key + root, quality)
        start = bar * 4
        for beat in clave[bar % 2]:
            timeline.add(start + beat, 0.25, DRUMS, SIDE_STICK, 90)
        for sixteenth in range(16):
            timeline.add(start + sixteenth / 4, 0.1, DRUMS, CABASA, 45 + 25 * (sixteenth % 4 == 2))
        for beat in (0, 2):
            timeline.add(start + beat, 0.5, DRUMS, KICK, 60)
        low_root = 40 + (tones[0] - 40) % 12  # E2 and up: the guitar's lowest string
        low_fifth = low_root + 7 if low_root + 7 <= 52 else low_root - 5
        for beat, pitch in ((0, low_root), (2, low_fifth)):
            timeline.add(start + beat, 1.0, 0, pitch, 80)
            timeline.add(start + beat, 1.4, 1, pitch - 12, 95)
        for beat in chords_at[bar % 2]:
            for pitch in tones[1:]:
                timeline.add(start + beat, 0.45, 0, pitch, 65)
        if bar % 4 != 3:
            scale = [pitch + 12 for pitch in tones] + [tones[0] + 24]
            for beat in (0, 1.5, 2.5):
                if rng.random() < 0.8:
                    timeline.add(start + beat, 1.0, 2, int(pick(rng, scale)), 80)
    voices = {
        0: Voice(24, 110, 52),
        1: Voice(32, 100, 64),
        2: Voice(pick(rng, [73, 71, 65]), 105, 84),
        DRUMS: Voice(pick(rng, [0, 40]), 110),
    }
    return Arrangement(voices, timeline.notes)


def arrange_ambient(rng: np.random.Generator, seconds: float) -> Arrangement:
    """No drums: slow overlapping pad chords, a low drone and sparse pentatonic bells."""
    timeline = Timeline(rng.uniform(60, 76))
    key = 48 + int(rng.integers(12))
    progression = pick(
        rng,
        [
            [(0, "sus2"), (5, "maj"), (9, "min"), (7, "sus2")],
            [(0, "maj7"), (4, "m7"), (5, "maj7"), (0, "maj7")],
            [(0, "min"), (8, "maj"), (3, "maj"), (10, "sus2")],
        ],
    )
    pentatonic = [key + 12 + step for step in (0, 2, 4, 7, 9, 12, 14, 16)]
    bars = timeline.bars(seconds)
    for chord_index in range(math.ceil(bars / 2)):
        root, quality = progression[chord_index % 4]
        tones = chord(key + root, quality)
        start = chord_index * 8
        for pitch in (tones[0] - 12, *tones, tones[1] + 12):
            timeline.add(start, 9, 0, pitch, 70)
        timeline.add(start, 8, 1, key - 12, 75)
    for eighth in range(bars * 8):
        if rng.random() < 0.12:
            timeline.add(eighth / 2, 3, 2, int(pick(rng, pentatonic)), 90 + rng.integers(30))
    voices = {
        0: Voice(pick(rng, [88, 89, 91, 94]), 100),
        1: Voice(pick(rng, [48, 49, 95]), 105),
        2: Voice(pick(rng, [8, 10, 11, 98]), 127, int(rng.integers(30, 98))),
    }
    return Arrangement(voices, timeline.notes)
