"""Automatic clusters, so that a catalogue without genre labels still gets colours and names."""

from __future__ import annotations

import numpy as np

from ml.projection import unit_rows

MAX_CLUSTERS = 12


def cluster_songs(
    vectors: np.ndarray, *, seed: int = 0, n_clusters: int | None = None
) -> np.ndarray:
    """k-means on unit-length embeddings (so on cosine geometry): (n, d) -> (n,) int labels.

    Without `n_clusters`, about sqrt(n / 4) clusters, between 2 and MAX_CLUSTERS."""
    from sklearn.cluster import KMeans

    n = len(vectors)
    if n < 4:
        return np.zeros(n, int)
    k = n_clusters or int(np.clip(round(np.sqrt(n / 4)), 2, MAX_CLUSTERS))
    return KMeans(n_clusters=min(k, n), n_init=4, random_state=seed).fit_predict(unit_rows(vectors))


def describe_clusters(
    labels: np.ndarray, tag_probabilities: np.ndarray, tag_names: list[str], *, words: int = 3
) -> list[str]:
    """A name per cluster from the tags it has most above the catalogue's average, e.g.
    "mellow · acoustic · folk". labels: (n,) int; tag_probabilities: (n, n_tags)."""
    tags = np.asarray(tag_probabilities, dtype=np.float64)
    overall = tags.mean(axis=0)
    names = []
    for cluster in range(int(labels.max()) + 1 if len(labels) else 0):
        lift = tags[labels == cluster].mean(axis=0) - overall
        best = [tag_names[i].lower() for i in np.argsort(-lift)[:words] if lift[i] > 0]
        names.append(" · ".join(best) or f"cluster {cluster + 1}")
    return names
