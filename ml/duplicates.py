"""Near-duplicates: two files of the same recording (another codec, bit rate or sample rate, or a
trimmed copy), told apart from two different songs by the cosine distance of their embeddings.

The space is the raw backbone embedding (musicnn's penultimate layer, mean over the analysed
patches, ml.analysis.SongAnalysis.embedding), not the catalogue's standardised one: on the demo
catalogue and its copies (`manage.py evaluate_near_duplicates`) both separate copies from other
songs about equally well (best F1 0.66 raw, 0.64 standardised), and the raw space is the same for
every catalogue from its first song on, so one threshold means the same everywhere and a pair
found early stays comparable.

The rule is one threshold on that distance, 0.008 by default: on the 250 demo songs next to four
copies of each it finds every Opus copy, 97 % of the 22.05 kHz ones, 42 % of the MP3s at
64 kbit/s and 34 % of the copies with their first 20 s cut off, at a precision of 0.80; the false
pairs are mostly two Bach chorales on the same organ. The demo's songs of one style share their
instruments, so real catalogues should see fewer false pairs. Durations do not enter the rule: a
trimmed copy is as much a duplicate as a re-encoded one, and a second, looser threshold for pairs
of different lengths raised F1 by only 0.02 on demo songs that all last 30 s; in a real catalogue
most pairs of different songs differ in length, so it would mostly add false pairs.

Arrays in, pairs out; the catalogue passes the threshold in from its settings.
"""

from __future__ import annotations

import numpy as np

# Measured by `manage.py evaluate_near_duplicates` (NEAR_DUPLICATE_MAX_DISTANCE says what for).
DEFAULT_MAX_DISTANCE = 0.008


def is_near_duplicate(distance, *, max_distance: float = DEFAULT_MAX_DISTANCE):
    """Whether two songs whose raw backbone embeddings lie at cosine ``distance`` are one
    recording: a bool, or for an array of distances a boolean array of the same shape."""
    return distance <= max_distance


def cosine_distances(vectors: np.ndarray) -> np.ndarray:
    """All pairwise cosine distances of (n, d) vectors: (n, n) float64, 0 on the diagonal."""
    x = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    x = x / np.where(norms == 0, 1.0, norms)
    distances = 1.0 - x @ x.T
    np.fill_diagonal(distances, 0.0)
    return np.clip(distances, 0.0, 2.0)


def near_duplicate_pairs(
    vectors: np.ndarray, *, max_distance: float = DEFAULT_MAX_DISTANCE
) -> list[tuple[int, int, float]]:
    """Every pair (i, j, distance), i < j, of the (n, d) ``vectors`` that the rule calls
    near-duplicates, nearest first. Exact, O(n²) memory: for evaluation sets; the catalogue asks
    its HNSW index instead."""
    distances = cosine_distances(vectors)
    rows, cols = np.triu_indices(len(distances), k=1)
    chosen = is_near_duplicate(distances[rows, cols], max_distance=max_distance)
    pairs = [
        (int(i), int(j), float(distances[i, j]))
        for i, j in zip(rows[chosen], cols[chosen], strict=True)
    ]
    return sorted(pairs, key=lambda pair: (pair[2], pair[0], pair[1]))


def precision_recall(
    found: set[tuple[int, int]], truth: set[tuple[int, int]]
) -> tuple[float, float]:
    """Precision and recall of ``found`` pairs against the ``truth`` pairs (each (i, j), i < j).
    Nothing found counts as precision 1; no true pairs as recall 1."""
    hits = len(found & truth)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(truth) if truth else 1.0
    return precision, recall
