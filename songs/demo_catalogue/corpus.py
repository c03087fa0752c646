"""Excerpts of real pieces from music21's bundled corpus, arranged for General MIDI voices.

Chorales, string quartets, fiddle tunes and renaissance polyphony: the corpus gives the notes,
the arrangement gives the instruments, a tempo and a window of bars chosen from a seed.
"""

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import music21
import numpy as np

from songs.demo_catalogue.score import (
    CHORD_QUALITIES,
    Arrangement,
    Timeline,
    Voice,
    melodic_channels,
    pick,
)

_CORPUS = Path(music21.__file__).parent / "corpus"


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
    triads = [
        [(tonic + root + i) % 12 for i in CHORD_QUALITIES[quality]] for root, quality in options
    ]
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
