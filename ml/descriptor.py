"""A song's audio descriptor, and the catalogue-fitted space in which songs are compared.

The descriptor pools both musicnn models' 200-d penultimate layers over a song's analysed
patches: for each model the mean and the standard deviation over the patches, 800 numbers. The
Million Song Dataset model knows genres and moods, the MagnaTagATune one instruments and
textures; the spread says how much a song changes, which a mean alone cannot.

Songs are compared in a space fitted on the catalogue (`fit_space`): each of the four blocks
z-scored per dimension over the catalogue and given the same weight, then turned by a fixed,
seeded random rotation onto 200 axes (800 numbers would make the index four times larger).
The rotation is the same for every catalogue and song, so a song the statistics were not
fitted on (the demo's, or one added since) keeps its place among the others; the catalogue's
own principal axes would drop whatever lies outside the songs they were fitted on, which
turned the demo's songs into everyone's neighbours (bench/similarity.py, 5 patches: precision@5
with the demo as distractors 0.38 on principal axes, 0.435 on the rotation, 0.43 with all 800
numbers).

Measured there on real recordings (191 tracks of 8 soundtracks, precision@5 of same-soundtrack
neighbours, 5 patches): the descriptor 0.52, where the MSD mean alone, the platform's embedding
before, gave 0.46 and MFCC statistics 0.37. Whitening (0.49 at half, 0.18 full), removing the
top principal axes (0.48 without the first), hubness re-ranking (CSLS 0.51, mutual proximity
0.51), adding tags, MFCCs, log-mel statistics or the VGG checkpoints, and a self-supervised head
trained on views of each song (0.43) all did no better, or not consistently, so none of them is
here.
"""

from __future__ import annotations

import functools
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
    projection: np.ndarray  # (800, 200) float32, orthonormal columns (random_rotation)


ROTATION_SEED = 0


@functools.cache
def random_rotation(seed: int = ROTATION_SEED) -> np.ndarray:
    """(800, 200) float32 with orthonormal columns, the same for a given seed: the QR
    decomposition of a seeded Gaussian matrix. Cosines after it stay close to those before."""
    gaussian = np.random.default_rng(seed).normal(size=(DESCRIPTOR_DIM, SPACE_DIM))
    q, r = np.linalg.qr(gaussian)
    return (q * np.sign(np.diag(r))).astype(np.float32)


def fit_space(descriptors: np.ndarray) -> DescriptorSpace:
    """Fit the comparison space on a catalogue's descriptors, (n, 800) with n >= 2.

    Each dimension is z-scored, and each block divided by the square root of its size, so that
    every block weighs the same in a cosine; then the fixed random rotation. Deterministic.
    """
    x = np.asarray(descriptors, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != DESCRIPTOR_DIM or len(x) < 2:
        raise ValueError(f"expected (n >= 2, {DESCRIPTOR_DIM}) descriptors, got {x.shape}")
    std = x.std(axis=0)
    std[std < 1e-8] = 1.0
    return DescriptorSpace(
        mean=x.mean(axis=0).astype(np.float32),
        scale=(std * np.sqrt(PENULTIMATE_DIM)).astype(np.float32),
        projection=random_rotation(),
    )


def embed(descriptors: np.ndarray, space: DescriptorSpace) -> np.ndarray:
    """(n, 800) descriptors -> (n, 200) float32 vectors in `space` (compare them by cosine)."""
    z = (np.asarray(descriptors, dtype=np.float32) - space.mean) / space.scale
    return (z @ space.projection).astype(np.float32)
