"""A labelled demo catalogue, rendered deterministically from a seed with nothing downloaded.

Four styles are excerpts of real pieces from music21's bundled corpus (Bach chorales, classical
string quartets, fiddle tunes, renaissance polyphony); the others are grooves composed here by
rule (electronic, rock, swing jazz, reggae, bossa nova, ambient). Every song becomes a list of
notes, is played through the General MIDI SoundFont that pretty_midi ships (``TimGM6mb.sf2``) by
tinysoundfont, is brought to a common loudness and is written as Ogg Vorbis. The same seed gives
the same pieces, metadata and samples, so a demo set up twice is the same demo.

No Django here: the ``load_demo`` management command calls :func:`render_demo_catalogue`.
"""

import dataclasses
import importlib.resources
import json
import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, TypeVar

import music21
import numpy as np
import soundfile as sf
import tinysoundfont

# (start in s, end in s, MIDI channel 0-15, MIDI pitch, velocity 1-127)
Note = tuple[float, float, int, int, int]

DRUMS = 9  # General MIDI's percussion channel ("channel 10")
VORBIS_BLOCK_FRAMES = 65_536  # one sf.write of a long signal to Vorbis segfaults in libsndfile
TARGET_RMS = 0.1  # -20 dBFS: loud enough to hear, headroom for drum peaks
PEAK_CEILING = 0.89  # -1 dBFS, so that Vorbis overshoot stays below full scale

_CORPUS = Path(music21.__file__).parent / "corpus"
_QUALITIES = {
    "maj": (0, 4, 7),
    "min": (0, 3, 7),
    "sus2": (0, 2, 7),
    "7": (0, 4, 7, 10),
    "m7": (0, 3, 7, 10),
    "maj7": (0, 4, 7, 11),
}


@dataclass(frozen=True)
class DemoSong:
    """One rendered demo song and the metadata to import it with."""

    path: Path
    title: str
    artist: str
    album: str
    genre: str
    year: int | None
    # What is heard, as words (see INSTRUMENT_WORDS): ground truth for word search.
    instruments: tuple[str, ...] = ()


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
    return [root + interval for interval in _QUALITIES[quality]]


Option = TypeVar("Option")


def pick(rng: np.random.Generator, options: Sequence[Option]) -> Option:
    return options[int(rng.integers(len(options)))]


# --- Corpus pieces ----------------------------------------------------------------------------


class PartNote(NamedTuple):
    start: float  # quarter notes from the start of the piece
    end: float
    pitch: int


@dataclass
class Excerpt:
    """A corpus piece as note lists, ready to be played at a tempo."""

    parts: list[list[PartNote]]  # highest part first
    length: float  # quarter notes
    bar: float  # quarter notes per bar
    melody_key: music21.key.Key | None = None


def chorale_pieces() -> list[Path]:
    # Suffixed files (bwv248.42-4, bwv190.7-inst, ...) are versions with orchestral parts.
    return sorted(path for path in _CORPUS.glob("bach/bwv*.mxl") if "-" not in path.name)


def quartet_pieces() -> list[Path]:
    # Whole-quartet files (opus132.mxl, ...) take seconds to parse; the movement folders do not.
    folders = ["haydn/opus1no1", "haydn/opus74no1", "mozart/k80", "mozart/k155", "mozart/k156"]
    folders += ["mozart/k458", "beethoven/opus59no1", "beethoven/opus59no2", "beethoven/opus59no3"]
    folders += ["beethoven/opus18no1"]
    return sorted(path for folder in folders for path in _CORPUS.glob(f"{folder}/movement*.mxl"))


def fiddle_pieces() -> list[Path]:
    pattern = re.compile(r"(Reel|Jig|Hornpipe)(The)?\.abc$")
    return sorted(path for path in _CORPUS.glob("ryansMammoth/*.abc") if pattern.search(path.name))


def renaissance_pieces() -> list[Path]:
    return sorted(_CORPUS.glob("palestrina/*_*.krn")) + sorted(
        _CORPUS.glob("monteverdi/madrigal.*.mxl")
    )


_QUARTETS = {
    "haydn/opus1no1": ("String Quartet Op. 1 No. 1", "Joseph Haydn", 1762),
    "haydn/opus74no1": ("String Quartet Op. 74 No. 1", "Joseph Haydn", 1793),
    "mozart/k80": ("String Quartet in G major, K. 80", "W. A. Mozart", 1770),
    "mozart/k155": ("String Quartet in D major, K. 155", "W. A. Mozart", 1772),
    "mozart/k156": ("String Quartet in G major, K. 156", "W. A. Mozart", 1772),
    "mozart/k458": ("String Quartet in B-flat major, K. 458", "W. A. Mozart", 1784),
    "beethoven/opus18no1": ("String Quartet Op. 18 No. 1", "Ludwig van Beethoven", 1800),
    "beethoven/opus59no1": ("String Quartet Op. 59 No. 1", "Ludwig van Beethoven", 1806),
    "beethoven/opus59no2": ("String Quartet Op. 59 No. 2", "Ludwig van Beethoven", 1806),
    "beethoven/opus59no3": ("String Quartet Op. 59 No. 3", "Ludwig van Beethoven", 1806),
}
_ROMAN = ("I", "II", "III", "IV", "V", "VI")


def header_value(path: Path, prefix: str) -> str | None:
    """The first header line of a text score that starts with ``prefix``, without it."""
    with path.open(encoding="latin-1") as lines:
        for line in lines:
            if line.startswith(prefix):
                return line[len(prefix) :].strip()
    return None


def describe_piece(path: Path) -> tuple[str, str, int | None]:
    """(title, artist, year) of a corpus file, read from its name or header only (no parse)."""
    folder = path.parent.relative_to(_CORPUS).as_posix()
    if folder == "bach":
        return f"Chorale BWV {path.stem.removeprefix('bwv')}", "J. S. Bach (demo)", None
    if folder in _QUARTETS:
        work, composer, year = _QUARTETS[folder]
        movement = int(path.stem.removeprefix("movement"))
        return f"{work}: {_ROMAN[movement - 1]}", f"{composer} (demo)", year
    if folder == "ryansMammoth":
        raw = header_value(path, "T:") or path.stem
        words = " ".join(part.strip() for part in raw.split("--")).split()
        title = " ".join(word.capitalize() for word in words).rstrip(".,;")
        return title, "Traditional (demo)", None
    if folder == "palestrina":
        mass = header_value(path, "!!!OPR:") or "Missa"
        section = header_value(path, "!!!OTL:") or path.stem.split("_")[0]
        return f"{mass}: {section}", "G. P. da Palestrina (demo)", None
    book, number = path.stem.split(".")[1:3]
    return f"Madrigal, Book {book} No. {number}", "Claudio Monteverdi (demo)", 1592


def part_notes(part: music21.stream.Part) -> list[PartNote]:
    """The sounding notes of one part, tied notes merged, grace notes and chord symbols left out."""
    notes: list[PartNote] = []
    open_ties: dict[int, int] = {}  # pitch -> index in notes of the note a tie continues
    for element in part.flatten().notes:
        if isinstance(element, music21.harmony.ChordSymbol) or element.quarterLength <= 0:
            continue
        start = float(element.offset)
        end = start + float(element.quarterLength)
        members = element.notes if isinstance(element, music21.chord.Chord) else (element,)
        for member in members:
            pitch = member.pitch.midi
            tie = member.tie or element.tie
            continues = tie is not None and tie.type in ("stop", "continue")
            if continues and pitch in open_ties:
                index = open_ties[pitch]
                notes[index] = notes[index]._replace(end=end)
            else:
                notes.append(PartNote(start, end, pitch))
                index = len(notes) - 1
            if tie is not None and tie.type in ("start", "continue"):
                open_ties[pitch] = index
            else:
                open_ties.pop(pitch, None)
    return notes


def load_excerpt(path: Path, *, with_key: bool = False) -> tuple[Excerpt, list[float]]:
    """Parse a corpus file into parts (highest first) and the offsets of its bars (quarters)."""
    # forceSource: music21 would otherwise pickle every parsed file into its scratch folder.
    score = music21.converter.parse(path, forceSource=True)
    if isinstance(score, music21.stream.Opus):
        score = score.scores[0]
    parts = [notes for notes in (part_notes(part) for part in score.parts) if notes]
    parts.sort(key=lambda notes: -float(np.mean([note.pitch for note in notes])))
    length = max(note.end for notes in parts for note in notes)
    bars = [float(bar.offset) for bar in score.parts[0].getElementsByClass("Measure")]
    meter = score.recurse().getElementsByClass(music21.meter.TimeSignature).first()
    bar = float(meter.barDuration.quarterLength) if meter is not None else 4.0
    melody_key = score.analyze("key") if with_key else None
    return Excerpt(parts, length, bar, melody_key), bars or [0.0]


def tempo_for(excerpt: Excerpt, seconds_per_note: float) -> float:
    """Quarter-note bpm at which the piece's median note lasts ``seconds_per_note``.

    The corpus files carry no real tempo, and one fixed bpm would rush a slow movement written in
    long notes; scaling by note density gives each excerpt a plausible pace.
    """
    median = float(np.median([note.end - note.start for notes in excerpt.parts for note in notes]))
    return float(np.clip(60.0 * median / seconds_per_note, 40.0, 240.0))


def window(
    excerpt: Excerpt, bars: list[float], rng: np.random.Generator, quarters: float
) -> Excerpt:
    """``quarters`` of the piece from a random bar, looped from its start when it runs out."""
    latest = excerpt.length - quarters
    starts = [bar for bar in bars if bar <= latest] or [0.0]
    start = pick(rng, starts)
    loops = math.ceil((start + quarters) / excerpt.length)
    parts = []
    for notes in excerpt.parts:
        shifted = [
            PartNote(
                note.start + k * excerpt.length - start,
                note.end + k * excerpt.length - start,
                note.pitch,
            )
            for k in range(loops)
            for note in notes
        ]
        parts.append([note for note in shifted if note.end > 0 and note.start < quarters])
    return Excerpt(parts, quarters, excerpt.bar, excerpt.melody_key)


def play_parts(
    excerpt: Excerpt,
    timeline: Timeline,
    channels: list[int],
    rng: np.random.Generator,
    *,
    velocity: int,
    transpose: int = 0,
) -> None:
    """Put each part on its channel; the top part a little louder, as a player would."""
    for index, (notes, channel) in enumerate(zip(excerpt.parts, channels, strict=False)):
        accent = 8 if index == 0 else 0
        for note in notes:
            start = max(note.start, 0.0)
            loudness = velocity + accent + rng.integers(-6, 7)
            timeline.add(start, note.end - start, channel, note.pitch + transpose, loudness)


def corpus_timeline(
    path: Path,
    rng: np.random.Generator,
    seconds: float,
    seconds_per_note: tuple[float, float],
    *,
    with_key: bool = False,
) -> tuple[Excerpt, Timeline]:
    """``seconds`` of a corpus piece (and one beat more) at a tempo set by its note density."""
    excerpt, bars = load_excerpt(path, with_key=with_key)
    timeline = Timeline(tempo_for(excerpt, rng.uniform(*seconds_per_note)))
    quarters = seconds / timeline.seconds_per_beat + 1.0
    return window(excerpt, bars, rng, quarters), timeline


def arrange_chorale(path: Path, rng: np.random.Generator, seconds: float) -> Arrangement:
    """Four voices on church organ, the bass doubled an octave down as a 16-foot pedal would."""
    # Chorales move in quarter notes, but passing eighths fool a tempo taken from note density.
    excerpt, bars = load_excerpt(path)
    timeline = Timeline(rng.uniform(60, 80))
    excerpt = window(excerpt, bars, rng, seconds / timeline.seconds_per_beat + 1.0)
    transpose = int(rng.integers(-2, 3))
    *channels, pedal = melodic_channels(len(excerpt.parts) + 1)
    play_parts(excerpt, timeline, channels, rng, velocity=90, transpose=transpose)
    for note in excerpt.parts[-1]:
        start = max(note.start, 0.0)
        timeline.add(start, note.end - start, pedal, note.pitch + transpose - 12, 80)
    pans = np.linspace(40, 88, len(channels)).round().astype(int)
    voices = {channel: Voice(19, 95, int(pan)) for channel, pan in zip(channels, pans, strict=True)}
    voices[pedal] = Voice(19, 80)
    return Arrangement(voices, timeline.notes)


def arrange_quartet(path: Path, rng: np.random.Generator, seconds: float) -> Arrangement:
    """Violins, viola and cello by the parts' pitch, seated left to right."""
    excerpt, timeline = corpus_timeline(path, rng, seconds, (0.22, 0.36))
    channels = melodic_channels(len(excerpt.parts))
    play_parts(excerpt, timeline, channels, rng, velocity=92, transpose=int(rng.integers(-1, 2)))
    seating = [Voice(40, 105, 34), Voice(40, 100, 54), Voice(41, 100, 76), Voice(42, 105, 94)]
    return Arrangement(dict(zip(channels, seating, strict=False)), timeline.notes)


def harmonise(melody: list[PartNote], key: music21.key.Key, span: float) -> list[list[int]]:
    """Per ``span`` quarters, the primary triad holding most of the melody: a folk guitarist's
    choice. Returns pitch classes per span."""
    tonic = key.tonic.pitchClass
    if key.mode == "minor":
        options = [(0, "min"), (5, "min"), (7, "maj"), (10, "maj"), (3, "maj")]
    else:
        options = [(0, "maj"), (5, "maj"), (7, "maj"), (9, "min")]
    triads = [[(tonic + root + i) % 12 for i in _QUALITIES[quality]] for root, quality in options]
    spans = math.ceil(max(note.end for note in melody) / span)
    weights = np.zeros((spans, len(triads)))
    for note in melody:
        first, last = int(max(note.start, 0) // span), int((note.end - 1e-6) // span)
        for index in range(first, min(last, spans - 1) + 1):
            overlap = min(note.end, (index + 1) * span) - max(note.start, index * span)
            for t, triad in enumerate(triads):
                if note.pitch % 12 in triad:
                    weights[index, t] += overlap
    # Ties go to the earlier option, so the tonic wins when the melody says nothing.
    return [triads[int(np.argmax(row))] for row in weights]


def arrange_fiddle(path: Path, rng: np.random.Generator, seconds: float) -> Arrangement:
    """The tune on fiddle (an accordion doubling it half the time), a guitar's boom-chick under."""
    excerpt, timeline = corpus_timeline(path, rng, seconds, (0.14, 0.17), with_key=True)
    melody = excerpt.parts[0]
    play_parts(excerpt, timeline, [0], rng, velocity=100)
    voices = {0: Voice(110, 110, 54)}
    if rng.random() < 0.5:
        for note in melody:
            start = max(note.start, 0.0)
            timeline.add(start, note.end - start, 1, note.pitch, 80)
        voices[1] = Voice(21, 100, 80)
    # A chord per bar of a jig (two dotted beats), per half bar of a reel or hornpipe.
    span = excerpt.bar if excerpt.bar <= 3 else excerpt.bar / 2
    for index, triad in enumerate(harmonise(melody, excerpt.melody_key, span)):
        bass = 40 + (triad[0] - 40) % 12
        timeline.add(index * span, span / 2, 2, bass, 85)
        voicing = sorted(52 + (pc - 52) % 12 for pc in triad)
        for pitch in voicing:
            timeline.add(index * span + span / 2, span / 2 * 0.8, 2, pitch, 70)
    voices[2] = Voice(25, 110, 74)
    return Arrangement(voices, timeline.notes)


def arrange_renaissance(path: Path, rng: np.random.Generator, seconds: float) -> Arrangement:
    """Unaccompanied voices: choir aahs above, oohs in the lower parts."""
    excerpt, timeline = corpus_timeline(path, rng, seconds, (0.7, 0.95))
    channels = melodic_channels(len(excerpt.parts))
    play_parts(excerpt, timeline, channels, rng, velocity=88, transpose=int(rng.integers(-2, 3)))
    pans = np.linspace(36, 92, len(channels)).round().astype(int)
    # Voice oohs are softer than aahs, hence the higher channel volume for the lower parts.
    upper = [Voice(52, 100, int(pan)) for pan in pans[: (len(channels) + 1) // 2]]
    lower = [Voice(53, 125, int(pan)) for pan in pans[(len(channels) + 1) // 2 :]]
    voices = dict(zip(channels, upper + lower, strict=True))
    return Arrangement(voices, timeline.notes)


# --- Generated grooves ------------------------------------------------------------------------
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


# --- Ground truth -----------------------------------------------------------------------------

# General MIDI programs (0-based) by the word a listener would use for them. Programs without a
# common word (chromatic percussion, sound effects, most ethnic instruments) have none.
INSTRUMENT_WORDS: tuple[tuple[range, tuple[str, ...]], ...] = (
    (range(0, 6), ("piano",)),
    (range(6, 7), ("harpsichord",)),
    (range(16, 21), ("organ",)),
    (range(21, 22), ("accordion",)),
    (range(22, 23), ("harmonica",)),
    (range(23, 24), ("accordion",)),
    (range(24, 32), ("guitar",)),
    (range(32, 40), ("bass",)),
    (range(40, 41), ("violin", "strings")),
    (range(41, 42), ("strings",)),
    (range(42, 43), ("cello", "strings")),
    (range(43, 46), ("strings",)),
    (range(46, 47), ("harp",)),
    (range(48, 52), ("strings",)),
    (range(52, 55), ("choir",)),
    (range(56, 64), ("brass",)),
    (range(64, 68), ("saxophone",)),
    (range(68, 72), ("woodwind",)),
    (range(72, 80), ("flute",)),
    (range(80, 104), ("synth",)),
    (range(104, 105), ("sitar",)),
    (range(110, 111), ("violin",)),  # "Fiddle"
)
GROUND_TRUTH_FILE = "ground-truth.json"


def instrument_words(arrangement: Arrangement, seconds: float) -> tuple[str, ...]:
    """The instruments heard in the first ``seconds`` of an arrangement, as words: the General
    MIDI program of every channel that plays a note, and "drums" for the drum channel."""
    playing = {channel for start, _, channel, _, _ in arrangement.notes if start < seconds}
    words = set()
    for channel in playing:
        if channel == DRUMS:
            words.add("drums")
            continue
        program = arrangement.voices[channel].program
        for programs, names in INSTRUMENT_WORDS:
            if program in programs:
                words.update(names)
    return tuple(sorted(words))


def read_ground_truth(out_dir: Path) -> dict[str, dict]:
    """The demo folder's ground truth: {file name: {"style": genre, "instruments": [words]}}."""
    path = Path(out_dir) / GROUND_TRUTH_FILE
    if not path.is_file():
        return {}
    return json.loads(path.read_text())


# --- The catalogue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CorpusStyle:
    genre: str
    album: str
    pieces: Callable[[], list[Path]]
    arrange: Callable[[Path, np.random.Generator, float], Arrangement]


@dataclass(frozen=True)
class GrooveStyle:
    genre: str
    artist: str
    arrange: Callable[[np.random.Generator, float], Arrangement]


_STYLES: tuple[CorpusStyle | GrooveStyle, ...] = (
    CorpusStyle("Chorale", "Four-Part Chorales (demo)", chorale_pieces, arrange_chorale),
    CorpusStyle("String Quartet", "String Quartets (demo)", quartet_pieces, arrange_quartet),
    CorpusStyle("Fiddle Tune", "Ryan's Mammoth Collection (demo)", fiddle_pieces, arrange_fiddle),
    CorpusStyle(
        "Renaissance", "Renaissance Polyphony (demo)", renaissance_pieces, arrange_renaissance
    ),
    GrooveStyle("Electronic", "Demo Electronic Ensemble", arrange_electronic),
    GrooveStyle("Rock", "The Demo Power Trio", arrange_rock),
    GrooveStyle("Swing Jazz", "Demo Swing Quartet", arrange_swing),
    GrooveStyle("Reggae", "Demo Riddim Section", arrange_reggae),
    GrooveStyle("Bossa Nova", "Demo Bossa Trio", arrange_bossa),
    GrooveStyle("Ambient", "Demo Ambient Orchestra", arrange_ambient),
)
STYLES: tuple[str, ...] = tuple(style.genre for style in _STYLES)

_ADJECTIVES = (
    "Velvet", "Neon", "Quiet", "Golden", "Restless", "Blue", "Electric", "Paper", "Midnight",
    "Copper", "Hollow", "Silver", "Crooked", "Open", "Slow", "Bright",
)  # fmt: skip
_NOUNS = (
    "Circuit", "Harbour", "Orchard", "Engine", "Lantern", "Horizon", "Avenue", "Signal", "Garden",
    "River", "Mirror", "Station", "Meadow", "Skyline", "Ember", "Tide",
)  # fmt: skip


class SongPlan(NamedTuple):
    """Everything about a song that is known before rendering it."""

    song: DemoSong
    style: CorpusStyle | GrooveStyle
    piece: Path | None
    music_seed: tuple[int, ...]


def plan_catalogue(out_dir: Path, seed: int, songs_per_style: int) -> list[SongPlan]:
    """Pick the piece, title and file name of every song; cheap, so reused files cost nothing.

    Each song draws from its own random stream keyed by (seed, style, index), so a song does not
    change when ``songs_per_style`` does.
    """
    plans = []
    for style_index, style in enumerate(_STYLES):
        slug = re.sub(r"[^a-z0-9]+", "-", style.genre.lower())
        if isinstance(style, CorpusStyle):
            pool = style.pieces()
            order = np.random.default_rng([seed, style_index]).permutation(len(pool))
        for index in range(songs_per_style):
            path = out_dir / f"{slug}-s{seed}-{index + 1:03d}.ogg"
            if isinstance(style, CorpusStyle):
                # Past the end of the pool a piece comes back, at another bar and tempo.
                piece = pool[order[index % len(pool)]]
                title, artist, year = describe_piece(piece)
                song = DemoSong(path, title, artist, style.album, style.genre, year)
            else:
                piece = None
                names = np.random.default_rng([seed, style_index, index, 0])
                title = f"{pick(names, _ADJECTIVES)} {pick(names, _NOUNS)} #{index + 1}"
                album = f"Neural Notes Demo: {style.genre}"
                song = DemoSong(path, title, style.artist, album, style.genre, None)
            plans.append(SongPlan(song, style, piece, (seed, style_index, index, 1)))
    return plans


def arrange(plan: SongPlan, seconds: float) -> Arrangement:
    rng = np.random.default_rng(plan.music_seed)
    if isinstance(plan.style, CorpusStyle):
        return plan.style.arrange(plan.piece, rng, seconds)
    return plan.style.arrange(rng, seconds)


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


def render_demo_catalogue(
    out_dir: Path,
    *,
    seed: int = 0,
    songs_per_style: int = 25,
    seconds: float = 30.0,
    sample_rate: int = 22050,
    progress: Callable[[int, int], None] | None = None,
) -> list[DemoSong]:
    """Render ``songs_per_style`` songs of every style in ``STYLES`` into ``out_dir``.

    Each song is ``seconds`` long (s) at ``sample_rate`` (Hz), stereo Ogg Vorbis, named
    ``<style>-s<seed>-<nnn>.ogg``; a file of that name, length and rate already in ``out_dir`` is
    kept, not rendered again. Every song's style and instruments (``instrument_words``) are
    written to ``out_dir/ground-truth.json`` as well (``read_ground_truth``). ``seed`` (a
    non-negative integer) decides pieces, keys, tempi, instruments and titles: the same seed
    gives the same metadata and the same decoded samples.
    ``progress(done, total)`` is called after each song. Returns the songs in style order.
    """
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plans = plan_catalogue(out_dir, seed, songs_per_style)
    soundfont = (importlib.resources.files("pretty_midi") / "TimGM6mb.sf2").read_bytes()
    frames = round(seconds * sample_rate)
    known = read_ground_truth(out_dir)
    songs = []
    for done, plan in enumerate(plans, start=1):
        name = plan.song.path.name
        rendered = is_rendered(plan.song.path, frames, sample_rate)
        if rendered and name in known:
            instruments = tuple(known[name]["instruments"])
        else:
            arrangement = arrange(plan, seconds)
            instruments = instrument_words(arrangement, seconds)
            if not rendered:
                audio = synthesise(arrangement, soundfont, seconds, sample_rate)
                write_vorbis(plan.song.path, master(audio, sample_rate), sample_rate)
        songs.append(dataclasses.replace(plan.song, instruments=instruments))
        if progress is not None:
            progress(done, len(plans))
    truth = {
        **known,
        **{s.path.name: {"style": s.genre, "instruments": list(s.instruments)} for s in songs},
    }
    (out_dir / GROUND_TRUTH_FILE).write_text(json.dumps(truth, indent=1, sort_keys=True))
    return songs
