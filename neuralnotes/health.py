"""``/healthz`` and ``/readyz``, for load balancers, orchestrators and operators.

``/healthz`` is liveness: this web process answers. It touches no other service, so an outage of
the database never gets healthy web processes restarted.

``/readyz`` is readiness: is every service the platform depends on reachable right now (database,
pgvector, broker, media storage, at least one worker)? Each check answers quickly (a second or so
at worst) so that an answer comes even when a service hangs. 200 when every check passes, 503
otherwise, with the failing check named. ``?deep=1`` also sends a task through a worker and waits
for its answer (``make run`` waits for that before it prints the address).

Anyone may ask, so an anonymous answer is cheap and tells nothing of the inside: each check's name
and whether it passed, never ``deep`` (seconds of a web process each time), nor error texts,
the bucket, versions or the workers' host names. Those are for staff and for a monitor sending
``Authorization: Bearer <METRICS_TOKEN>``, the callers ``/metrics`` answers.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from django.contrib.auth.decorators import login_not_required
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from neuralnotes.broker import broker_ping
from neuralnotes.celery import app as celery_app
from neuralnotes.metrics import scrape_allowed
from neuralnotes.outages import SERVICE_DOWN_ERRORS

WORKER_PING_TIMEOUT_S = 1.0
ROUND_TRIP_TIMEOUT_S = 5.0


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {}


def check_pgvector() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        row = cursor.fetchone()
        if row is None:
            raise RuntimeError("the vector extension is not installed; run manage.py migrate")
        cursor.execute("SELECT '[1,0]'::vector <=> '[0,1]'::vector")
        cursor.fetchone()
    return {"version": row[0]}


def check_broker() -> dict:
    broker_ping()
    return {}


def check_storage() -> dict:
    """The media storage answers: the bucket for object storage, a writable folder on disk."""
    bucket = getattr(default_storage, "bucket", None)
    if bucket is not None:  # django-storages' S3Storage
        bucket.meta.client.head_bucket(Bucket=bucket.name)
        return {"bucket": bucket.name}
    location = Path(default_storage.location)
    location.mkdir(parents=True, exist_ok=True)  # as the first upload would
    if not os.access(location, os.W_OK):
        raise RuntimeError(f"the media folder {location} is not writable")
    return {}


def check_worker(*, all_workers: bool = False) -> dict:
    """Ping the workers. By default the first answer is enough; ``all_workers`` waits out the
    timeout to list every worker that answers."""
    replies = celery_app.control.ping(
        timeout=WORKER_PING_TIMEOUT_S, limit=None if all_workers else 1
    )
    if not replies:
        raise RuntimeError(f"no Celery worker answered within {WORKER_PING_TIMEOUT_S} s")
    return {"workers": sorted(name for reply in replies for name in reply)}


def check_task_round_trip() -> dict:
    """Send a real task and wait for its result: broker, worker, the worker's database, results."""
    from neuralnotes.tasks import worker_database_check

    result = worker_database_check.apply_async(expires=ROUND_TRIP_TIMEOUT_S)
    try:
        return result.get(timeout=ROUND_TRIP_TIMEOUT_S)
    finally:
        result.forget()


CHECKS: dict[str, Callable[[], dict]] = {
    "database": check_database,
    "pgvector": check_pgvector,
    "broker": check_broker,
    "storage": check_storage,
    "worker": check_worker,
}
# A check is only tried once the checks it stands on have passed.
DEPENDS_ON = {"pgvector": "database", "worker": "broker", "task": "worker"}


def run_checks(*, deep: bool = False) -> dict[str, dict]:
    """Run every check; ``deep`` adds a task round trip through a worker (slower, seconds)."""
    checks = CHECKS
    if deep:
        checks = {
            **CHECKS,
            "worker": partial(check_worker, all_workers=True),
            "task": check_task_round_trip,
        }
    results: dict[str, dict] = {}
    for name, check in checks.items():
        prerequisite = DEPENDS_ON.get(name)
        if prerequisite and not results[prerequisite]["ok"]:
            results[name] = {"ok": False, "error": f"skipped: {prerequisite} is down"}
            continue
        started = time.perf_counter()
        try:
            results[name] = {"ok": True, **check()}
        except Exception as exc:  # any failure of a service is a result to report, not a crash
            results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}".strip()}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return results


@never_cache
@require_GET
@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def details_allowed(request: HttpRequest) -> bool:
    """Staff or the metrics token (checked first: it reads no database). A session that cannot
    be read because the database is down counts as anonymous: readiness must still answer."""
    try:
        return scrape_allowed(request)
    except SERVICE_DOWN_ERRORS:
        return False


@never_cache
@require_GET
@login_not_required
def readyz(request: HttpRequest) -> JsonResponse:
    details = details_allowed(request)
    results = run_checks(deep=details and request.GET.get("deep") == "1")
    ready = all(result["ok"] for result in results.values())
    if not details:
        results = {name: {"ok": result["ok"]} for name, result in results.items()}
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": results},
        status=200 if ready else 503,
    )
