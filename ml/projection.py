"""The 3D map: a layout of song embeddings in which nearby points sound alike.

t-SNE (scikit-learn, Barnes-Hut, PCA initialisation, seeded) as in the project that inspired us.
Full t-SNE grows much faster than linearly (10,000 songs: ~84 s on 2 cores; 50,000 did not finish
in 25 minutes), so above `max_projected` songs it lays out a seeded random sample and places every
other song the way a new upload is placed: at the distance-weighted mean of the map positions of
its nearest neighbours in the embedding space. UMAP is the alternative `method`.
Coordinates are normalised into the cube [-1, 1]³.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BOX = 1.0
PLACEMENT_NEIGHBOURS = 10
PCA_DIMENSIONS = 50  # t-SNE's customary pre-reduction: faster neighbour search, same layout


@dataclass(frozen=True)
class Layout:
    coordinates: np.ndarray  # (n, 3) float32 in [-BOX, BOX]
    projected: np.ndarray  # (n,) bool: laid out by the method itself, not placed afterwards
    trustworthiness: float | None  # of the whole layout against the embedding space, k=10


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, so Euclidean geometry follows cosine distance."""
    x = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms == 0, 1.0, norms)


def _normalise(coordinates: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    centre = (coordinates.max(axis=0) + coordinates.min(axis=0)) / 2
    half_extent = float(np.abs(coordinates - centre).max()) or 1.0
    return ((coordinates - centre) / half_extent * BOX).astype(np.float32), centre, half_extent


def _project(x: np.ndarray, *, method: str, seed: int, perplexity: float) -> np.ndarray:
    n = len(x)
    if n == 1:
        return np.zeros((1, 3), np.float32)
    if (
        n <= 4
    ):  # too few for t-SNE's neighbourhoods: PCA (padded to 3 axes) keeps what order there is
        from sklearn.decomposition import PCA

        components = min(3, n - 1, x.shape[1])
        reduced = PCA(n_components=components, random_state=seed).fit_transform(x)
        return np.pad(reduced, ((0, 0), (0, 3 - components))).astype(np.float32)
    if method == "umap":
        import umap

        reducer = umap.UMAP(
            n_components=3,
            n_neighbors=min(15, n - 1),
            metric="cosine",
            random_state=seed,
            n_jobs=1,  # a seed makes UMAP single-threaded anyway; saying so avoids its warning
        )
        return reducer.fit_transform(x).astype(np.float32)
    if method != "tsne":
        raise ValueError(f"unknown map method {method!r}: use 'tsne' or 'umap'")
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    if x.shape[1] > PCA_DIMENSIONS and n > PCA_DIMENSIONS:
        x = PCA(n_components=PCA_DIMENSIONS, random_state=seed).fit_transform(x)
    tsne = TSNE(
        n_components=3,
        perplexity=min(perplexity, (n - 1) / 3),
        init="pca",
        random_state=seed,
        method="barnes_hut",
    )
    return tsne.fit_transform(x).astype(np.float32)


def place(
    vectors: np.ndarray, reference_vectors: np.ndarray, reference_coordinates: np.ndarray
) -> np.ndarray:
    """Map positions for new songs from their nearest reference songs in the embedding space:
    (m, d) vectors, (n, d) reference vectors, (n, 3) their coordinates -> (m, 3) float32.

    Each new song sits at the mean of its PLACEMENT_NEIGHBOURS nearest references' positions,
    weighted by cosine similarity, so it lands inside the cluster it sounds like."""
    new = unit_rows(vectors)
    reference = unit_rows(reference_vectors)
    k = min(PLACEMENT_NEIGHBOURS, len(reference))
    placed = np.empty((len(new), 3), np.float32)
    for start in range(0, len(new), 2048):  # bounded memory: 2048 x n similarities at a time
        similarity = new[start : start + 2048] @ reference.T
        nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        weights = np.clip(np.take_along_axis(similarity, nearest, axis=1), 1e-3, None) ** 4
        weights /= weights.sum(axis=1, keepdims=True)
        placed[start : start + 2048] = np.einsum(
            "mk,mkd->md", weights, reference_coordinates[nearest]
        )
    return placed


def layout(
    vectors: np.ndarray,
    *,
    method: str = "tsne",
    seed: int = 0,
    perplexity: float = 50.0,
    max_projected: int = 5000,
    trustworthiness_sample: int = 5000,
) -> Layout:
    """Lay out (n, d) embeddings in 3D; see the module docstring for the method."""
    x = unit_rows(vectors)
    n = len(x)
    if n == 0:
        return Layout(np.zeros((0, 3), np.float32), np.zeros(0, bool), None)
    rng = np.random.default_rng(seed)
    projected = np.zeros(n, bool)
    if n > max_projected:
        projected[rng.choice(n, max_projected, replace=False)] = True
    else:
        projected[:] = True
    coordinates = np.empty((n, 3), np.float32)
    coordinates[projected] = _project(x[projected], method=method, seed=seed, perplexity=perplexity)
    if not projected.all():
        coordinates[~projected] = place(x[~projected], x[projected], coordinates[projected])
    coordinates, _, _ = _normalise(coordinates)
    return Layout(
        coordinates, projected, trustworthiness_of(x, coordinates, trustworthiness_sample, seed)
    )


def trustworthiness_of(
    vectors: np.ndarray, coordinates: np.ndarray, sample: int, seed: int
) -> float | None:
    """scikit-learn's trustworthiness (k=10, cosine in the embedding space) on up to `sample`
    songs; None when there are too few songs for k=10 neighbourhoods."""
    from sklearn.manifold import trustworthiness

    n = len(vectors)
    if n <= 2 * 10 + 1:
        return None
    rows = np.random.default_rng(seed).choice(n, min(n, sample), replace=False)
    return float(trustworthiness(vectors[rows], coordinates[rows], n_neighbors=10, metric="cosine"))
