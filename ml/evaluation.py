"""How well does an embedding put songs of a genre together? Leave-one-out k-NN on labelled songs.

Both measures use cosine distance, like the search, and never count a song as its own neighbour.
"""

from __future__ import annotations

from collections import Counter

import numpy as np


def cosine_neighbours(vectors: np.ndarray, k: int) -> np.ndarray:
    """Indices of each row's k nearest other rows by cosine distance: (n, k) int.

    vectors: (n, d) float. Exact search, O(n²) memory; meant for evaluation sets, not catalogues.
    """
    x = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    x = x / np.where(norms == 0, 1.0, norms)
    similarity = x @ x.T
    np.fill_diagonal(similarity, -np.inf)
    k = min(k, len(x) - 1)
    nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
    order = np.take_along_axis(similarity, nearest, axis=1).argsort(axis=1)[:, ::-1]
    return np.take_along_axis(nearest, order, axis=1)


def knn_accuracy(vectors: np.ndarray, labels: list[str], k: int = 5) -> float:
    """Share of songs whose genre is the majority genre of their k nearest neighbours (ties go to
    the genre of the nearest song among the tied ones)."""
    labels_arr = np.asarray(labels)
    neighbours = cosine_neighbours(vectors, k)
    correct = 0
    for i, row in enumerate(neighbours):
        votes = Counter(labels_arr[row])
        top = max(votes.values())
        tied = {genre for genre, count in votes.items() if count == top}
        winner = next(labels_arr[j] for j in row if labels_arr[j] in tied)
        correct += winner == labels_arr[i]
    return correct / len(labels_arr)


def precision_at_k(vectors: np.ndarray, labels: list[str], k: int = 5) -> float:
    """Mean share of each song's k nearest neighbours that have its genre."""
    labels_arr = np.asarray(labels)
    neighbours = cosine_neighbours(vectors, k)
    return float((labels_arr[neighbours] == labels_arr[:, None]).mean())
