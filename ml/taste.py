"""A listener's taste from their plays: how much each play says they like a song, and a few
centres in the embedding space that stand for what they listen to.

A play's weight is what it says about the song, fading with time: a full listen counts 1, a
partial one the share of the song heard, a skip counts against the song; all of it halves every
``half_life_days``. A song's weight is the sum over its plays. The centres are a small weighted
k-means on the unit sphere over the songs with a positive weight; each skipped song then pulls the
centre nearest to it away from itself.

playlists.taste computes the same play weights in SQL (one aggregate query instead of every play
in Python); tests/playlists/test_history.py checks that the two agree.
"""

from __future__ import annotations

import numpy as np

from ml.projection import unit_rows

HALF_LIFE_DAYS = 30.0
# A skip counts against the song as much as a full listen counts for it.
SKIP_WEIGHT = 1.0
# A play reported with only the seconds heard is a skip when the listener heard less than this
# many seconds and less than this share of the song (Last.fm scrobbles at 30 s or half the song,
# whichever comes first: below both the listener did not give the song a chance).
SKIP_SECONDS = 30.0
SKIP_SHARE = 0.5
# A centre that skips leave with less than this share of its weight no longer stands for a taste.
MIN_MASS_LEFT = 0.2


def heard_as_skip(*, seconds_heard: float | None, duration_s: float | None) -> bool:
    """Whether a play of which the client said only how long it was heard counts as a skip:
    heard less than SKIP_SECONDS and less than SKIP_SHARE of the song (of unknown length: less
    than SKIP_SECONDS). Nothing said about the seconds heard (a Subsonic scrobble, sent once a
    player counts the song as played): not a skip."""
    if seconds_heard is None:
        return False
    if seconds_heard >= SKIP_SECONDS:
        return False
    return not duration_s or seconds_heard < SKIP_SHARE * duration_s


def heard_fractions(seconds_heard: np.ndarray, duration_s: np.ndarray) -> np.ndarray:
    """The share of each song that was heard, in [0, 1]: (n,) float64.

    seconds_heard, duration_s: (n,) float, NaN where unknown. Either unknown (a scrobble, a song
    whose length was never read): 1, a full listen."""
    heard = np.asarray(seconds_heard, dtype=np.float64)
    duration = np.asarray(duration_s, dtype=np.float64)
    known = np.isfinite(heard) & np.isfinite(duration) & (duration > 0)
    fraction = np.ones_like(heard)
    fraction[known] = np.clip(heard[known] / duration[known], 0.0, 1.0)
    return fraction


def play_weights(
    age_days: np.ndarray,
    heard_fraction: np.ndarray,
    skipped: np.ndarray,
    *,
    half_life_days: float = HALF_LIFE_DAYS,
    skip_weight: float = SKIP_WEIGHT,
) -> np.ndarray:
    """What each play says about its song: (n,) float64, negative for skips.

    age_days: (n,) days since the play (a play "from the future", a client's clock being ahead,
    counts as now); heard_fraction: (n,) in [0, 1] (heard_fractions); skipped: (n,) bool."""
    age = np.maximum(np.asarray(age_days, dtype=np.float64), 0.0)
    decay = 0.5 ** (age / half_life_days)
    liked = np.asarray(heard_fraction, dtype=np.float64)
    return np.where(np.asarray(skipped, dtype=bool), -skip_weight, liked) * decay


def song_weights(song_ids: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The plays' weights summed per song: (m,) distinct song ids, ascending, and (m,) float64.

    song_ids: (n,) int, one per play; weights: (n,) float (play_weights)."""
    ids, index = np.unique(np.asarray(song_ids), return_inverse=True)
    return ids, np.bincount(
        index, weights=np.asarray(weights, dtype=np.float64), minlength=len(ids)
    )


def _cluster_sums(xw: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """(k, d): the rows of ``xw`` (n, d) summed by their labels (n,) in [0, k)."""
    members = np.zeros((k, len(labels)), dtype=xw.dtype)
    members[labels, np.arange(len(labels))] = 1.0
    return members @ xw


def _spherical_kmeans(
    x: np.ndarray, w: np.ndarray, k: int, rng: np.random.Generator, iterations: int = 30
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted k-means by cosine similarity: (k, d) unit centres and (n,) labels.

    x: (n, d) unit rows; w: (n,) positive. Seeded k-means++ (by weight times squared distance),
    so a given seed always gives the same centres."""
    n = len(x)
    xw = x * w[:, None].astype(x.dtype)
    chosen = [int(rng.choice(n, p=w / w.sum()))]
    while len(chosen) < k:
        gap = np.clip(1.0 - (x @ x[chosen].T).max(axis=1), 0.0, None) * w
        if gap.sum() <= 0:
            break  # every song sits on a centre already
        chosen.append(int(rng.choice(n, p=gap / gap.sum())))
    centres = x[chosen]
    labels = np.zeros(n, dtype=np.int64)
    for step in range(iterations):
        new_labels = (x @ centres.T).argmax(axis=1)
        if step and np.array_equal(new_labels, labels):
            break
        labels = new_labels
        sums = _cluster_sums(xw, labels, len(centres))
        norms = np.linalg.norm(sums, axis=1)
        empty = norms == 0
        centres = np.where(empty[:, None], centres, sums / np.where(empty, 1.0, norms)[:, None])
    return centres, labels


def taste_centres(
    vectors: np.ndarray,
    weights: np.ndarray,
    max_centres: int = 3,
    seed: int = 0,
    *,
    min_gain: float = 0.05,
    songs_per_centre: int = 4,
    restarts: int = 3,
) -> np.ndarray:
    """Up to ``max_centres`` directions that stand for what the listener plays: (k, d) float32
    unit rows, the one carrying the most weight first; (0, d) when no song has a positive weight.

    vectors: (n, d) the songs' embeddings (any length; compared by cosine); weights: (n,) the
    songs' weights (song_weights), negative for songs skipped more than liked.

    The songs with a positive weight are clustered by weighted spherical k-means. k grows from 1
    while another centre raises the weighted mean cosine similarity of the songs to their centre
    by at least ``min_gain`` and every centre still has ``songs_per_centre`` songs to stand for:
    songs close together get one centre, a few distinct tastes one each (each k: the best of
    ``restarts`` seeded runs, k-means finding only a local optimum). Then each song with a
    negative weight pulls the centre nearest to it away from itself, by its weight times its
    cosine similarity to that centre, but never past neutral (the centre loses at most what it
    has along the skipped song: skips make a direction unliked, not disliked); a centre left with
    less than MIN_MASS_LEFT of its weight, its songs mostly skipped, is dropped."""
    vectors = np.asarray(vectors, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    d = vectors.shape[1] if vectors.ndim == 2 else 0
    liked = weights > 0
    if not liked.any():
        return np.zeros((0, d), dtype=np.float32)
    x = unit_rows(vectors[liked])  # float32: k-means here is a few dozen small products
    w = weights[liked]
    rng = np.random.default_rng(seed)

    def cohesion(centres: np.ndarray, labels: np.ndarray) -> float:
        return float((np.einsum("ij,ij->i", x, centres[labels]) * w).sum() / w.sum())

    mean = (x * w[:, None]).sum(axis=0)
    centres = mean[None, :] / (np.linalg.norm(mean) or 1.0)
    labels = np.zeros(len(x), dtype=np.int64)
    score = cohesion(centres, labels)
    for k in range(2, max_centres + 1):
        if len(x) < k * songs_per_centre:
            break
        runs = [_spherical_kmeans(x, w, k, rng) for _ in range(restarts)]
        scores = [cohesion(*run) for run in runs]
        (more, more_labels), more_score = runs[int(np.argmax(scores))], max(scores)
        if more_score - score < min_gain:
            break
        if np.bincount(more_labels, minlength=k).min() < songs_per_centre:
            break
        centres, labels, score = more, more_labels, more_score

    # Unnormalised: each centre's sum of weighted songs, so that skips weigh against real mass.
    sums = _cluster_sums(x * w[:, None].astype(x.dtype), labels, len(centres))
    before = np.einsum("ij,ij->i", sums, centres)
    skipped = np.flatnonzero(weights < 0)
    if len(skipped):
        s = unit_rows(vectors[skipped])
        similarity = s @ centres.T
        nearest = similarity.argmax(axis=1)
        pull = -weights[skipped] * similarity[np.arange(len(s)), nearest]
        for i in np.argsort(-pull, kind="stable"):  # the strongest skip first
            j = nearest[i]
            # At most what the centre has along the skipped song: to neutral, not beyond.
            amount = min(pull[i], float(sums[j] @ s[i]))
            if amount > 0:
                sums[j] -= amount * s[i]
    mass = np.einsum("ij,ij->i", sums, centres)  # the weight left along each centre
    keep = mass > MIN_MASS_LEFT * before
    norms = np.linalg.norm(sums, axis=1)
    kept = sums[keep] / norms[keep][:, None]
    return kept[np.argsort(-mass[keep], kind="stable")].astype(np.float32)
