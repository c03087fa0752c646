"""``/metrics`` in Prometheus' text format: requests this site answered, and the state of the
platform read at scrape time (songs by state, the analysis rate, queue depths, task failures).

Requests are counted by the resolved URL pattern (``api/v1/songs/<int:pk>/``), never the raw
path: one series per page of the site, not one per song. Under gunicorn, set
``PROMETHEUS_MULTIPROC_DIR`` to an empty folder before it starts: each worker process then writes
its counts there and a scrape, answered by any one of them, sums them all.

The state of the platform is read by the process that answers the scrape, with a few cheap
queries; a service that is down is reported as such (``neuralnotes_broker_up 0``), it does not
fail the scrape.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Callable, Iterator

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from neuralnotes import broker, task_events
from neuralnotes.operations import song_counts

logger = logging.getLogger(__name__)

# Not in prometheus_client's global registry: each scrape builds its own (see metrics_registry).
HTTP_REQUESTS = Counter(
    "neuralnotes_http_requests",
    "Requests answered, by method, URL pattern and status class.",
    ["method", "route", "status"],
    registry=None,
)
HTTP_LATENCY = Histogram(
    "neuralnotes_http_request_duration_seconds",
    "Time to answer a request, by URL pattern.",
    ["route"],
    registry=None,
)
# Any other method a client invents is counted as "other": labels must stay a short list.
KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
UNMATCHED = "unmatched"


class RequestMetricsMiddleware:
    """Count each request and time it, labelled by the URL pattern that answered it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = (match.route or match.view_name or UNMATCHED) if match else UNMATCHED
        method = request.method if request.method in KNOWN_METHODS else "other"
        HTTP_REQUESTS.labels(method, route, f"{response.status_code // 100}xx").inc()
        HTTP_LATENCY.labels(route).observe(time.perf_counter() - started)
        return response


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


class PlatformCollector:
    """The platform's state, read from the database, the broker and Redis at each scrape."""

    def collect(self) -> Iterator[Metric]:
        yield from self._songs()
        yield from self._queues()
        yield from self._task_events()

    def _songs(self) -> Iterator[Metric]:
        try:
            counts = song_counts()
        except DatabaseError as exc:
            logger.warning("metrics: songs not read from the database", extra={"error": str(exc)})
            yield _gauge("neuralnotes_database_up", "1 when the database answered.", 0)
            return
        yield _gauge("neuralnotes_database_up", "1 when the database answered.", 1)
        songs = GaugeMetricFamily("neuralnotes_songs", "Songs in each state.", labels=["state"])
        for state, n in counts["by_state"].items():
            songs.add_metric([state], n)
        yield songs
        # A gauge, not a counter: deleting analysed songs lowers it.
        yield _gauge("neuralnotes_songs_analysed", "Songs analysed so far.", counts["analysed"])
        yield _gauge(
            "neuralnotes_analysis_songs_per_minute",
            "Songs analysed per minute over the last five minutes.",
            counts["per_minute"],
        )

    def _queues(self) -> Iterator[Metric]:
        try:
            depths = broker.queue_depths()
        except Exception as exc:  # whatever the broker raises, it is down for this scrape
            logger.warning("metrics: broker unreachable", extra={"error": str(exc)})
            yield _gauge("neuralnotes_broker_up", "1 when the broker answered.", 0)
            return
        yield _gauge("neuralnotes_broker_up", "1 when the broker answered.", 1)
        queues = GaugeMetricFamily(
            "neuralnotes_queue_messages",
            "Messages waiting in each queue, taken by no worker yet.",
            labels=["queue"],
        )
        for queue, depth in sorted(depths.items()):
            queues.add_metric([queue], depth)
        yield queues

    def _task_events(self) -> Iterator[Metric]:
        try:
            counts = task_events.task_event_counts()
        except redis.RedisError as exc:
            logger.warning("metrics: redis unreachable", extra={"error": str(exc)})
            yield _gauge("neuralnotes_redis_up", "1 when Redis (task counts) answered.", 0)
            return
        yield _gauge("neuralnotes_redis_up", "1 when Redis (task counts) answered.", 1)
        for kind, documentation in (
            ("failures", "Celery tasks that failed, by task, on every worker."),
            ("retries", "Celery task retries, by task, on every worker."),
        ):
            family = CounterMetricFamily(f"neuralnotes_task_{kind}", documentation, labels=["task"])
            for task, n in sorted(counts[kind].items()):
                family.add_metric([task], n)
            yield family


def metrics_registry() -> CollectorRegistry:
    """A registry for one scrape: request counts of every process (multiprocess mode) or of this
    one, and the platform's state."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(HTTP_REQUESTS)
        registry.register(HTTP_LATENCY)
    registry.register(PlatformCollector())
    return registry


def scrape_allowed(request: HttpRequest) -> bool:
    """A scraper sending ``Authorization: Bearer <METRICS_TOKEN>``, or a signed-in staff member.

    The token is checked first: a scraper has no session, so answering it reads no database."""
    token = settings.METRICS_TOKEN
    scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
    if (
        token
        and scheme.lower() == "bearer"
        and hmac.compare_digest(sent.strip().encode(), token.encode())
    ):
        return True
    return request.user.is_staff


@never_cache
@require_GET
@login_not_required  # a scraper has no session; it gets a 403, not a redirect to sign in
def metrics(request: HttpRequest) -> HttpResponse:
    if not scrape_allowed(request):
        raise PermissionDenied
    return HttpResponse(generate_latest(metrics_registry()), content_type=CONTENT_TYPE_LATEST)
