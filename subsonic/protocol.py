"""The Subsonic wire format: one payload, rendered as the XML that Subsonic defined or as JSON.

A payload is a dict. In XML, its scalar values become attributes and its dict and list values
child elements (a list repeats the element once per item), except "value", which is the
element's text (a genre's name, lyrics), as the spec maps XML text to JSON; in JSON the same dict
is the object under "subsonic-response". So every endpoint builds its answer once and both
formats agree.
"""

from __future__ import annotations

import json
from xml.sax.saxutils import quoteattr

from django.conf import settings
from django.http import HttpRequest, HttpResponse

API_VERSION = "1.16.1"
SERVER_TYPE = "neuralnotes"
XML_NAMESPACE = "http://subsonic.org/restapi"


class SubsonicError(Exception):
    """An answer with status "failed" and the spec's error code; HTTP 200, as clients expect."""

    GENERIC = 0
    MISSING_PARAMETER = 10
    CLIENT_TOO_OLD = 20
    SERVER_TOO_OLD = 30
    WRONG_CREDENTIALS = 40
    TOKEN_AUTH_NOT_SUPPORTED = 41
    AUTH_MECHANISM_NOT_SUPPORTED = 42
    CONFLICTING_AUTH = 43
    INVALID_API_KEY = 44
    NOT_AUTHORISED = 50
    NOT_FOUND = 70

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def not_implemented(method: str) -> SubsonicError:
    # The spec has no code of its own for this: Navidrome answers 0 with a message.
    return SubsonicError(SubsonicError.GENERIC, f"{method} is not implemented by this server.")


def _envelope(status: str) -> dict:
    return {
        "status": status,
        "version": API_VERSION,
        "type": SERVER_TYPE,
        "serverVersion": settings.NEURALNOTES_VERSION,
        "openSubsonic": True,
    }


def _xml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _xml_element(name: str, content: dict, out: list[str]) -> None:
    attributes = "".join(
        f" {key}={quoteattr(_xml_value(value))}"
        for key, value in content.items()
        if value is not None and key != "value" and not isinstance(value, dict | list)
    )
    children = [(key, value) for key, value in content.items() if isinstance(value, dict | list)]
    text = content.get("value")
    text = "" if text is None or isinstance(text, dict | list) else _xml_value(text)
    if not children and not text:
        out.append(f"<{name}{attributes}/>")
        return
    out.append(f"<{name}{attributes}>{_escape_text(text)}")
    for key, value in children:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                _xml_element(key, item, out)
            else:  # a list of plain values, e.g. a genre's names: <key>value</key>
                out.append(f"<{key}>{_escape_text(_xml_value(item))}</{key}>")
    out.append(f"</{name}>")


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _without_none(value):
    """``value`` without the None values of its dicts, at any depth (the spec leaves absent
    fields out). Only dicts and lists are walked, with plain type checks: a play queue of 200
    songs holds some 7,000 leaves, and a call for each costs milliseconds."""
    if type(value) is dict:
        return {
            k: _without_none(v) if type(v) in _CONTAINERS else v
            for k, v in value.items()
            if v is not None
        }
    if type(value) is list:
        return [_without_none(v) if type(v) in _CONTAINERS else v for v in value]
    return value


_CONTAINERS = (dict, list)


def render(request: HttpRequest, payload: dict, *, status: str = "ok") -> HttpResponse:
    """A subsonic-response with ``payload`` in the format the request asked for (``f``)."""
    content = {**_envelope(status), **payload}
    form = request.GET.get("f") or request.POST.get("f") or "xml"
    if form == "json":
        body = json.dumps({"subsonic-response": _without_none(content)}, ensure_ascii=False)
        return HttpResponse(body, content_type="application/json; charset=utf-8")
    if form == "jsonp":
        callback = request.GET.get("callback") or request.POST.get("callback") or ""
        if callback.isidentifier():
            body = json.dumps({"subsonic-response": _without_none(content)}, ensure_ascii=False)
            return HttpResponse(f"{callback}({body});", content_type="text/javascript")
    out = ['<?xml version="1.0" encoding="UTF-8"?>']
    _xml_element("subsonic-response", {"xmlns": XML_NAMESPACE, **content}, out)
    return HttpResponse("".join(out), content_type="text/xml; charset=utf-8")


def render_error(request: HttpRequest, error: SubsonicError) -> HttpResponse:
    return render(
        request, {"error": {"code": error.code, "message": error.message}}, status="failed"
    )


class Params:
    """The request's parameters (query string and, for form posts, the body), read the way the
    spec defines them: repeated names are lists, and a bad value is error 10 or 0, not a 500."""

    def __init__(self, request: HttpRequest) -> None:
        self._query = request.GET
        self._form = request.POST

    def _values(self, name: str) -> list[str]:
        return self._query.getlist(name) + self._form.getlist(name)

    def get(self, name: str, default: str | None = None) -> str | None:
        values = self._values(name)
        return values[0] if values else default

    def required(self, name: str) -> str:
        value = self.get(name)
        if value is None or value == "":
            raise SubsonicError(
                SubsonicError.MISSING_PARAMETER, f"Required parameter is missing: {name}"
            )
        return value

    def list(self, name: str) -> list[str]:
        return [v for v in self._values(name) if v != ""]

    def integer(
        self, name: str, default: int | None = None, *, minimum: int = 0, maximum: int | None = None
    ) -> int | None:
        """An integer clamped to [minimum, maximum]; absurd counts are clamped, not refused
        (what Navidrome does), but a value that is not a number is an error."""
        raw = self.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise SubsonicError(
                SubsonicError.GENERIC, f"Parameter {name} must be a whole number, not {raw!r}."
            ) from None
        value = max(value, minimum)
        return min(value, maximum) if maximum is not None else value

    def boolean(self, name: str, default: bool = False) -> bool:
        raw = self.get(name)
        if raw is None or raw == "":
            return default
        return raw.lower() in {"true", "1", "yes"}
