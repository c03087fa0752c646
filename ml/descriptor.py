"""A song's audio descriptor, and the catalogue-fitted space in which songs are compared.

The descriptor pools both musicnn models' 200-d penultimate layers over a song's analysed
patches: for each model the mean and the standard deviation over the patches, 800 numbers. The
Million Song Dataset model knows genres and moods, the MagnaTagATune one instruments and
textures; the spread says how much a song changes, which a mean alone cannot.

Songs are compared in a space fitted on the catalogue itself (`fit_space`): each of the four
blocks z-scored per dimension over the catalogue and given the same weight, then rotated onto
the catalogue's 200 principal axes (800 numbers would make the index four times larger; on
the development set, 100 axes did as well as all of them). Measured on real recordings
(bench/similarity.py: 191 tracks of 8 soundtracks, precision@5 of same-soundtrack
neighbours): the descriptor 0.53 at 10 patches, where the MSD mean alone, the platform's
embedding before, gave 0.46 and MFCC statistics 0.38. Whitening the axes (0.51 at half,
0.18 full), removing the top axes (0.49 without the first), hubness re-ranking (CSLS 0.53,
mutual proximity 0.52), adding tags, MFCCs, log-mel statistics or the VGG checkpoints, and a
self-supervised head trained on views of each song all did no better, so none of them is
here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PENULTIMATE_DIM = 200  # of each musicnn model
BLOCKS = ("MSD mean", "MSD std", "MTT mean", "MTT std")
DESCRIPTOR_DIM = PENULTIMATE_DIM * len(BLOCKS)
SPACE_DIM = 200  # of the vectors that search and the map use


class DescriptorPool:
    """Running moments of both models' penultimate features over a song's patches (O(1) memory)."""

    def __init__(self) -> None:
        self.count = 0
        self._sum = np.zeros(2 * PENULTIMATE_DIM)
        self._squares = np.zeros(2 * PENULTIMATE_DIM)

    def push(self, msd: np.ndarray, mtt: np.ndarray) -> None:
        """msd, mtt: (n, 200) penultimate features of the same n patches."""
        both = np.concatenate([msd, mtt], axis=1).astype(np.float64)
        self.count += len(both)
        self._sum += both.sum(axis=0)
        self._squares += (both**2).sum(axis=0)

    def result(self) -> np.ndarray:
        """(800,) float32: MSD mean, MSD std, MTT mean, MTT std (BLOCKS order)."""
        mean = self._sum / max(self.count, 1)
        std = np.sqrt(np.maximum(self._squares / max(self.count, 1) - mean**2, 0))
        d = PENULTIMATE_DIM
        return np.concatenate([mean[:d], std[:d], mean[d:], std[d:]]).astype(np.float32)


@dataclass(frozen=True)
class DescriptorSpace:
    """What `fit_space` learnt from a catalogue: apply it with `embed`."""

    mean: np.ndarray  # (800,) float32
    scale: np.ndarray  # (800,) float32: per-dimension std, times sqrt(block size) for balance
    projection: np.ndarray  # (800, 200) float32: principal axes, whitening included


def fit_space(
    descriptors: np.ndarray, *, whitening: float = 0.0, dims: int = SPACE_DIM
) -> DescriptorSpace:
    """Fit the comparison space on a catalogue's descriptors, (n, 800) with n >= 2.

    Each dimension is z-scored, each block divided by the square root of its size (every block
    weighs the same in a cosine), then projected onto the first `dims` principal axes, each
    axis scaled by its variance to the power -`whitening`/2 (0, the default: a rotation that
    keeps every cosine among the catalogue's songs as it was; 1: full whitening).
    With fewer songs than `dims`, the axes beyond the data's rank are zero columns: they add
    nothing to any distance. Deterministic (an SVD, no randomness).
    """
    x = np.asarray(descriptors, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != DESCRIPTOR_DIM or len(x) < 2:
        raise ValueError(f"expected (n >= 2, {DESCRIPTOR_DIM}) descriptors, got {x.shape}")
    mean = x.mean(axis=0)
    std = x.std(axis=0)
    std[std < 1e-8] = 1.0
    scale = std * np.sqrt(PENULTIMATE_DIM)
    z = (x - mean) / scale
    _, singular, axes = np.linalg.svd(z, full_matrices=False)
    variance = singular**2 / len(z)
    useful = variance > variance[0] * 1e-10
    axes, variance = axes[useful][:dims], variance[useful][:dims]
    weights = variance ** (-whitening / 2)
    projection = np.zeros((DESCRIPTOR_DIM, dims))
    projection[:, : len(axes)] = (axes * weights[:, None]).T
    return DescriptorSpace(
        mean=mean.astype(np.float32),
        scale=scale.astype(np.float32),
        projection=projection.astype(np.float32),
    )


def embed(descriptors: np.ndarray, space: DescriptorSpace) -> np.ndarray:
    """(n, 800) descriptors -> (n, 200) float32 vectors in `space` (compare them by cosine)."""
    z = (np.asarray(descriptors, dtype=np.float32) - space.mean) / space.scale
    return (z @ space.projection).astype(np.float32)
