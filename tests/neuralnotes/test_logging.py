import io
import json
import logging

import pytest

from neuralnotes.celery import app as celery_app
from neuralnotes.structured_logging import ContextFilter, JsonFormatter


@pytest.fixture
def log_lines():
    """Every line the root logger writes, formatted as in production, parsed back from JSON."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


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
