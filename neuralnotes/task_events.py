"""Task failures and retries, counted in Redis where every host can read them.

Celery workers run on other hosts than the web processes that answer ``/metrics`` and the
operations page, so a count kept in a worker's memory would be seen by nobody. Each failure and
retry increments a per-task count in a Redis hash (``REDIS_URL``), and each failure also leaves a
short entry on a list of the latest failures.

Recording never raises: a task must not fail, or fail differently, because the place its failure
is counted in is down. The signal handlers at the end connect when this module is imported
(``neuralnotes.celery`` imports it, so every worker records).
"""

from __future__ import annotations

import json
import logging
import socket
import time
from datetime import UTC, datetime

import redis
from celery import signals
from django.conf import settings

from neuralnotes.embedded import redis_py_url

logger = logging.getLogger(__name__)

FAILURES_KEY = "neuralnotes:tasks:failures"  # hash: task name -> failures so far
RETRIES_KEY = "neuralnotes:tasks:retries"  # hash: task name -> retries so far
RECENT_FAILURES_KEY = "neuralnotes:tasks:recent-failures"  # list of JSON entries, newest first
RECENT_FAILURES_KEPT = 100
# An error message or argument list longer than this is cut: the list is for reading, not a log.
MAX_TEXT = 2000
REDIS_TIMEOUT_S = 1.0


def _redis() -> redis.Redis:
    return redis.Redis.from_url(
        redis_py_url(settings.REDIS_URL),
        socket_connect_timeout=REDIS_TIMEOUT_S,
        socket_timeout=REDIS_TIMEOUT_S,
        decode_responses=True,
    )


def task_failure_record(
    *, task_name: str, task_id: str, args: list | tuple, error: str, worker: str
) -> None:
    """Count a failure of ``task_name`` and keep it among the latest failures. Never raises."""
    entry = json.dumps(
        {
            "task": task_name,
            "task_id": task_id,
            "args": json.dumps(list(args or ()), default=repr)[:MAX_TEXT],
            "error": error[:MAX_TEXT],
            "worker": worker,
            "time": time.time(),
        }
    )
    try:
        with _redis() as client, client.pipeline() as pipe:
            pipe.hincrby(FAILURES_KEY, task_name, 1)
            pipe.lpush(RECENT_FAILURES_KEY, entry)
            pipe.ltrim(RECENT_FAILURES_KEY, 0, RECENT_FAILURES_KEPT - 1)
            pipe.execute()
    except redis.RedisError as exc:
        logger.warning(
            "task failure not counted: redis unreachable",
            extra={"task": task_name, "task_id": task_id, "error": str(exc)},
        )


def task_retry_record(*, task_name: str) -> None:
    """Count a retry of ``task_name``. Never raises."""
    try:
        with _redis() as client:
            client.hincrby(RETRIES_KEY, task_name, 1)
    except redis.RedisError as exc:
        logger.warning(
            "task retry not counted: redis unreachable",
            extra={"task": task_name, "error": str(exc)},
        )


def task_event_counts() -> dict[str, dict[str, int]]:
    """Failures and retries so far, by task name: ``{"failures": {...}, "retries": {...}}``.

    Raises ``redis.RedisError`` when Redis is unreachable (the caller says so)."""
    with _redis() as client, client.pipeline(transaction=False) as pipe:
        pipe.hgetall(FAILURES_KEY)
        pipe.hgetall(RETRIES_KEY)
        failures, retries = pipe.execute()
    return {
        "failures": {name: int(n) for name, n in failures.items()},
        "retries": {name: int(n) for name, n in retries.items()},
    }


def recent_task_failures(limit: int = 20) -> list[dict]:
    """The latest task failures, newest first: task, task_id, args (JSON text), error, worker and
    ``at`` (an aware datetime). Raises ``redis.RedisError`` when Redis is unreachable."""
    with _redis() as client:
        raw = client.lrange(RECENT_FAILURES_KEY, 0, limit - 1)
    entries = []
    for item in raw:
        entry = json.loads(item)
        entry["at"] = datetime.fromtimestamp(entry.pop("time"), UTC)
        entries.append(entry)
    return entries


@signals.task_failure.connect
def _record_task_failure(sender, task_id, exception, args, **_: object) -> None:
    task_failure_record(
        task_name=sender.name,
        task_id=task_id or "",
        args=args,
        error=f"{type(exception).__name__}: {exception}",
        # A time limit is reported by the worker's main process, outside any task request.
        worker=getattr(sender.request, "hostname", None) or socket.gethostname(),
    )


@signals.task_retry.connect
def _record_task_retry(sender, **_: object) -> None:
    task_retry_record(task_name=sender.name)
