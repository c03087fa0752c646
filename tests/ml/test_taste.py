"""A listener's taste from their plays: weights that fade, skips that count against, and centres
that follow how spread the songs are."""

import numpy as np
import pytest

from ml.projection import unit_rows
from ml.taste import (
    HALF_LIFE_DAYS,
    heard_as_skip,
    heard_fractions,
    play_weights,
    song_weights,
    taste_centres,
)


def clusters(n_per: int, directions: int, d: int = 32, spread: float = 0.15, seed: int = 1):
    """(n_per * directions, d) vectors around ``directions`` random directions, and the labels."""
    rng = np.random.default_rng(seed)
    centres = unit_rows(rng.normal(size=(directions, d)))
    labels = np.repeat(np.arange(directions), n_per)
    vectors = centres[labels] + spread * rng.normal(size=(len(labels), d))
    return vectors, labels, centres


@pytest.mark.parametrize(
    ("heard", "duration", "skip"),
    [
        (5.0, 200.0, True),  # a few seconds of a long song
        (29.0, 200.0, True),
        (30.0, 200.0, False),  # heard long enough, whatever the song's length
        (12.0, 20.0, False),  # more than half of a short song
        (8.0, 20.0, True),
        (5.0, None, True),  # unknown length: the seconds decide
        (45.0, None, False),
        (None, 200.0, False),  # the client did not say: a scrobble is a play
        (0.0, 0.0, True),
    ],
)
def test_what_counts_as_a_skip(heard, duration, skip):
    assert heard_as_skip(seconds_heard=heard, duration_s=duration) is skip


def test_heard_fractions_clip_and_treat_unknowns_as_full_listens():
    heard = np.array([90.0, 400.0, np.nan, 30.0, 10.0])
    duration = np.array([180.0, 200.0, 200.0, np.nan, 0.0])
    assert heard_fractions(heard, duration).tolist() == [0.5, 1.0, 1.0, 1.0, 1.0]


def test_play_weights_halve_every_half_life_and_skips_count_against():
    weights = play_weights(
        np.array([0.0, HALF_LIFE_DAYS, 2 * HALF_LIFE_DAYS, 0.0, HALF_LIFE_DAYS, -3.0]),
        np.array([1.0, 1.0, 1.0, 0.25, 1.0, 1.0]),
        np.array([False, False, False, False, True, False]),
    )
    np.testing.assert_allclose(weights, [1.0, 0.5, 0.25, 0.25, -0.5, 1.0])


def test_song_weights_sum_the_plays_of_each_song():
    ids, weights = song_weights(np.array([7, 3, 7, 7]), np.array([1.0, 0.5, 1.0, -1.5]))
    assert ids.tolist() == [3, 7]
    np.testing.assert_allclose(weights, [0.5, 0.5])


def test_no_liked_song_no_centre():
    vectors = np.ones((3, 8))
    assert taste_centres(vectors, np.array([-1.0, 0.0, -0.2])).shape == (0, 8)
    assert taste_centres(np.zeros((0, 8)), np.zeros(0)).shape == (0, 8)


def test_one_tight_group_gets_one_centre_at_its_weighted_middle():
    vectors, _, centres = clusters(20, 1)
    found = taste_centres(vectors, np.ones(20), max_centres=3)
    assert found.shape == (1, 32) and found.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(found, axis=1), 1.0, rtol=1e-5)
    assert float(found[0] @ centres[0]) > 0.95


def test_distinct_tastes_get_a_centre_each_the_heaviest_first():
    vectors, labels, centres = clusters(12, 3)
    weights = np.where(labels == 2, 3.0, 1.0)  # the third taste is played most
    found = taste_centres(vectors, weights, max_centres=3, seed=0)
    assert found.shape == (3, 32)
    matches = (found @ centres.T).argmax(axis=1)
    assert sorted(matches.tolist()) == [0, 1, 2]
    assert matches[0] == 2
    assert (found @ centres.T).max(axis=1).min() > 0.9


def test_the_number_of_centres_is_capped_and_needs_enough_songs():
    vectors, labels, _ = clusters(12, 3)
    assert len(taste_centres(vectors, np.ones(len(labels)), max_centres=2)) == 2
    assert len(taste_centres(vectors, np.ones(len(labels)), max_centres=1)) == 1
    few, _, _ = clusters(2, 3)  # six songs in three places: too few to stand for three tastes
    assert len(taste_centres(few, np.ones(6), max_centres=3)) == 1


def test_the_same_seed_gives_the_same_centres():
    vectors, labels, _ = clusters(10, 3, seed=4)
    weights = np.random.default_rng(0).uniform(0.1, 2.0, len(labels))
    np.testing.assert_array_equal(
        taste_centres(vectors, weights, seed=3), taste_centres(vectors, weights, seed=3)
    )


def test_a_skipped_song_pulls_its_centre_away_from_itself():
    vectors, _, _ = clusters(10, 1, spread=0.4)
    liked = np.ones(10)
    skipped_song = vectors[:1] * 1.0
    before = taste_centres(vectors, liked, max_centres=1)[0]
    after = taste_centres(
        np.vstack([vectors, skipped_song]), np.concatenate([liked, [-3.0]]), max_centres=1
    )[0]
    direction = unit_rows(skipped_song)[0]
    assert float(after @ direction) < float(before @ direction) - 0.05
    # Liked songs far from the skip stay near: the centre moved, it did not turn around.
    assert float(after @ before) > 0.5


def test_a_centre_whose_skips_outweigh_its_songs_is_dropped():
    vectors, labels, centres = clusters(8, 2, spread=0.05)
    weights = np.ones(len(labels))
    # Many skips right on the second taste.
    skips = np.repeat(centres[1:2], 3, axis=0)
    found = taste_centres(
        np.vstack([vectors, skips]), np.concatenate([weights, [-5.0, -5.0, -5.0]]), max_centres=2
    )
    assert found.shape == (1, 32)
    assert float(found[0] @ centres[0]) > 0.9
