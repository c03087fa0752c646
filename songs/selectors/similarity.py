"""Songs and artists near each other in the active embedding model (pgvector's HNSW index)."""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np
from django.db.models import Avg, Subquery
from pgvector.django import CosineDistance, VectorField

from neuralnotes.binary_copy import copy_rows, int4, vector
from songs.models import EmbeddingModel, Song
from songs.selectors.catalogue import SONG_LIST_FIELDS


def active_embedding_model() -> EmbeddingModel | None:
    """The embedding model search and the map use: its kind and id (not its statistics)."""
    return EmbeddingModel.objects.only("id", "kind", "name").active()


def embedding_model_vectors(embedding_model: EmbeddingModel) -> tuple[np.ndarray, np.ndarray]:
    """Every analysed song's vector in ``embedding_model``: (song ids (n,) int64, ascending;
    vectors (n, d) float32), read with one binary COPY (neuralnotes.binary_copy)."""
    rows = copy_rows(
        f"SELECT v.song_id::int4, v.vector FROM {embedding_model.vector_table._meta.db_table} v "
        f"JOIN {Song._meta.db_table} s ON s.id = v.song_id "
        "WHERE v.model_id = %s AND s.status = %s ORDER BY v.song_id",
        [embedding_model.id, Song.Status.READY.value],
        [int4("id"), vector("vector", embedding_model.dimension)],
    )
    return rows["id"].astype(np.int64), rows["vector"].astype(np.float32)


def songs_similar_to(
    *,
    song: Song,
    k: int = 10,
    max_distance: float | None = None,
    fields: Sequence[str] = SONG_LIST_FIELDS,
) -> list[tuple[Song, float]]:
    """The k nearest analysed songs by cosine distance in the active embedding model (pgvector's
    HNSW index), nearest first, optionally no farther than ``max_distance``; never the song.
    The songs come with ``fields`` loaded (what a list shows, unless the caller needs more)."""
    embedding_model = active_embedding_model()
    if embedding_model is None:
        return []
    # The song's own vector stays in the database (a subquery): no round trip, no parsing.
    own = embedding_model.vectors().filter(song_id=song.id).values("vector")[:1]
    return songs_near_vector(
        vector=Subquery(own),
        embedding_model=embedding_model,
        k=k,
        max_distance=max_distance,
        exclude=song,
        fields=fields,
    )


def songs_near_vector(
    *,
    vector,
    embedding_model: EmbeddingModel,
    k: int = 10,
    max_distance: float | None = None,
    exclude: Song | Sequence[int] | None = None,
    fields: Sequence[str] = SONG_LIST_FIELDS,
) -> list[tuple[Song, float]]:
    """The k analysed songs nearest to ``vector`` (in ``embedding_model``'s space), nearest
    first, never ``exclude`` (a song, or song ids)."""
    distance = CosineDistance("vector", vector)
    # Vectors are written in the transaction that makes a song ready, so no join on the song's
    # state is needed here (it would cost the index scan its speed). The HNSW search breadth and
    # iterative scan are session settings (neuralnotes.settings.base.database_from_url).
    rows = embedding_model.vectors().annotate(distance=distance).order_by(distance)
    if isinstance(exclude, Song):
        rows = rows.exclude(song_id=exclude.id)
    elif exclude:
        rows = rows.exclude(song_id__in=list(exclude))
    if max_distance is not None:
        rows = rows.filter(distance__lte=max_distance)
    nearest = list(rows.values_list("song_id", "distance")[:k])
    if nearest and nearest[0][1] is None:
        return []  # no vector to search from: the distances are NULL
    # Only what a list shows: building full songs (three arrays each) costs more than the search.
    ready = Song.objects.ready().only(*fields)
    songs = ready.in_bulk([song_id for song_id, _ in nearest])
    # Equal distances in id order: every caller, and every k, sees the same order.
    ranked = sorted((d, sid) for sid, d in nearest if sid in songs)
    return [(songs[sid], d) for d, sid in ranked]


def song_at_distance(
    *, song: Song, min_distance: float, max_distance: float, seed: int | None = None
) -> tuple[Song, float] | None:
    """A random analysed song whose distance from ``song`` lies between the two bounds (exact
    search: "surprise me" wants songs outside the near neighbourhood the index serves best)."""
    embedding_model = active_embedding_model()
    if embedding_model is None:
        return None
    own = embedding_model.vectors().filter(song=song).values_list("vector", flat=True).first()
    if own is None:
        return None
    candidates = (
        embedding_model.vectors()
        .filter(Song.ready_q("song"))
        .exclude(song=song)
        .annotate(distance=CosineDistance("vector", own))
        .filter(distance__gte=min_distance, distance__lte=max_distance)
    )
    count = candidates.count()
    if not count:
        return None
    index = random.Random(seed).randrange(count)
    song_id, distance = candidates.order_by("song_id").values_list("song_id", "distance")[index]
    return Song.objects.only(*SONG_LIST_FIELDS).get(id=song_id), distance


def artists_similar_to(*, artist_key: str, k: int = 20) -> list[tuple[str, float]]:
    """The k artists (artist keys) whose songs lie nearest to the centre of this artist's songs in
    the active embedding model, nearest first (each by its best song); never the artist.

    The centre is the mean of the artist's vectors, computed in the database and searched from
    through the HNSW index like a song's own vector; enough neighbours are read to get past the
    artist's own songs, which are usually the nearest."""
    embedding_model = active_embedding_model()
    if embedding_model is None:
        return []
    own = embedding_model.vectors().filter(Song.ready_q("song"), song__artist_key=artist_key)
    centre = own.values("model").annotate(centre=Avg("vector", output_field=VectorField()))
    own_count = own.count()
    distance = CosineDistance("vector", Subquery(centre.values("centre")[:1]))
    nearest = list(
        embedding_model.vectors()
        .annotate(distance=distance)
        .order_by(distance)
        .values_list("song_id", "distance")[: own_count + 50 * k]
    )
    if not nearest or nearest[0][1] is None:
        return []  # the artist has no vectors: nothing to search from
    keys = dict(
        Song.objects.ready()
        .filter(id__in=[song_id for song_id, _ in nearest])
        .exclude(artist_key=artist_key)
        .values_list("id", "artist_key")
    )
    best: dict[str, float] = {}
    for song_id, d in nearest:
        key = keys.get(song_id)
        if key is not None and key not in best:
            best[key] = d  # the rows come nearest first: the first is the artist's best
    return sorted(best.items(), key=lambda item: (item[1], item[0]))[:k]
