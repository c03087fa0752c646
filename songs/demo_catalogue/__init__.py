"""A labelled demo catalogue, rendered deterministically from a seed with nothing downloaded.

Four styles are excerpts of real pieces from music21's bundled corpus (Bach chorales, classical
string quartets, fiddle tunes, renaissance polyphony); the others are grooves composed here by
rule (electronic, rock, swing jazz, reggae, bossa nova, ambient). Every song becomes a list of
notes, is played through the General MIDI SoundFont that pretty_midi ships (``TimGM6mb.sf2``) by
tinysoundfont, is brought to a common loudness and is written as Ogg Vorbis. The same seed gives
the same pieces, metadata and samples, so a demo set up twice is the same demo.

No Django here: the ``load_demo`` management command calls :func:`render_demo_catalogue`.
"""

from songs.demo_catalogue.catalogue import (
    GROUND_TRUTH_FILE,
    STYLES,
    DemoSong,
    read_ground_truth,
    render_demo_catalogue,
)

__all__ = ["GROUND_TRUTH_FILE", "STYLES", "DemoSong", "read_ground_truth", "render_demo_catalogue"]
