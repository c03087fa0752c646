"""One JSON line per event, carrying the id of the request or task it belongs to.

The request id comes from an ``X-Request-ID`` header (so a proxy's id is kept) or is made here, is
sent back in the response, and is attached to every log line written while the request runs.
Celery tasks get the task id, and the song id for tasks about one song, the same way (signal
handlers in ``neuralnotes.celery``).

No credential reaches a log line. A request object is never written (Django's own 5xx line
passes it in ``extra``): only its method and its path with the query redacted. Every text of a
line (message, fields, traceback) has the values of credential parameters (Subsonic's ``p``,
``t``, ``s``, ``apiKey``; ``token``, ``password`` …) and of ``Authorization``/``Cookie`` headers
replaced, as gunicorn's own log lines have (``neuralnotes.gunicorn_logging``).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import unquote_plus

from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
task_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("task_id", default=None)
# The song a task is about, for tasks whose first argument is a song id.
song_id_var: contextvars.ContextVar[int | None] = contextvars.ContextVar("song_id", default=None)

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Attributes every LogRecord has; anything else was passed with ``extra=`` and is logged as a field.
_RECORD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

logger = logging.getLogger("neuralnotes.request")

REDACTED = "[redacted]"
# Query and form parameters whose value is a credential, lower case: Subsonic's password (``p``,
# also as ``enc:`` hex), token and salt (``t``, ``s``) and API key, and the usual names elsewhere
# (object storage's signed URLs among them).
CREDENTIAL_PARAMETERS = frozenset(
    {
        "p", "t", "s", "apikey", "api_key", "key", "token", "access_token", "refresh_token",
        "password", "passwd", "pass", "secret", "signature", "sig", "csrfmiddlewaretoken",
        "x-amz-signature", "x-amz-credential", "x-amz-security-token",
    }
)  # fmt: skip
# Headers whose value is a credential, as a text writes them ("Authorization: …", a dict's
# 'HTTP_COOKIE': '…', gunicorn's {authorization}i atom).
CREDENTIAL_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}
)
_PARAMETER = re.compile(r"(?P<lead>[?&])(?P<name>[^=&#\s'\"<>]+)=(?P<value>[^&#\s'\"<>]*)")
_HEADER = re.compile(
    r"(?P<name>\b(?:HTTP_)?(?:proxy[-_])?(?:authorization|cookie|set[-_]cookie|x[-_]api[-_]key))"
    r"(?P<sep>['\"]?\s*[:=]\s*['\"]?)(?P<value>[^'\"\r\n]+)",
    re.IGNORECASE,
)
# An Authorization value on its own: "Bearer …", "Token …", "Basic …".
_SCHEME = re.compile(r"\b(?P<scheme>[Bb]earer|Token|Basic)\s+[A-Za-z0-9._~+/=-]{8,}")


def _redact_parameter(match: re.Match) -> str:
    if unquote_plus(match["name"]).lower() in CREDENTIAL_PARAMETERS:  # %70=… is p=… to Django
        return f"{match['lead']}{match['name']}={REDACTED}"
    return match[0]


def redact(text: str) -> str:
    """``text`` with the values of credential parameters and headers replaced by [redacted]."""
    text = _PARAMETER.sub(_redact_parameter, text)
    text = _HEADER.sub(lambda m: f"{m['name']}{m['sep']}{REDACTED}", text)
    return _SCHEME.sub(lambda m: f"{m['scheme']} {REDACTED}", text)


def request_summary(request: HttpRequest) -> str:
    """What a log line may say of a request: ``GET /rest/ping?u=ann&p=[redacted]``."""
    return redact(f"{request.method} {request.get_full_path()}")


def _loggable(value: object) -> object:
    """A field's value as JSON can hold it, with no credential in its texts."""
    if isinstance(value, HttpRequest):
        return request_summary(value)
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, dict):
        return {str(key): _loggable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_loggable(item) for item in value]
    return redact(str(value))  # an object's text may hold a URL: a socket, a WSGIRequest's repr


class RedactFilter(logging.Filter):
    """For handlers that do not write through JsonFormatter (gunicorn's own): the message with
    its arguments filled in, redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.task_id = task_id_var.get()
        if getattr(record, "song_id", None) is None:  # a line may name another song itself
            record.song_id = song_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": redact(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and value is not None:
                line[key] = _loggable(value)
        if record.exc_info:
            line["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, default=lambda value: redact(str(value)))


class RequestLogMiddleware:
    """Give each request an id and log one line when it is answered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            logger.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": _loaded_user_id(request),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


def _loaded_user_id(request: HttpRequest) -> int | None:
    """The signed-in user's id if the request already loaded the user; never queries (the
    database may be the very thing that is down)."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk
