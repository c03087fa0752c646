import numpy as np
import pytest
import soundfile as sf

from ml.analysis import analyse_file, budget_patch_indices
from ml.audio import InvalidAudio, UnsupportedAudio
from ml.backbone import EMBEDDING_DIM, MSD_TAGS
from ml.thumbnail import thumbnail_png


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def assert_usable(analysis) -> None:
    assert analysis.embedding.shape == (EMBEDDING_DIM,)
    assert analysis.msd_tag_probabilities.shape == (len(MSD_TAGS),)
    assert np.isfinite(analysis.embedding).all()
    assert ((analysis.msd_tag_probabilities >= 0) & (analysis.msd_tag_probabilities <= 1)).all()
    assert analysis.thumbnail.shape[0] == 96 and 0 < analysis.thumbnail.shape[1] <= 1000
    assert np.isfinite(analysis.thumbnail).all()
    assert thumbnail_png(analysis.thumbnail).startswith(b"\x89PNG")


def test_analysis_reports_the_file_and_its_embedding(backbone, synth, write_audio):
    path = write_audio("band.flac", synth.rock(7.0, 44100), 44100)

    analysis = analyse_file(path, backbone=backbone, patch_budget=None)

    assert_usable(analysis)
    assert analysis.duration_s == pytest.approx(7.0)
    assert (analysis.sample_rate, analysis.channels) == (44100, 2)
    assert analysis.patches_analysed == analysis.patches_in_song == 2


def test_same_file_gives_the_same_analysis(backbone, synth, write_audio):
    path = write_audio("band.ogg", synth.rock(7.0, 22050), 22050, format="OGG", subtype="VORBIS")

    first = analyse_file(path, backbone=backbone, patch_budget=None)
    second = analyse_file(path, backbone=backbone, patch_budget=None)

    np.testing.assert_array_equal(first.embedding, second.embedding)
    np.testing.assert_array_equal(first.msd_tag_probabilities, second.msd_tag_probabilities)
    np.testing.assert_array_equal(first.thumbnail, second.thumbnail)


def test_a_band_is_closer_to_another_band_than_to_a_pure_tone(backbone, synth, write_audio):
    def embed(name, samples):
        path = write_audio(name, samples, 22050)
        return analyse_file(path, backbone=backbone, patch_budget=None).embedding

    band = embed("band.flac", synth.rock(9.0, 22050, seed=1))
    other_band = embed("other_band.flac", synth.rock(9.0, 22050, seed=2, bpm=132))
    tone = embed("tone.flac", synth.tone(9.0, 22050))

    assert cosine(band, other_band) > 0.95
    assert cosine(band, tone) < 0.8


def test_budget_of_ten_patches_is_close_to_the_whole_song(backbone, synth, write_audio):
    path = write_audio("song.flac", synth.song(90.0, 22050, seed=3), 22050)

    full = analyse_file(path, backbone=backbone, patch_budget=None)
    budgeted = analyse_file(path, backbone=backbone, patch_budget=10)

    assert (full.patches_analysed, budgeted.patches_analysed) == (30, 10)
    assert budgeted.patches_in_song == 30
    assert cosine(budgeted.embedding, full.embedding) > 0.99
    assert budgeted.duration_s == full.duration_s


def test_budget_decodes_only_its_windows(backbone, synth, write_audio, monkeypatch):
    path = write_audio("song.flac", synth.song(90.0, 44100, seed=4), 44100)
    frames_read = []
    read = sf.SoundFile.read

    def counting_read(self, frames=-1, *args, **kwargs):
        data = read(self, frames, *args, **kwargs)
        frames_read.append(len(data))
        return data

    monkeypatch.setattr(sf.SoundFile, "read", counting_read)

    analyse_file(path, backbone=backbone, patch_budget=3)

    # Three 3-second windows plus margins out of 90 s.
    assert sum(frames_read) < 0.15 * 90 * 44100


def test_budget_larger_than_the_song_analyses_it_whole(backbone, synth, write_audio):
    path = write_audio("band.flac", synth.rock(7.0, 22050), 22050)

    whole = analyse_file(path, backbone=backbone, patch_budget=None)
    budgeted = analyse_file(path, backbone=backbone, patch_budget=10)

    np.testing.assert_array_equal(whole.embedding, budgeted.embedding)


def test_budget_patches_are_spread_over_the_song():
    np.testing.assert_array_equal(budget_patch_indices(80, 4), [10, 30, 50, 70])
    np.testing.assert_array_equal(budget_patch_indices(5, 10), [0, 1, 2, 3, 4])


def test_budget_must_be_positive(backbone, synth, write_audio):
    path = write_audio("band.flac", synth.rock(4.0, 22050), 22050)

    with pytest.raises(ValueError, match="patch_budget"):
        analyse_file(path, backbone=backbone, patch_budget=0)


def test_silence_is_analysed_without_dividing_by_zero(backbone, write_audio):
    path = write_audio("silence.wav", np.zeros(22050 * 4, dtype=np.float32), 22050)

    analysis = analyse_file(path, backbone=backbone, patch_budget=None)

    assert_usable(analysis)
    assert analysis.thumbnail.max() == 0


def test_clip_shorter_than_a_patch_is_padded_to_one(backbone, synth, write_audio):
    path = write_audio("blip.wav", synth.chord(0.5, 44100), 44100)

    analysis = analyse_file(path, backbone=backbone, patch_budget=10)

    assert_usable(analysis)
    assert analysis.patches_analysed == analysis.patches_in_song == 1
    assert analysis.duration_s == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("name", "subtype", "gain"),
    [("hard_clipped.wav", "PCM_16", 8.0), ("over_full_scale.wav", "FLOAT", 8.0)],
)
def test_clipping_is_analysed(name, subtype, gain, backbone, synth, write_audio):
    samples = synth.rock(4.0, 22050) * gain
    if subtype == "PCM_16":
        samples = samples.clip(-1, 1)
    path = write_audio(name, samples, 22050, subtype=subtype)

    assert_usable(analyse_file(path, backbone=backbone, patch_budget=None))


def test_dc_offset_does_not_move_the_embedding(backbone, synth, write_audio):
    band = 0.5 * synth.rock(7.0, 22050)
    clean = analyse_file(
        write_audio("clean.flac", band, 22050), backbone=backbone, patch_budget=None
    )
    offset = analyse_file(
        write_audio("offset.flac", band + 0.3, 22050), backbone=backbone, patch_budget=None
    )

    assert cosine(clean.embedding, offset.embedding) > 0.999


@pytest.mark.parametrize(("sr", "channels"), [(96000, 6), (8000, 1)], ids=str)
def test_unusual_layouts_are_analysed(sr, channels, backbone, synth, write_audio):
    samples = np.stack([synth.rock(4.0, sr, seed=c).mean(axis=1) for c in range(channels)], axis=1)
    path = write_audio("layout.flac", samples, sr)

    analysis = analyse_file(path, backbone=backbone, patch_budget=None)

    assert_usable(analysis)
    assert (analysis.sample_rate, analysis.channels) == (sr, channels)


def test_unreadable_files_raise_domain_errors(backbone, synth, write_audio, tmp_path):
    empty = tmp_path / "empty.flac"
    empty.write_bytes(b"")
    text = tmp_path / "notes.mp3"
    text.write_text("not audio at all\n" * 50)
    truncated = write_audio("cut.flac", synth.noise(12.0, 44100), 44100)
    truncated.write_bytes(truncated.read_bytes()[:100_000])
    broken = synth.tone(4.0, 22050)
    broken[30_000:30_010] = np.nan
    nan_file = write_audio("nan.wav", broken, 22050, subtype="FLOAT")

    cases = [
        (empty, InvalidAudio, "the file is empty"),
        (text, UnsupportedAudio, "not an audio file"),
        (truncated, InvalidAudio, "truncated"),
        (nan_file, InvalidAudio, "NaN or infinite samples"),
    ]
    for path, error, message in cases:
        with pytest.raises(error, match=message) as raised:
            analyse_file(path, backbone=backbone, patch_budget=None)
        assert str(raised.value).startswith(path.name)


def test_mfcc_moments_match_a_direct_computation():
    import scipy.fft

    from ml.analysis import MfccMoments

    rng = np.random.default_rng(0)
    frames = rng.uniform(0, 3, (500, 96)).astype(np.float32)
    moments = MfccMoments()
    for chunk in np.array_split(frames, 7):
        moments.push(chunk)
    direct = scipy.fft.dct(frames.astype(np.float64), type=2, norm="ortho", axis=1)[:, :20]
    expected = np.concatenate([direct.mean(axis=0), direct.std(axis=0)])
    assert np.allclose(moments.result(), expected, atol=1e-4)


@pytest.mark.parametrize("budget", [None, 10])
def test_a_truncated_mp3_is_rejected_as_truncated(tmp_path, backbone, budget):
    from tests.audio import write_tone

    whole = write_tone(tmp_path / "whole.mp3", seconds=30, sample_rate=44100).read_bytes()
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InvalidAudio, match=r"cut\.mp3: the file is truncated"):
        analyse_file(cut, backbone=backbone, patch_budget=budget)


@pytest.fixture(scope="session")
def tagger():
    from ml.backbone import load_mtt_tagger

    return load_mtt_tagger()


def test_the_magnatagatune_tagger_hears_drums_in_a_band_not_in_a_tone(
    backbone, tagger, synth, write_audio
):
    from ml.tags import MTT_TAGS

    def tags(name, samples):
        path = write_audio(name, samples, 22050)
        analysis = analyse_file(path, backbone=backbone, tagger=tagger)
        assert analysis.mtt_tag_probabilities.shape == (len(MTT_TAGS),)
        assert ((analysis.mtt_tag_probabilities >= 0) & (analysis.mtt_tag_probabilities <= 1)).all()
        return dict(zip(MTT_TAGS, analysis.mtt_tag_probabilities, strict=True))

    band = tags("band.flac", synth.rock(12.0, 22050, seed=3))
    tone = tags("tone.flac", synth.tone(12.0, 22050))

    assert band["drums"] > 2 * tone["drums"]
    assert band["beat"] > tone["beat"]


def test_the_descriptor_pools_both_models_over_the_analysed_patches(
    backbone, tagger, synth, write_audio
):
    seen = []

    class RecordingTagger:
        def predict(self, patches):
            seen.append(patches)
            return tagger.predict(patches)

    path = write_audio("long.flac", synth.rock(60.0, 22050), 22050)
    analysis = analyse_file(path, backbone=backbone, patch_budget=10, tagger=RecordingTagger())

    patches = np.concatenate(seen)
    assert len(patches) == analysis.patches_analysed == 10
    msd, _ = backbone.predict(patches)
    mtt, mtt_tags = tagger.predict(patches)
    expected = np.concatenate([msd.mean(0), msd.std(0), mtt.mean(0), mtt.std(0)])
    assert analysis.descriptor.shape == (800,)
    np.testing.assert_allclose(analysis.descriptor, expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(analysis.mtt_tag_probabilities, mtt_tags.mean(0), atol=1e-5)
    without = analyse_file(path, backbone=backbone, patch_budget=10)
    assert without.descriptor is None and without.mtt_tag_probabilities is None
    np.testing.assert_array_equal(without.embedding, analysis.embedding)
