"""/metrics: who may read it, and that its numbers are the platform's own."""

import json
import logging
import time
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from neuralnotes import task_events
from neuralnotes.celery import app as celery_app
from songs.models import Song
from songs.services.ingestion import catalogue_get_or_create
from tests.factories import make_song
from tests.processes import run_django

CLOSED_PORT = "127.0.0.1:9"  # the discard port: nothing listens there on these machines

pytestmark = pytest.mark.usefixtures("no_task_events")

TOKEN = "a-scraper-token-of-some-length"


@celery_app.task(name="tests.metrics.fails_on_purpose")
def fails_on_purpose(song_id: int) -> None:
    raise RuntimeError(f"song {song_id} cannot be read")


@celery_app.task(name="tests.metrics.retries_once", bind=True, max_retries=1)
def retries_once(self) -> str:
    if self.request.retries == 0:
        raise self.retry(countdown=0)
    return "done"


@pytest.fixture
def empty_queues():
    celery_app.control.purge()
    yield
    celery_app.control.purge()


def samples_of(text: str) -> dict[tuple[str, frozenset], float]:
    """Every sample of an exposition, by name and labels (the parser also checks the format)."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(client, **headers) -> dict[tuple[str, frozenset], float]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "no-cache" in response["Cache-Control"]
    return samples_of(response.content.decode())


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_anonymous_visitors_and_listeners_are_refused_not_redirected(client, listener):
    assert client.get("/metrics").status_code == 403
    client.force_login(listener)
    assert client.get("/metrics").status_code == 403


def test_staff_may_read_it(client, manager):
    client.force_login(manager)
    scrape(client)


@override_settings(METRICS_TOKEN=TOKEN)
def test_a_scraper_reads_it_with_the_token_only(client, db):
    scrape(client, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}x").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 403


@override_settings(METRICS_TOKEN="")
def test_no_token_configured_means_no_token_opens_it(client, db):
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 403


def test_songs_by_state_and_the_analysis_rate_are_the_databases(client, manager):
    catalogue = catalogue_get_or_create()
    now = timezone.now()
    for n in range(3):
        make_song(n, Song.Status.PENDING, catalogue=catalogue)
    make_song(3, Song.Status.PROCESSING, catalogue=catalogue)
    for n in range(4, 9):  # analysed within the last five minutes
        make_song(n, Song.Status.READY, analysed_at=now - timedelta(minutes=1), catalogue=catalogue)
    make_song(9, Song.Status.READY, analysed_at=now - timedelta(hours=2), catalogue=catalogue)
    make_song(10, Song.Status.FAILED, error="not audio", catalogue=catalogue)

    client.force_login(manager)
    samples = scrape(client)
    assert {
        state: value(samples, "neuralnotes_songs", state=state) for state in Song.Status.values
    } == {"pending": 3, "processing": 1, "ready": 6, "failed": 1}
    assert value(samples, "neuralnotes_songs_analysed") == 6
    assert value(samples, "neuralnotes_analysis_songs_per_minute") == 1.0  # 5 songs in 5 min
    assert value(samples, "neuralnotes_database_up") == 1


def test_requests_are_counted_by_url_pattern_never_by_path(client, manager):
    client.force_login(manager)
    before = scrape(client)
    assert client.get("/catalogue/batches/987654/").status_code == 404
    assert client.get("/catalogue/batches/987655/").status_code == 404
    assert client.get("/no/such/page/987656").status_code == 404
    response = client.get("/metrics")
    after = samples_of(response.content.decode())

    route = "catalogue/batches/<int:pk>/"
    key = {"method": "GET", "route": route, "status": "4xx"}
    requests = "neuralnotes_http_requests_total"
    assert value(after, requests, **key) - value(before, requests, **key) == 2
    unmatched = {"method": "GET", "route": "unmatched", "status": "4xx"}
    assert value(after, requests, **unmatched) - value(before, requests, **unmatched) == 1
    # The scrape before this one is counted under the metrics route.
    assert value(after, requests, method="GET", route="metrics", status="2xx") >= 1
    latency = "neuralnotes_http_request_duration_seconds_count"
    assert value(after, latency, route=route) - value(before, latency, route=route) == 2
    assert "98765" not in response.content.decode()


def test_queue_depths_count_the_messages_waiting(client, manager, empty_queues):
    for n in range(3):
        celery_app.send_task("songs.tasks.analyse_song", args=[10_000_000 + n])
    celery_app.send_task("neuralnotes.tasks.worker_database_check")
    client.force_login(manager)
    samples = scrape(client)
    assert value(samples, "neuralnotes_broker_up") == 1
    assert value(samples, "neuralnotes_queue_messages", queue="celery") == 3
    assert value(samples, "neuralnotes_queue_messages", queue="health") == 1


def wait_for_failures(task_name: str, n: int, timeout: float = 10) -> None:
    """The failure signal runs after the task's result is stored: give it a moment."""
    deadline = time.monotonic() + timeout
    while task_events.task_event_counts()["failures"].get(task_name, 0) < n:
        assert time.monotonic() < deadline, "the failure was never counted"
        time.sleep(0.05)


def test_failures_and_retries_on_a_worker_are_counted(client, manager, celery_worker):
    result = fails_on_purpose.delay(41)
    assert isinstance(result.get(timeout=15, propagate=False), RuntimeError)
    assert retries_once.delay().get(timeout=15) == "done"
    wait_for_failures(fails_on_purpose.name, 1)

    client.force_login(manager)
    samples = scrape(client)
    assert value(samples, "neuralnotes_redis_up") == 1
    assert value(samples, "neuralnotes_task_failures_total", task=fails_on_purpose.name) == 1
    assert value(samples, "neuralnotes_task_retries_total", task=retries_once.name) == 1
    assert value(samples, "neuralnotes_task_failures_total", task=retries_once.name) == 0

    (failure,) = task_events.recent_task_failures(10)
    assert failure["task"] == fails_on_purpose.name and failure["task_id"] == result.id
    assert failure["error"] == "RuntimeError: song 41 cannot be read"
    assert json.loads(failure["args"]) == [41]
    assert failure["worker"]


def test_the_list_of_latest_failures_is_capped():
    for n in range(task_events.RECENT_FAILURES_KEPT + 5):
        task_events.task_failure_record(
            task_name="songs.tasks.analyse_song", task_id=str(n), args=[n], error="E", worker="w"
        )
    latest = task_events.recent_task_failures(1000)
    assert len(latest) == task_events.RECENT_FAILURES_KEPT
    assert latest[0]["task_id"] == str(task_events.RECENT_FAILURES_KEPT + 4)
    assert task_events.task_event_counts()["failures"] == {
        "songs.tasks.analyse_song": task_events.RECENT_FAILURES_KEPT + 5
    }


@override_settings(REDIS_URL=f"redis://{CLOSED_PORT}/0")
def test_recording_never_raises_into_a_task_when_redis_is_down(caplog):
    # At WARNING whatever level an in-process worker left the root logger at.
    caplog.set_level(logging.WARNING, logger="neuralnotes.task_events")
    task_events.task_failure_record(
        task_name="t", task_id="1", args=[1], error="RuntimeError: x", worker="w"
    )
    task_events.task_retry_record(task_name="t")
    assert [r.message for r in caplog.records if r.name == "neuralnotes.task_events"] == [
        "task failure not counted: redis unreachable",
        "task retry not counted: redis unreachable",
    ]


@override_settings(REDIS_URL=f"redis://{CLOSED_PORT}/0")
def test_a_service_down_is_a_metric_not_a_failed_scrape(client, manager, broker_down):
    make_song(1, Song.Status.PENDING)
    client.force_login(manager)
    samples = scrape(client)
    assert value(samples, "neuralnotes_broker_up") == 0
    assert value(samples, "neuralnotes_redis_up") == 0
    assert not [key for key in samples if key[0] == "neuralnotes_queue_messages"]
    assert value(samples, "neuralnotes_songs", state="pending") == 1


SCRAPE_IN_A_PROCESS = """
import json
from django.conf import settings
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client()
for _ in range(REQUESTS):
    client.get("/no/such/page/")
body = client.get("/metrics", HTTP_AUTHORIZATION="Bearer " + settings.METRICS_TOKEN)
print(json.dumps([body.status_code, body.content.decode()]))
"""


def requests_then_scrape(requests: int, **env: str) -> tuple[int, str]:
    """In a process of its own: ``requests`` requests to a page that does not exist, then a
    scrape with the token. The status and text of the scrape."""
    result = run_django(SCRAPE_IN_A_PROCESS.replace("REQUESTS", str(requests)), **env)
    assert result.returncode == 0, result.stderr
    status, text = json.loads(result.stdout.strip().splitlines()[-1])
    return status, text


def test_gunicorn_workers_counts_are_summed_and_a_database_outage_is_reported(tmp_path):
    """Two processes sharing PROMETHEUS_MULTIPROC_DIR, as gunicorn's workers do: the second one's
    scrape counts the first one's requests too. Its database is unreachable: still a scrape."""
    env = {
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "METRICS_TOKEN": TOKEN,
        "TEST_DATABASE_URL": f"postgres://nobody@{CLOSED_PORT}/neuralnotes",
    }
    requests_then_scrape(2, **env)
    status, text = requests_then_scrape(1, **env)
    assert status == 200, text
    samples = samples_of(text)
    unmatched = {"method": "GET", "route": "unmatched", "status": "4xx"}
    assert value(samples, "neuralnotes_http_requests_total", **unmatched) == 3
    # The first process' own scrape (it read /metrics too, with the token) is there as well.
    assert value(samples, "neuralnotes_http_requests_total", method="GET", route="metrics",
                 status="2xx") == 1  # fmt: skip
    assert value(samples, "neuralnotes_database_up") == 0
    assert value(samples, "neuralnotes_broker_up") == 1
