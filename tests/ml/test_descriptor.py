"""The descriptor's pooling and the space songs are compared in."""

import numpy as np
import pytest

from ml.descriptor import DESCRIPTOR_DIM, DescriptorPool, embed, fit_space, random_rotation


def test_the_pool_gives_both_models_mean_and_spread_whatever_the_batches():
    rng = np.random.default_rng(0)
    msd, mtt = rng.normal(size=(13, 200)), rng.normal(2, 3, size=(13, 200))
    pool = DescriptorPool()
    for start, stop in ((0, 8), (8, 13)):
        pool.push(msd[start:stop], mtt[start:stop])
    expected = np.concatenate([msd.mean(0), msd.std(0), mtt.mean(0), mtt.std(0)])
    assert pool.result().shape == (DESCRIPTOR_DIM,) and pool.result().dtype == np.float32
    np.testing.assert_allclose(pool.result(), expected, rtol=1e-5, atol=1e-5)


def descriptors(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    scales = np.repeat([1.0, 50.0, 0.01, 5.0], 200)  # blocks of very different scales
    return (rng.normal(size=(n, DESCRIPTOR_DIM)) * scales + rng.normal(size=DESCRIPTOR_DIM)).astype(
        np.float32
    )


def test_songs_are_z_scored_block_by_block_and_rotated_onto_200_axes():
    x = descriptors(60)
    space = fit_space(x)
    vectors = embed(x, space)
    assert vectors.shape == (60, 200) and vectors.dtype == np.float32
    z = (x - x.mean(0)) / x.std(0) / np.sqrt(200)
    np.testing.assert_allclose(vectors, z @ random_rotation(), rtol=1e-3, atol=1e-4)
    # Every block weighs the same whatever its scale: a shift of one standard deviation in
    # every dimension of any one block moves a song by the same distance before the rotation.
    for block in range(4):
        shift = np.repeat(np.eye(4)[block], 200) * x.std(0)
        assert np.linalg.norm(shift / space.scale) == pytest.approx(1.0, rel=1e-4)


def test_the_rotation_is_fixed_and_keeps_songs_outside_the_fit_apart():
    rotation = random_rotation()
    np.testing.assert_allclose(rotation.T @ rotation, np.eye(200), atol=1e-5)
    np.testing.assert_array_equal(rotation, random_rotation(0))
    assert not np.allclose(rotation, random_rotation(1))
    # Fitted on 50 songs: 50 others, never seen, stay as far apart as they were (PCA axes of
    # the 50 would have dropped most of what tells them apart).
    x = descriptors(100)
    space = fit_space(x[:50])
    unseen = embed(x[50:], space)
    before = (x[50:] - space.mean) / space.scale
    ratio = np.linalg.norm(unseen[1:] - unseen[0], axis=1) / np.linalg.norm(
        before[1:] - before[0], axis=1
    )
    assert ratio.min() > 0.35 and ratio.max() < 0.65  # about sqrt(200 / 800) = 0.5


def test_fitting_is_deterministic_and_applies_to_songs_added_later():
    x = descriptors(300)
    first, second = fit_space(x[:250]), fit_space(x[:250])
    np.testing.assert_array_equal(first.mean, second.mean)
    np.testing.assert_array_equal(first.scale, second.scale)
    np.testing.assert_allclose(embed(x[250:], first)[:3], embed(x[250:253], first), atol=1e-6)


def test_a_space_needs_two_descriptors_of_the_right_size():
    with pytest.raises(ValueError, match="expected"):
        fit_space(descriptors(1))
    with pytest.raises(ValueError, match="expected"):
        fit_space(np.zeros((5, 200), np.float32))
