"""Song alchemy: the songs nearest to a weighted sum and difference of songs."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ml.alchemy import alchemy_vector
from neuralnotes.errors import DomainError
from songs.models import Song
from songs.selectors.catalogue import SONG_LIST_FIELDS
from songs.selectors.similarity import active_embedding_model, songs_near_vector


class AlchemyError(DomainError, ValueError):
    """The songs given cannot be combined; the message says why."""

    field = "add"


def songs_alchemy(
    *,
    add: Sequence[tuple[int, float]],
    subtract: Sequence[tuple[int, float]] = (),
    k: int = 20,
    fields: Sequence[str] = SONG_LIST_FIELDS,
) -> list[tuple[Song, float]]:
    """The k analysed songs nearest (cosine, active embedding model) to the added songs' vectors
    minus the subtracted ones', each weighted; never one of the input songs.

    add, subtract: (song id, weight > 0) pairs. Each vector is scaled to unit length first, so
    that every song counts by its weight alone (ml.alchemy.alchemy_vector).
    Raises AlchemyError when no song is added, a song is given twice, or an input song has no
    vector in the active embedding model (not analysed, or not visible)."""
    if not add:
        raise AlchemyError("Add at least one song.")
    ids = [song_id for song_id, _ in (*add, *subtract)]
    if len(set(ids)) != len(ids):
        raise AlchemyError("A song can be added or subtracted once, not twice.")
    embedding_model = active_embedding_model()
    if embedding_model is None:
        raise AlchemyError("No song has been analysed yet.")
    vectors = dict(
        embedding_model.vectors()
        .filter(Song.ready_q("song"), song_id__in=ids)
        .values_list("song_id", "vector")
    )
    missing = [song_id for song_id in ids if song_id not in vectors]
    if missing:
        raise AlchemyError(f"No analysed song with id {', '.join(map(str, missing))}.")
    try:
        target = alchemy_vector(
            np.stack([vectors[i] for i, _ in add]),
            np.array([w for _, w in add]),
            np.stack([vectors[i] for i, _ in subtract]) if subtract else None,
            np.array([w for _, w in subtract]) if subtract else None,
        )
    except ValueError as exc:
        raise AlchemyError(f"These songs cannot be combined: {exc}.") from exc
    return songs_near_vector(
        vector=target, embedding_model=embedding_model, k=k, exclude=ids, fields=fields
    )
