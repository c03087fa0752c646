"""What the platform is doing right now, for staff and for ``/metrics``: songs by state, the
analysis rate, the Celery workers and what they run, and the latest failures.

Every read that depends on another service (the broker, Redis) may fail on its own; callers show
that service as unreachable and carry on with the rest.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import redis
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from neuralnotes import broker, task_events
from neuralnotes.celery import app as celery_app
from neuralnotes.celery import task_song_id
from songs.models import EmbeddingModel, Song
from songs.services.embeddings import embedding_refit_reason

# The analysis rate is songs analysed over this last stretch of time, per minute.
RATE_WINDOW = timedelta(minutes=5)
INSPECT_TIMEOUT_S = 1.0
FAILED_SONGS_SHOWN = 20
TASK_FAILURES_SHOWN = 20


def song_counts() -> dict:
    """Songs in each state (every state present, 0 when empty), songs analysed so far and songs
    analysed per minute over the last ``RATE_WINDOW``: one scan of the songs table."""
    since = timezone.now() - RATE_WINDOW
    counts = Song.objects.aggregate(
        **{state: Count("id", filter=Q(status=state)) for state in Song.Status.values},
        analysed=Count("id", filter=Q(analysed_at__isnull=False)),
        analysed_recently=Count("id", filter=Q(analysed_at__gte=since)),
    )
    return {
        "by_state": {state: counts[state] for state in Song.Status.values},
        "analysed": counts["analysed"],
        "per_minute": counts["analysed_recently"] / (RATE_WINDOW.total_seconds() / 60),
    }


def songs_failed_latest(*, limit: int = FAILED_SONGS_SHOWN) -> list[Song]:
    """The songs whose analysis failed most recently, with their error."""
    return list(
        Song.objects.filter(status=Song.Status.FAILED)
        .only("id", "title", "artist", "error", "attempts", "updated_at", "batch_id")
        .order_by("-updated_at")[:limit]
    )


def celery_workers(*, timeout: float = INSPECT_TIMEOUT_S) -> list[dict]:
    """Every worker that answers within ``timeout``, by name: its pool (kind and size), uptime
    (a timedelta) and the tasks it runs now (name, id, args, song id, start time).

    Takes ``timeout`` seconds (the broadcast waits that long for workers to answer); raises the
    broker's error when it is unreachable."""
    stats = celery_app.control.inspect(timeout=timeout).stats() or {}
    if not stats:
        return []
    # Now that we know who answers, the second broadcast returns as soon as they all have.
    active = (
        celery_app.control.inspect(
            timeout=timeout, destination=list(stats), limit=len(stats)
        ).active()
        or {}
    )
    workers = []
    for name in sorted(stats):
        pool, uptime = stats[name].get("pool") or {}, stats[name].get("uptime")
        tasks = []
        for request in active.get(name) or []:
            args, kwargs = request.get("args") or [], request.get("kwargs") or {}
            started = request.get("time_start")
            tasks.append(
                {
                    "name": request.get("name", ""),
                    "id": request.get("id", ""),
                    "args": args,
                    "song_id": task_song_id(
                        celery_app.tasks.get(request.get("name", "")), args, kwargs
                    ),
                    "started": datetime.fromtimestamp(started, UTC) if started else None,
                }
            )
        workers.append(
            {
                "name": name,
                # "celery.concurrency.prefork:TaskPool" -> "prefork"
                "pool": str(pool.get("implementation", "")).split(":")[0].rsplit(".", 1)[-1],
                "concurrency": pool.get("max-concurrency"),
                "processes": len(pool.get("processes") or []) or None,
                "uptime": timedelta(seconds=uptime) if uptime is not None else None,
                "active": tasks,
            }
        )
    return workers


def _unreachable(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}".strip()


@never_cache
@require_GET
def operations(request: HttpRequest) -> HttpResponse:
    """The staff page of operations. Renders whatever is down: each part that cannot be read
    says why instead."""
    if not request.user.is_staff:
        raise PermissionDenied
    songs = song_counts()
    context: dict = {
        "songs": songs,
        "states": [(label, songs["by_state"][value]) for value, label in Song.Status.choices],
        "failed_songs": songs_failed_latest(),
        "rate_window_minutes": int(RATE_WINDOW.total_seconds() // 60),
        "embedding_models": EmbeddingModel.objects.defer("feature_mean", "feature_std"),
        "refit_reason": embedding_refit_reason(),
        "refit_share_percent": round(100 * settings.EMBEDDING_REFIT_SHARE),
    }
    try:
        broker.broker_ping()
    except Exception as exc:  # any broker error means the same here: it cannot be read
        context["broker_error"] = _unreachable(exc)
    else:
        try:
            context["queues"] = broker.queue_depths()
            context["workers"] = celery_workers()
        except Exception as exc:
            context["broker_error"] = _unreachable(exc)
    try:
        counts = task_events.task_event_counts()
        context["task_counts"] = [
            (name, counts["failures"].get(name, 0), counts["retries"].get(name, 0))
            for name in sorted(counts["failures"].keys() | counts["retries"].keys())
        ]
        context["task_failures"] = task_events.recent_task_failures(TASK_FAILURES_SHOWN)
    except redis.RedisError as exc:
        context["redis_error"] = _unreachable(exc)
    return render(request, "operations.html", context)
