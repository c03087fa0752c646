"""Reads of the catalogue: querysets and plain values for pages, the API and commands."""

from __future__ import annotations

from django.db.models import Count, Max, Min, Q

from songs.models import Song, UploadBatch


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
