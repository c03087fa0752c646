"""Subsonic methods by name. Each endpoint module registers its handlers with @endpoint."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse

from neuralnotes.models import ApiToken
from subsonic.protocol import Params


@dataclass
class Call:
    """One authenticated request to a Subsonic method."""

    request: HttpRequest
    params: Params
    user: User
    api_key: ApiToken | None
    client: str  # the c parameter: "Symfonium", "DSub" …


Handler = Callable[[Call], dict | HttpResponse]
HANDLERS: dict[str, Handler] = {}


def endpoint(*names: str) -> Callable[[Handler], Handler]:
    """Register a handler under each name; a handler returns the payload (a dict) or, for media,
    a response of its own."""

    def register(handler: Handler) -> Handler:
        for name in names:
            HANDLERS[name.lower()] = handler
        return handler

    return register
