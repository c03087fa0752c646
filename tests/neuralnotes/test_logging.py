import io
import json
import logging
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.test import override_settings
from django.urls import path

from neuralnotes.celery import app as celery_app
from neuralnotes.structured_logging import ContextFilter, JsonFormatter
from tests.neuralnotes.test_health import CLOSED_PORT
from tests.neuralnotes.test_launcher import free_port
from tests.processes import BASE_DIR, run_django


@pytest.fixture
def log_lines():
    """Every line the root logger writes, formatted as in production, parsed back from JSON.
    At production's level (INFO): the first Celery worker a test starts in this process sets the
    root logger to the worker's level, whatever test ran it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.INFO)
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


@celery_app.task(name="tests.analyse_broken_song")
def analyse_broken_song(song_id: int) -> None:
    raise ValueError(f"song {song_id} has no audio stream")


def test_each_request_logs_one_json_line_with_its_request_id(client, db, log_lines):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="req-42")
    assert response["X-Request-ID"] == "req-42"
    (line,) = [line for line in log_lines() if line["logger"] == "neuralnotes.request"]
    assert line["request_id"] == "req-42"
    assert line["method"] == "GET" and line["path"] == "/accounts/login/"
    assert line["status"] == 200 and line["duration_ms"] >= 0


def test_an_unsafe_request_id_is_replaced(client, db):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert len(response["X-Request-ID"]) == 32


def test_a_failing_task_logs_its_arguments_and_the_error(log_lines):
    analyse_broken_song.apply(args=[7])
    (line,) = [line for line in log_lines() if line["event"] == "task failed"]
    assert line["level"] == "error"
    assert line["task"] == "tests.analyse_broken_song"
    assert line["task_args"] == [7]
    assert line["error"] == "ValueError: song 7 has no audio stream"
    assert line["task_id"]


@celery_app.task(name="tests.log_about_a_song")
def log_about_a_song(song_id: int) -> None:
    logging.getLogger("tests").warning("decoding the file")


@pytest.fixture
def tests_logger_at_info():
    """Its own level: a real worker started by an earlier test may have raised the root's."""
    logger = logging.getLogger("tests")
    level = logger.level
    logger.setLevel(logging.INFO)
    yield
    logger.setLevel(level)


def test_every_line_of_a_task_about_a_song_names_the_song(log_lines, tests_logger_at_info):
    log_about_a_song.apply(args=[42])
    log_about_a_song.apply(kwargs={"song_id": 43})
    lines = [line for line in log_lines() if line["event"] == "decoding the file"]
    assert [line["song_id"] for line in lines] == [42, 43]
    assert all(line["task_id"] for line in lines)
    logging.getLogger("tests").warning("after the task")
    (after,) = [line for line in log_lines() if line["event"] == "after the task"]
    assert "song_id" not in after and "task_id" not in after


# No credentials in logs. Every secret below is a distinct string, so that finding any of them
# anywhere in the captured output is a leak.
SUBSONIC_SECRETS = {
    "p": "enc:73757065727365637265743432",  # "supersecret42", hex-encoded as clients send it
    "t": "26719a1196d2a940705a59634eb18eab",
    "s": "c19b2d-salt",
    "apiKey": "nn_apikey_Zq81LxVb3KpT0",
}
SUBSONIC_URLS = [
    f"/rest/ping?u=ann&p={SUBSONIC_SECRETS['p']}&v=1.16.1&c=tests&f=json",
    f"/rest/ping.view?u=ann&t={SUBSONIC_SECRETS['t']}&s={SUBSONIC_SECRETS['s']}&v=1.16.1&c=t",
    f"/rest/stream?apiKey={SUBSONIC_SECRETS['apiKey']}&id=1&v=1.16.1&c=tests",
    "/rest/ping?%70=enc:70657263656e74656e636f646564&u=ann&v=1.16.1&c=t",  # %70 is p to Django
    "/rest/ping?u=ann&P=enc:55505045524341534564&v=1.16.1&c=t",  # names in another case
]
REST_SECRETS = {
    "bearer": "nn-bearer-4f1c9a7d2e8b",
    "query token": "qs-token-81af20cc",
    "password": "hunter2-in-a-query",
    "cookie": "sessioncookie0d4be2a6",
}
OUTAGE = """
import json
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client(raise_request_exception=False)
statuses = [client.get(url).status_code for url in URLS]
form = {"u": "ann", "p": SECRETS["p"], "v": "1.16.1", "c": "t"}  # a client that POSTs its form
statuses.append(client.post("/rest/ping", form).status_code)
client.cookies["sessionid"] = REST["cookie"]
statuses.append(client.get(
    f"/api/v1/songs/?token={REST['query token']}&password={REST['password']}",
    HTTP_AUTHORIZATION=f"Bearer {REST['bearer']}",
).status_code)
print("STATUSES " + json.dumps(statuses))
"""


def secrets_in(text: str) -> list[str]:
    secrets = [*SUBSONIC_SECRETS.values(), *REST_SECRETS.values()]
    secrets += ["enc:7065726365", "enc:5550504552"]  # the percent-encoded and upper-case names'
    return [secret for secret in secrets if secret in text]


def test_a_database_outage_logs_no_credentials_of_subsonic_or_rest_requests():
    """The outage the issue names: every request answers 503 and Django logs each one with the
    request; the process's own logging (settings.LOGGING, the JSON formatter) writes stderr."""
    code = f"URLS = {SUBSONIC_URLS!r}\nSECRETS = {SUBSONIC_SECRETS!r}\nREST = {REST_SECRETS!r}\n"
    code += OUTAGE
    result = run_django(code, TEST_DATABASE_URL=f"postgres://nobody@{CLOSED_PORT}/neuralnotes")
    assert result.returncode == 0, result.stderr
    statuses = json.loads(result.stdout.split("STATUSES ")[1])
    # Parameter names are case-sensitive: "P" is no password, and that request fails at once.
    assert statuses == [503, 503, 503, 503, 200, 503, 503]

    assert secrets_in(result.stderr + result.stdout) == []
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    failures = [line for line in lines if line["logger"] == "django.request"]
    assert len(failures) == len(SUBSONIC_URLS) + 1
    # What is logged still says which request failed, with the values of credentials redacted.
    requests = [line["request"] for line in failures]
    assert requests[0] == ("GET /rest/ping?u=ann&p=[redacted]&v=1.16.1&c=tests&f=json"), requests[0]
    assert "t=[redacted]&s=[redacted]" in requests[1] and "apiKey=[redacted]" in requests[2]
    assert "%70=[redacted]" in requests[3] and requests[4] == "POST /rest/ping"
    assert requests[-1].startswith("GET /api/v1/songs/?token=[redacted]&password=[redacted]")
    assert all(line["event"].startswith("Service Unavailable: /") for line in failures)


def _raises(request, **kwargs):
    raise RuntimeError("a bug in the view")


urlpatterns = [  # the URLconf of the next test: the real middleware and logging, a failing view
    path("rest/<str:method>", _raises),
    path("api/v1/songs/", _raises),
]


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_logs_no_credentials(client, db, log_lines):
    client.raise_request_exception = False
    for url in SUBSONIC_URLS:
        assert client.get(url).status_code == 500
    response = client.post(
        f"/rest/ping?apiKey={SUBSONIC_SECRETS['apiKey']}",
        {"u": "ann", "p": SUBSONIC_SECRETS["p"], "t": SUBSONIC_SECRETS["t"]},
        HTTP_COOKIE=f"sessionid={REST_SECRETS['cookie']}",
    )
    assert response.status_code == 500
    response = client.get(
        f"/api/v1/songs/?limit=5&token={REST_SECRETS['query token']}",
        HTTP_AUTHORIZATION=f"Token {REST_SECRETS['bearer']}",
        HTTP_PROXY_AUTHORIZATION=f"Basic {REST_SECRETS['password']}",
    )
    assert response.status_code == 500

    lines = log_lines()
    assert secrets_in(json.dumps(lines)) == []
    failures = [line for line in lines if line["logger"] == "django.request"]
    assert [line["status_code"] for line in failures] == [500] * (len(SUBSONIC_URLS) + 2)
    assert all("RuntimeError: a bug in the view" in line["exception"] for line in failures)
    assert failures[-2]["request"] == "POST /rest/ping?apiKey=[redacted]"
    assert failures[-1]["request"] == "GET /api/v1/songs/?limit=5&token=[redacted]"
    paths = [line["path"] for line in lines if line["logger"] == "neuralnotes.request"]
    assert paths[-1] == "/api/v1/songs/" and "/rest/stream" in paths


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Authorization: Bearer nn-bearer-4f1c9a7d2e8b", "Authorization: [redacted]"),
        ("{'HTTP_COOKIE': 'sessionid=abc; csrftoken=def'}", "{'HTTP_COOKIE': '[redacted]'}"),
        ("sent Token 0123456789abcdef0123", "sent Token [redacted]"),
        ("GET https://bucket/a.wav?X-Amz-Signature=f00d&x=1", "GET https://bucket/a.wav?X-Amz-Signature=[redacted]&x=1"),
        ("/rest/ping?u=ann&s=&p=", "/rest/ping?u=ann&s=[redacted]&p=[redacted]"),
        ("a token expired; sign in again", "a token expired; sign in again"),  # no secret: kept
    ],
    ids=["authorization", "cookie-in-a-dict", "token-scheme", "signed-url", "empty", "kept"],
)  # fmt: skip
def test_credentials_in_any_text_of_a_line_are_redacted(text, expected, log_lines):
    logging.getLogger("tests").error(text, extra={"detail": {"nested": [text]}})
    (line,) = [line for line in log_lines() if line["logger"] == "tests"]
    assert line["event"] == expected and line["detail"] == {"nested": [expected]}


def test_gunicorn_access_and_error_logs_carry_no_credentials(tmp_path):
    """The real gunicorn, configured as production runs it, with an access log turned on that
    writes the request line, the query and the credential headers."""
    access, errors = tmp_path / "access.log", tmp_path / "error.log"
    port = free_port()
    fmt = "%(r)s q=%(q)s auth=%({authorization}i)s cookie=%({cookie}i)s %({query_string}e)s"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:neuralnotes.gunicorn_conf",
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "--access-logfile", str(access),
         "--access-logformat", fmt, "--error-logfile", str(errors), "neuralnotes.wsgi:application"],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "neuralnotes.settings.test",
             "TEST_DATABASE_URL": f"postgres://nobody@{CLOSED_PORT}/neuralnotes"},
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).close()
                break
            except OSError:
                time.sleep(0.25)
        headers = {
            "Authorization": f"Bearer {REST_SECRETS['bearer']}",
            "Cookie": f"sessionid={REST_SECRETS['cookie']}",
        }
        for url in SUBSONIC_URLS:
            request = urllib.request.Request(base + url, headers=headers)
            try:
                urllib.request.urlopen(request, timeout=10).close()
            except urllib.error.HTTPError as exc:  # 503: the database is down
                exc.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    logged = access.read_text()
    assert len(logged.splitlines()) == 1 + len(SUBSONIC_URLS), logged
    assert secrets_in(logged + errors.read_text()) == []
    assert "GET /rest/ping?u=ann&p=[redacted]&v=1.16.1&c=tests&f=json HTTP/1.1 q=u=ann&p=" in logged
    assert "auth=[redacted] cookie=[redacted]" in logged

    # gunicorn's error log names the URI of a request that failed outside Django.
    from gunicorn.config import Config

    from neuralnotes.gunicorn_logging import RedactingLogger

    config = Config()
    config.set("errorlog", str(errors))
    RedactingLogger(config).error("Error handling request %s", SUBSONIC_URLS[2])
    assert "/rest/stream?apiKey=[redacted]&id=1" in errors.read_text()
    assert secrets_in(errors.read_text()) == []
