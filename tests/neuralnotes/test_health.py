import json

from tests.processes import run_django

CLOSED_PORT = "127.0.0.1:9"  # the discard port: nothing listens there on these machines

REQUEST = """
import json
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client(raise_request_exception=False)
health = client.get("/readyz")
live = client.get("/healthz")
client.cookies["sessionid"] = "a" * 32  # a signed-in browser: its session lives in the database
page = client.get("/explore/")
print(json.dumps({"health": [health.status_code, health.json()], "live": live.status_code,
                  "page": [page.status_code, page.content.decode()]}))
"""


def request_with(**env: str) -> dict:
    result = run_django(REQUEST, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_readyz_reports_every_service_up(client, celery_worker):
    response = client.get("/readyz?deep=1")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "pgvector", "broker", "storage", "worker", "task"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["pgvector"]["version"].startswith("0.8")


def test_readyz_is_503_when_no_worker_answers(client, db):
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


def test_readyz_names_a_media_folder_that_cannot_be_made(client, db, settings, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    settings.MEDIA_ROOT = tmp_path / "a-file" / "media"
    checks = client.get("/readyz").json()["checks"]
    assert checks["storage"]["ok"] is False
    assert "a-file/media" in checks["storage"]["error"]
