"""Song alchemy: "this, but less rock and more jazz" as arithmetic on embedding vectors."""

from __future__ import annotations

import numpy as np

from ml.projection import unit_rows


def alchemy_vector(
    add: np.ndarray,
    add_weights: np.ndarray,
    subtract: np.ndarray | None = None,
    subtract_weights: np.ndarray | None = None,
) -> np.ndarray:
    """The direction to search from: the weighted mean of the added songs minus the subtracted
    songs, each scaled to unit length, subtracted weights counted against the added ones' total.

    add: (n_add, d) vectors, add_weights: (n_add,) > 0; subtract: (n_sub, d) or None,
    subtract_weights: (n_sub,) > 0. Returns (d,) float32 of unit length, for a cosine search.
    With one song added and one subtracted at weight 1 this is the classic a - b. Raises
    ValueError when the songs cancel out (nothing left to search from) or a weight is not > 0.
    """
    add_weights = np.asarray(add_weights, np.float64)
    if len(add) == 0 or np.any(add_weights <= 0):
        raise ValueError("add at least one song, every weight above 0")
    target = add_weights @ unit_rows(add) / add_weights.sum()
    if subtract is not None and len(subtract):
        subtract_weights = np.asarray(subtract_weights, np.float64)
        if np.any(subtract_weights <= 0):
            raise ValueError("every weight must be above 0")
        target = target - subtract_weights @ unit_rows(subtract) / add_weights.sum()
    norm = np.linalg.norm(target)
    if norm < 1e-6:
        raise ValueError("the added and subtracted songs cancel out")
    return (target / norm).astype(np.float32)
