"""The demo catalogue: real files of the asked length, labelled, deterministic, and audibly apart.

Songs are rendered at 3 s (one per style) to keep the suite quick; the code path is the one
that renders the full 30-second catalogue.
"""

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from songs.demo_catalogue import STYLES, DemoSong, render_demo_catalogue
from songs.demo_catalogue.rendering import PEAK_CEILING, TARGET_RMS, master
from songs.demo_catalogue.score import Timeline

SECONDS = 3.0
SAMPLE_RATE = 22050


def render(out_dir: Path, seed: int = 0, **options) -> list[DemoSong]:
    options = {"songs_per_style": 1, "seconds": SECONDS, "sample_rate": SAMPLE_RATE} | options
    return render_demo_catalogue(out_dir, seed=seed, **options)


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory) -> list[DemoSong]:
    return render(tmp_path_factory.mktemp("demo"))


def by_genre(songs: list[DemoSong]) -> dict[str, np.ndarray]:
    """Each genre's decoded mono audio, (frames,) float32."""
    return {song.genre: sf.read(song.path, dtype="float32")[0].mean(axis=1) for song in songs}


def spectral_centroid(mono: np.ndarray) -> float:
    """Centre of mass of the magnitude spectrum of the whole excerpt, in Hz: brightness."""
    magnitude = np.abs(np.fft.rfft(mono))
    return float((magnitude * np.fft.rfftfreq(len(mono), 1 / SAMPLE_RATE)).sum() / magnitude.sum())


def low_frequency_share(mono: np.ndarray) -> float:
    """Fraction of the energy below 150 Hz, where kick drums and bass lines live."""
    power = np.abs(np.fft.rfft(mono)) ** 2
    return float(power[np.fft.rfftfreq(len(mono), 1 / SAMPLE_RATE) < 150].sum() / power.sum())


def loudness_fluctuation(mono: np.ndarray) -> float:
    """Spread of the 12-ms loudness over the first 2 s (before the fade): std / mean of frame RMS.
    Drum hits make it pulse; sustained chords do not."""
    frames = np.lib.stride_tricks.sliding_window_view(mono[: 2 * SAMPLE_RATE], 512)[::256]
    rms = np.sqrt(np.mean(np.square(frames), axis=1))
    return float(rms.std() / rms.mean())


def test_one_song_per_style_of_the_asked_length_and_rate(catalogue):
    assert [song.genre for song in catalogue] == list(STYLES)
    for song in catalogue:
        info = sf.info(song.path)
        assert song.path.suffix == ".ogg"
        assert info.samplerate == SAMPLE_RATE
        assert info.duration == pytest.approx(SECONDS, abs=0.1)


def test_at_least_eight_labelled_styles(catalogue):
    assert len(set(STYLES)) >= 8
    for song in catalogue:
        assert song.title and song.artist and song.album
        assert song.year is None or 1500 < song.year < 2100


def test_songs_are_audible_and_not_clipped(catalogue):
    for song in catalogue:
        audio, _ = sf.read(song.path, dtype="float32")
        rms = float(np.sqrt(np.mean(np.square(audio))))
        assert rms > 0.3 * TARGET_RMS, song
        assert np.abs(audio).max() < 0.99, song


def test_same_seed_gives_same_metadata_and_samples(catalogue, tmp_path):
    again = render(tmp_path)
    for first, second in zip(catalogue, again, strict=True):
        assert dataclasses.replace(first, path=second.path) == second
        assert second.path.name == first.path.name
        assert np.array_equal(sf.read(first.path)[0], sf.read(second.path)[0])


def test_another_seed_gives_other_songs(catalogue, tmp_path):
    other = render(tmp_path, seed=1)
    assert sum(a.title != b.title for a, b in zip(catalogue, other, strict=True)) >= 8
    for first, second in zip(catalogue, other, strict=True):
        assert first.path.name != second.path.name
        assert not np.array_equal(sf.read(first.path)[0], sf.read(second.path)[0])


def test_styles_differ_measurably(catalogue):
    mono = by_genre(catalogue)
    # Kick and synth bass against four voices on an organ: a heavy low end, a brighter top.
    assert low_frequency_share(mono["Electronic"]) > 3 * low_frequency_share(mono["Chorale"])
    assert spectral_centroid(mono["Electronic"]) > 1.2 * spectral_centroid(mono["Chorale"])
    # Pads without drums against every groove with them.
    for genre in ("Electronic", "Rock", "Swing Jazz", "Reggae", "Bossa Nova"):
        assert loudness_fluctuation(mono["Ambient"]) < 0.75 * loudness_fluctuation(mono[genre])


def test_existing_files_are_kept_and_others_rendered(tmp_path):
    first = render(tmp_path, songs_per_style=1)
    stamps = {song.path: song.path.stat().st_mtime_ns for song in first}
    calls = []

    songs = render(tmp_path, songs_per_style=1, progress=lambda done, total: calls.append(done))

    assert songs == first
    assert {song.path: song.path.stat().st_mtime_ns for song in songs} == stamps
    assert calls == list(range(1, len(STYLES) + 1))

    shorter = render(tmp_path, songs_per_style=1, seconds=2.0)
    assert [song.path for song in shorter] == [song.path for song in first]
    assert all(sf.info(song.path).duration == pytest.approx(2.0, abs=0.1) for song in shorter)
    assert not list(tmp_path.glob(".*.partial"))


def test_timeline_swings_the_offbeat_eighth():
    timeline = Timeline(bpm=120, swing=2 / 3)
    timeline.add(1.5, 0.5, 0, 60, 100)
    start, end, *_ = timeline.notes[0]
    assert start == pytest.approx((1 + 2 / 3) * 0.5)
    assert end == pytest.approx(2 * 0.5)


def test_master_brings_loudness_to_target_under_the_ceiling():
    rng = np.random.default_rng(0)
    quiet = (0.01 * rng.standard_normal((SAMPLE_RATE * 3, 2))).astype(np.float32)
    spiky = quiet.copy()
    spiky[1000] = 1.0

    levelled = master(quiet, SAMPLE_RATE)
    limited = master(spiky, SAMPLE_RATE)

    assert np.sqrt(np.mean(levelled**2)) == pytest.approx(TARGET_RMS, rel=0.01)
    assert np.abs(limited).max() == pytest.approx(PEAK_CEILING, rel=1e-4)
    assert np.all(levelled[-1] == 0) and np.all(levelled[0] == 0)


def test_each_song_records_the_instruments_it_plays(catalogue):
    from songs.demo_catalogue import read_ground_truth

    by_style = {song.genre: set(song.instruments) for song in catalogue}
    assert {"violin", "strings", "cello"} <= by_style["String Quartet"]
    assert "choir" in by_style["Renaissance"] and "drums" not in by_style["Renaissance"]
    assert {"drums", "synth"} <= by_style["Electronic"]
    assert {"drums", "guitar"} <= by_style["Rock"]
    truth = read_ground_truth(catalogue[0].path.parent)
    assert truth == {
        song.path.name: {"style": song.genre, "instruments": list(song.instruments)}
        for song in catalogue
    }


def test_ground_truth_survives_a_second_run_that_renders_nothing(tmp_path):
    first = render(tmp_path, songs_per_style=1)
    (tmp_path / "ground-truth.json").unlink()

    again = render(tmp_path, songs_per_style=1)

    assert [s.instruments for s in again] == [s.instruments for s in first]
    assert (tmp_path / "ground-truth.json").is_file()
