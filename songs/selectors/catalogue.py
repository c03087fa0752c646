"""Reads of the catalogue itself: what a list shows, a batch's progress, names, artists, and the
near-duplicates a manager reviews."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.contrib.postgres.search import SearchQuery
from django.db.models import Case, Count, IntegerField, Max, Min, Q, QuerySet, When

from songs.models import NearDuplicate, Song, UploadBatch


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


def songs_matching(songs: QuerySet[Song], query: str) -> QuerySet[Song]:
    """``songs`` whose title, artist or album contains every word of ``query`` (up to 8 words)."""
    for word in query.split()[:8]:
        songs = songs.filter(
            Q(title__icontains=word) | Q(artist__icontains=word) | Q(album__icontains=word)
        )
    return songs


def query_words(query: str) -> list[str]:
    """The words of a name search, as the searches read them: up to 8, split at white space,
    without NUL (which no name holds)."""
    return query.replace("\x00", "").split()[:8]


def name_words_query(query: str) -> SearchQuery | None:
    """What ``query`` asks of Song.search_document: a word of the title, artist or album that
    starts with each of its words (query_words, without case), each parsed as the document was
    (so "AC/DC" is one word and "Jay-Z" three); None when it has no words. Each word is quoted,
    so none of them is read as an operator."""
    words = query_words(query)
    if not words:
        return None
    quoted = ("'" + word.replace("\\", "\\\\").replace("'", "''") + "':*" for word in words)
    return SearchQuery(" & ".join(quoted), search_type="raw", config="simple")


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
