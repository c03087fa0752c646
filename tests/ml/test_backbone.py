import numpy as np
import pytest

from ml.backbone import (
    EMBEDDING_DIM,
    MSD_TAGS,
    fit_standardisation,
    load_backbone,
    musicnn_checkpoint_prefix,
    standardise,
)
from ml.spectrogram import PATCH_FRAMES, log_mel, split_patches


@pytest.fixture(scope="module")
def band_patches() -> np.ndarray:
    rng = np.random.default_rng(0)
    t = np.arange(16000 * 31) / 16000
    y = 0.3 * np.sin(2 * np.pi * 220 * t) + 0.1 * rng.standard_normal(len(t))
    y *= 1 + np.sin(2 * np.pi * 0.2 * t)  # loudness changing over time: patches differ
    patches, _ = split_patches(log_mel(y.astype(np.float32)))
    return patches


def test_tags_are_musicnns_msd_labels():
    from musicnn import configuration  # plain constants: importable without its old pins

    assert list(MSD_TAGS) == configuration.MSD_LABELS


def test_checkpoint_is_found_in_the_installed_package():
    prefix = musicnn_checkpoint_prefix()

    assert prefix.endswith("MSD_musicnn/")


def test_backbone_is_loaded_once_per_process(backbone):
    assert load_backbone() is backbone


def test_features_and_tag_probabilities_per_patch(backbone, band_patches):
    assert band_patches.shape == (10, PATCH_FRAMES, 96)

    features, tags = backbone.predict(band_patches)

    assert features.shape == (10, EMBEDDING_DIM)
    assert tags.shape == (10, len(MSD_TAGS))
    assert features.dtype == tags.dtype == np.float32
    assert np.isfinite(features).all()
    assert ((tags >= 0) & (tags <= 1)).all()


def test_same_input_gives_the_same_output(backbone, band_patches):
    first = backbone.predict(band_patches)
    second = backbone.predict(band_patches)

    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


def test_results_do_not_depend_on_batching(backbone, band_patches):
    batched, _ = backbone.predict(band_patches)
    one_by_one = np.concatenate([backbone.predict(band_patches[i : i + 1])[0] for i in range(10)])

    np.testing.assert_allclose(one_by_one, batched, atol=1e-4)


def test_no_patches_give_empty_outputs(backbone):
    features, tags = backbone.predict(np.zeros((0, PATCH_FRAMES, 96), dtype=np.float32))

    assert features.shape == (0, EMBEDDING_DIM) and tags.shape == (0, len(MSD_TAGS))


def test_wrong_patch_shape_is_refused(backbone):
    with pytest.raises(ValueError, match=r"expected \(n, 187, 96\) patches"):
        backbone.predict(np.zeros((2, 100, 96), dtype=np.float32))


def test_standardisation_centres_and_scales_each_dimension():
    rng = np.random.default_rng(0)
    catalogue = rng.normal(3.0, [0.1] * 100 + [10.0] * 100, size=(500, EMBEDDING_DIM))
    catalogue[:, 0] = -0.177  # a dimension that never varies (a dead unit of the network)

    mean, std = fit_standardisation(catalogue)
    standardised = standardise(catalogue, mean, std)

    assert mean.shape == std.shape == (EMBEDDING_DIM,)
    np.testing.assert_allclose(standardised.mean(axis=0), 0, atol=1e-4)
    np.testing.assert_allclose(standardised[:, 1:].std(axis=0), 1, atol=1e-4)
    assert np.isfinite(standardised).all()
    np.testing.assert_allclose(standardise(catalogue[7], mean, std), standardised[7])
