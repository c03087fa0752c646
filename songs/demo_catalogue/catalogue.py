"""The demo catalogue: which songs of which styles, their metadata and ground truth, rendered."""

import dataclasses
import importlib.resources
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from songs.demo_catalogue.corpus import (
    arrange_chorale,
    arrange_fiddle,
    arrange_quartet,
    arrange_renaissance,
    chorale_pieces,
    describe_piece,
    fiddle_pieces,
    quartet_pieces,
    renaissance_pieces,
)
from songs.demo_catalogue.grooves import (
    arrange_ambient,
    arrange_bossa,
    arrange_electronic,
    arrange_reggae,
    arrange_rock,
    arrange_swing,
)
from songs.demo_catalogue.rendering import is_rendered, master, synthesise, write_vorbis
from songs.demo_catalogue.score import DRUMS, Arrangement, pick


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
