"""Reads of the catalogue: querysets and plain values for pages, the API and commands."""

from __future__ import annotations

import random
from collections.abc import Sequence

from django.db.models import (
    Avg,
    Case,
    Count,
    IntegerField,
    Max,
    Min,
    Q,
    QuerySet,
    Subquery,
    When,
)
from pgvector.django import CosineDistance, VectorField

from songs.models import EmbeddingModel, Song, UploadBatch


def batch_progress(*, batch: UploadBatch) -> dict:
    """How far the batch's analysis has got: songs per state, songs analysed per minute so far,
    and the minutes left at that rate (None until there is a rate)."""
    songs = Song.objects.filter(batch=batch)
    counts = songs.aggregate(
        total=Count("id"),
        **{state: Count("id", filter=Q(status=state)) for state in Song.Status.values},
    )
    finished = songs.filter(status__in=[Song.Status.READY, Song.Status.FAILED])
    window = finished.aggregate(first=Min("processing_started_at"), last=Max("updated_at"))
    per_minute = None
    minutes_left = None
    done = counts[Song.Status.READY] + counts[Song.Status.FAILED]
    if done and window["first"] and window["last"] and window["last"] > window["first"]:
        per_minute = done / ((window["last"] - window["first"]).total_seconds() / 60)
        waiting = counts[Song.Status.PENDING] + counts[Song.Status.PROCESSING]
        minutes_left = waiting / per_minute
    return {
        "counts": counts,
        "songs_per_minute": round(per_minute, 1) if per_minute else None,
        "minutes_left": round(minutes_left, 1) if minutes_left is not None else None,
        "finished": done == counts["total"],
        "rejected": batch.rejected,
        "duplicates": batch.duplicates,
    }


SONG_LIST_FIELDS = ("id", "title", "artist", "album", "genre", "predicted_genre", "duration_s")


def active_embedding_model() -> EmbeddingModel | None:
    """The model search and the map use: its kind and id (not its standardisation arrays)."""
    return EmbeddingModel.objects.filter(is_active=True).only("id", "kind", "name").first()


def songs_matching(songs: QuerySet[Song], query: str) -> QuerySet[Song]:
    """``songs`` whose title, artist or album contains every word of ``query`` (up to 8 words)."""
    for word in query.split()[:8]:
        songs = songs.filter(
            Q(title__icontains=word) | Q(artist__icontains=word) | Q(album__icontains=word)
        )
    return songs


def songs_search(*, query: str, limit: int = 10) -> list[Song]:
    """Analysed songs whose title, artist or album contains every word of ``query``; titles that
    start with the query first."""
    songs = songs_matching(Song.objects.filter(status=Song.Status.READY), query)
    ranked = songs.annotate(
        starts=Case(
            When(title__istartswith=query.strip(), then=0), default=1, output_field=IntegerField()
        )
    )
    return list(ranked.order_by("starts", "title", "id")[:limit])


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
    model = active_embedding_model()
    if model is None:
        return []
    # The song's own vector stays in the database (a subquery): no round trip, no parsing.
    own = model.vector_table.objects.filter(model=model, song_id=song.id).values("vector")[:1]
    return songs_near_vector(
        vector=Subquery(own),
        model=model,
        k=k,
        max_distance=max_distance,
        exclude=song,
        fields=fields,
    )


def songs_near_vector(
    *,
    vector,
    model: EmbeddingModel,
    k: int = 10,
    max_distance: float | None = None,
    exclude: Song | None = None,
    fields: Sequence[str] = SONG_LIST_FIELDS,
) -> list[tuple[Song, float]]:
    """The k analysed songs nearest to ``vector`` (in ``model``'s space), nearest first."""
    table = model.vector_table
    distance = CosineDistance("vector", vector)
    # Vectors are written in the transaction that makes a song ready, so no join on the song's
    # state is needed here (it would cost the index scan its speed). The HNSW search breadth and
    # iterative scan are session settings (neuralnotes.settings.base.database_from_url).
    rows = table.objects.filter(model=model).annotate(distance=distance).order_by(distance)
    if exclude is not None:
        rows = rows.exclude(song_id=exclude.id)
    if max_distance is not None:
        rows = rows.filter(distance__lte=max_distance)
    nearest = list(rows.values_list("song_id", "distance")[:k])
    if nearest and nearest[0][1] is None:
        return []  # no vector to search from: the distances are NULL
    # Only what a list shows: building full songs (three arrays each) costs more than the search.
    ready = Song.objects.filter(status=Song.Status.READY).only(*fields)
    songs = ready.in_bulk([song_id for song_id, _ in nearest])
    # Equal distances in id order: every caller, and every k, sees the same order.
    ranked = sorted((d, sid) for sid, d in nearest if sid in songs)
    return [(songs[sid], d) for d, sid in ranked]


def song_at_distance(
    *, song: Song, min_distance: float, max_distance: float, seed: int | None = None
) -> tuple[Song, float] | None:
    """A random analysed song whose distance from ``song`` lies between the two bounds (exact
    search: "surprise me" wants songs outside the near neighbourhood the index serves best)."""
    model = active_embedding_model()
    if model is None:
        return None
    table = model.vector_table
    own = table.objects.filter(model=model, song=song).values_list("vector", flat=True).first()
    if own is None:
        return None
    candidates = (
        table.objects.filter(model=model, song__status=Song.Status.READY)
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
    model = active_embedding_model()
    if model is None:
        return []
    table = model.vector_table
    own = table.objects.filter(
        model=model, song__artist_key=artist_key, song__status=Song.Status.READY
    )
    centre = own.values("model").annotate(centre=Avg("vector", output_field=VectorField()))
    own_count = own.count()
    distance = CosineDistance("vector", Subquery(centre.values("centre")[:1]))
    nearest = list(
        table.objects.filter(model=model)
        .annotate(distance=distance)
        .order_by(distance)
        .values_list("song_id", "distance")[: own_count + 50 * k]
    )
    if not nearest or nearest[0][1] is None:
        return []  # the artist has no vectors: nothing to search from
    keys = dict(
        Song.objects.filter(status=Song.Status.READY, id__in=[song_id for song_id, _ in nearest])
        .exclude(artist_key=artist_key)
        .values_list("id", "artist_key")
    )
    best: dict[str, float] = {}
    for song_id, d in nearest:
        key = keys.get(song_id)
        if key is not None and key not in best:
            best[key] = d  # the rows come nearest first: the first is the artist's best
    return sorted(best.items(), key=lambda item: (item[1], item[0]))[:k]
