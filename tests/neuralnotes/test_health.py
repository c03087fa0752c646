import json

from django.test import override_settings

from neuralnotes.celery import app as celery_app
from tests.processes import run_django

CLOSED_PORT = "127.0.0.1:9"  # the discard port: nothing listens there on these machines

REQUEST = """
import json
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client(raise_request_exception=False)
health = client.get("/readyz", HTTP_AUTHORIZATION="Bearer monitor-token")
anonymous = client.get("/readyz")
live = client.get("/healthz")
client.cookies["sessionid"] = "a" * 32  # a signed-in browser: its session lives in the database
page = client.get("/explore/")
print(json.dumps({"health": [health.status_code, health.json()], "live": live.status_code,
                  "anonymous": [anonymous.status_code, anonymous.json()],
                  "page": [page.status_code, page.content.decode()]}))
"""
MONITOR = {"HTTP_AUTHORIZATION": "Bearer monitor-token"}


def request_with(**env: str) -> dict:
    result = run_django(REQUEST, METRICS_TOKEN="monitor-token", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@override_settings(METRICS_TOKEN="monitor-token")
def test_readyz_reports_every_service_up(client, celery_worker):
    response = client.get("/readyz?deep=1", **MONITOR)
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "pgvector", "broker", "storage", "worker", "task"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["pgvector"]["version"].startswith("0.8")


def test_readyz_is_503_when_no_worker_answers(client, manager):
    client.force_login(manager)  # staff see the errors
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["ok"] and checks["broker"]["ok"]
    assert checks["worker"] == {
        "ok": False,
        "error": checks["worker"]["error"],
        "ms": checks["worker"]["ms"],
    }
    assert "no Celery worker answered" in checks["worker"]["error"]


def test_database_down_gives_503_health_and_a_clear_page():
    result = request_with(TEST_DATABASE_URL=f"postgres://nobody@{CLOSED_PORT}/neuralnotes")
    status, health = result["health"]
    assert status == 503
    assert health["checks"]["database"]["ok"] is False
    assert health["checks"]["pgvector"]["error"] == "skipped: database is down"
    assert health["checks"]["broker"]["ok"] is True
    status, anonymous = result["anonymous"]
    assert status == 503 and anonymous["checks"]["database"] == {"ok": False}  # no error text

    assert result["live"] == 200  # the process itself is fine: no restart for an outage

    status, page = result["page"]
    assert status == 503
    assert "temporarily unavailable" in page
    assert "Traceback" not in page


def test_broker_down_gives_503_health_naming_the_broker():
    result = request_with(TEST_REDIS_URL=f"redis://{CLOSED_PORT}/0")
    status, health = result["health"]
    assert status == 503
    assert health["checks"]["database"]["ok"] is True
    assert health["checks"]["broker"]["ok"] is False
    assert "Connection refused" in health["checks"]["broker"]["error"]
    assert health["checks"]["worker"]["error"] == "skipped: broker is down"
    status, anonymous = result["anonymous"]
    assert status == 503 and "Connection refused" not in json.dumps(anonymous)


def test_readyz_names_a_media_folder_that_cannot_be_made(client, manager, settings, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    settings.MEDIA_ROOT = tmp_path / "a-file" / "media"
    assert client.get("/readyz").json()["checks"]["storage"] == {"ok": False}  # anonymous
    client.force_login(manager)
    checks = client.get("/readyz").json()["checks"]
    assert checks["storage"]["ok"] is False
    assert "a-file/media" in checks["storage"]["error"]


@override_settings(METRICS_TOKEN="monitor-token")
def test_anonymous_readyz_is_the_plain_check_without_internal_details(client, celery_worker):
    """Anonymous callers, and those sending a wrong token, get neither the seconds-long task round
    trip of ?deep=1 nor the workers' host names, versions or timings."""
    worker_names = [name for reply in celery_app.control.ping(timeout=1) for name in reply]
    assert worker_names
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer wrong"}, {"HTTP_AUTHORIZATION": "x"}):
        for url in ("/readyz?deep=1", "/readyz", "/readyz?deep=true"):
            response = client.get(url, **headers)
            assert response.status_code == 200, (url, headers)
            body = response.json()
            assert body["status"] == "ok"
            assert body["checks"] == {
                name: {"ok": True}
                for name in ("database", "pgvector", "broker", "storage", "worker")
            }  # no "task": no round trip was made
            assert not any(
                name.split("@")[-1] in response.content.decode() for name in worker_names
            )

    deep = client.get("/readyz?deep=1", **MONITOR).json()["checks"]
    assert deep["task"]["ok"] and deep["worker"]["workers"] == sorted(worker_names)


def test_staff_see_the_deep_check(client, manager, listener, celery_worker):
    client.force_login(listener)  # signed in, not staff: the plain answer
    assert "task" not in client.get("/readyz?deep=1").json()["checks"]
    client.force_login(manager)
    checks = client.get("/readyz?deep=1").json()["checks"]
    assert checks["task"]["ok"] and checks["worker"]["workers"]
