"""Reads of the catalogue: querysets and plain values for pages, the API and commands."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.contrib.postgres.search import SearchQuery
from django.core.cache import cache
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

from ml.alchemy import alchemy_vector
from ml.vocabulary import Understanding, tag_weights, understand
from neuralnotes.errors import DomainError
from songs.models import EmbeddingModel, NearDuplicate, Song, UploadBatch
from songs.tag_matrix import tag_matrix


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
    return EmbeddingModel.objects.only("id", "kind", "name").active()


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
    songs = songs_matching(Song.objects.ready(), query)
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
    exclude: Song | Sequence[int] | None = None,
    fields: Sequence[str] = SONG_LIST_FIELDS,
) -> list[tuple[Song, float]]:
    """The k analysed songs nearest to ``vector`` (in ``model``'s space), nearest first, never
    ``exclude`` (a song, or song ids)."""
    table = model.vector_table
    distance = CosineDistance("vector", vector)
    # Vectors are written in the transaction that makes a song ready, so no join on the song's
    # state is needed here (it would cost the index scan its speed). The HNSW search breadth and
    # iterative scan are session settings (neuralnotes.settings.base.database_from_url).
    rows = table.objects.filter(model=model).annotate(distance=distance).order_by(distance)
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
    model = active_embedding_model()
    if model is None:
        return None
    table = model.vector_table
    own = table.objects.filter(model=model, song=song).values_list("vector", flat=True).first()
    if own is None:
        return None
    candidates = (
        table.objects.filter(Song.ready_q("song"), model=model)
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
    own = table.objects.filter(Song.ready_q("song"), model=model, song__artist_key=artist_key)
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


# --- Search by words ---------------------------------------------------------------------------

GENRES_CACHE_KEY = "catalogue-genres"
GENRES_CACHE_SECONDS = 60


def catalogue_genres() -> list[str]:
    """Every genre a listener can meet: the labels, and the genres predicted for unlabelled songs
    (cached for a minute: a new genre is rare, the query scans the catalogue)."""
    genres = cache.get(GENRES_CACHE_KEY)
    if genres is None:
        ready = Song.objects.ready()
        labels = set(ready.exclude(genre="").values_list("genre", flat=True).distinct())
        predicted = ready.filter(genre="").exclude(predicted_genre="")
        labels |= set(predicted.values_list("predicted_genre", flat=True).distinct())
        genres = sorted(labels)
        cache.set(GENRES_CACHE_KEY, genres, GENRES_CACHE_SECONDS)
    return genres


def _name_query(word: str) -> SearchQuery:
    """Titles, artists or albums with a word starting with ``word`` (letters and digits only)."""
    return SearchQuery(f"'{word}':*", search_type="raw", config="simple")


def _is_name_word(word: str) -> bool:
    if not re.fullmatch(r"\w+", word):
        return False
    return Song.objects.ready().filter(search_document=_name_query(word)).exists()


@dataclass(frozen=True)
class WordSearch:
    """What a word search understood, and the songs it found: best first, each with ``match``,
    the geometric mean over the query's tag terms of their probability for the song (None when
    the query had no tag words and the songs are only filtered by names and genres)."""

    understanding: Understanding
    songs: list[tuple[Song, float | None]]


def songs_by_words(
    *, query: str, k: int = 50, use_genres: bool = True, fields: Sequence[str] = SONG_LIST_FIELDS
) -> WordSearch:
    """Analysed songs for free words ("calm piano", "fast electronic female vocals", "bach").

    Words are understood by ml.vocabulary.understand: tag words rank the songs by the product of
    their tags' probabilities (the weighted sum of their log-probabilities, an exact ranking of
    every song's tag vector in songs.tag_matrix); genre words keep the songs of those genres (the
    label, else the predicted genre); words of titles, artists and albums keep the songs whose
    names have them. ``use_genres=False`` reads genre names as tags only (evaluation)."""
    understanding = understand(
        query, genres=catalogue_genres() if use_genres else (), is_name_word=_is_name_word
    )
    weights = tag_weights(understanding)
    names = understanding.of_kind("name")
    genres = {genre for term in understanding.of_kind("genre") for genre in term.genres}
    if not (weights or names or genres):
        return WordSearch(understanding, [])

    songs = Song.objects.ready()
    for term in names:
        songs = songs.filter(search_document=_name_query(term.text))
    if genres:
        songs = songs.filter(Q(genre__in=genres) | Q(genre="", predicted_genre__in=genres))
    if not weights:
        found = songs.only(*fields).order_by("artist", "album", "track_number", "title", "id")
        return WordSearch(understanding, [(song, None) for song in found[:k]])

    if names:  # words of names are rare: read the songs that have them
        allowed = np.fromiter(songs.values_list("id", flat=True), np.int64)
        ranked = tag_matrix.best(weights, k + 20, allowed)
    else:  # a genre is common: take the best songs until enough of them are of the genre
        ranked = _best_in(songs, weights, k, filtered=bool(genres))
    found = Song.objects.ready().only(*fields).in_bulk([song_id for song_id, _ in ranked])
    terms = sum(1 for term in understanding.terms if term.tag_indices)
    return WordSearch(
        understanding,
        [
            (found[song_id], float(np.exp(score / terms)))
            for song_id, score in ranked
            if song_id in found
        ][:k],
    )


def _best_in(
    songs: QuerySet[Song], weights: dict[int, float], k: int, *, filtered: bool
) -> list[tuple[int, float]]:
    """tag_matrix.best, keeping only ``songs``: candidates in growing rounds (500, 4,000, all),
    each checked against the database, until k of them pass. A few more than k are read in any
    case: rows of songs deleted since the copy was read are dropped by the caller."""
    if not filtered:
        return tag_matrix.best(weights, k + 20)
    for size in (500, 4_000, None):
        ranked = tag_matrix.best(weights, size or len(tag_matrix.ids))
        passing = set(
            songs.filter(id__in=[song_id for song_id, _ in ranked]).values_list("id", flat=True)
        )
        kept = [(song_id, score) for song_id, score in ranked if song_id in passing]
        if len(kept) >= k or size is None:
            break
    return kept[: k + 20]


# --- Song alchemy ------------------------------------------------------------------------------


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
    vector in the active model (not analysed, or not visible)."""
    if not add:
        raise AlchemyError("Add at least one song.")
    ids = [song_id for song_id, _ in (*add, *subtract)]
    if len(set(ids)) != len(ids):
        raise AlchemyError("A song can be added or subtracted once, not twice.")
    model = active_embedding_model()
    if model is None:
        raise AlchemyError("No song has been analysed yet.")
    vectors = dict(
        model.vector_table.objects.filter(
            Song.ready_q("song"), model=model, song_id__in=ids
        ).values_list("song_id", "vector")
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
    return songs_near_vector(vector=target, model=model, k=k, exclude=ids, fields=fields)


# What a manager compares two copies by.
DUPLICATE_SONG_FIELDS = (
    "id", "title", "artist", "album", "duration_s", "sample_rate", "channels", "audio_format",
    "size_bytes", "original_name", "created_at", "audio",
)  # fmt: skip


def near_duplicates_to_review() -> QuerySet[NearDuplicate]:
    """Pairs a manager has not dismissed, of two analysed songs, nearest first, each with both
    songs' facts (not their arrays)."""
    fields = [f"{side}__{name}" for side in ("song", "other") for name in DUPLICATE_SONG_FIELDS]
    return (
        NearDuplicate.objects.filter(Song.ready_q("song"), Song.ready_q("other"), dismissed=False)
        .select_related("song", "other")
        .only("distance", "found_at", "dismissed", "song_id", "other_id", *fields)
        .order_by("distance", "song_id", "other_id")
    )


ARTIST_KEY = re.compile(r"[0-9a-f]{32}")  # Song.artist_key: MD5 of the lower-cased name


def artist_summary(*, songs: QuerySet[Song], artist_key: str) -> dict | None:
    """The artist among ``songs`` (what the caller may see), or None if it has no song there:
    {"key", "name", "song_count", "albums": [{"key", "name", "year", "song_count"}]}, albums
    by name. Its name is the spelling its songs sort first by (the key ignores case). A key
    that is no MD5 in hex is no artist (nor a query with a NUL in it)."""
    if not ARTIST_KEY.fullmatch(artist_key):
        return None
    own = songs.filter(artist_key=artist_key)
    albums = list(
        own.values("album_key")
        .annotate(name=Min("album"), year=Max("year"), song_count=Count("id"))
        .order_by("name", "album_key")
    )
    if not albums:
        return None
    return {
        "key": artist_key,
        "name": own.aggregate(name=Min("artist"))["name"],
        "song_count": sum(album["song_count"] for album in albums),
        "albums": [{"key": a.pop("album_key"), **a} for a in albums],
    }


def artists_named(*, artist_keys: Sequence[str]) -> dict[str, dict]:
    """{key: {"name", "song_count"}} of these artists' analysed songs (one query)."""
    rows = (
        Song.objects.ready()
        .filter(artist_key__in=list(artist_keys))
        .values("artist_key")
        .annotate(name=Min("artist"), song_count=Count("id"))
    )
    return {
        row["artist_key"]: {"name": row["name"], "song_count": row["song_count"]} for row in rows
    }
