"""The one view behind /rest/<method>(.view): authenticate, dispatch, render, or answer the
spec's error element. Every failure is an answer a Subsonic client understands, never a 500."""

from __future__ import annotations

import logging

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from neuralnotes.errors import DomainError
from subsonic import endpoints  # noqa: F401 - registers the handlers
from subsonic.auth import authenticate_request
from subsonic.protocol import Params, SubsonicError, not_implemented, render, render_error
from subsonic.registry import HANDLERS, Call

logger = logging.getLogger(__name__)


@csrf_exempt  # clients sign each request with their credentials; there is no session
@require_http_methods(["GET", "POST", "HEAD"])
def rest(request: HttpRequest, method: str) -> HttpResponse:
    params = Params(request)
    try:
        user, api_key = authenticate_request(request, params)
        handler = HANDLERS.get(method.lower())
        if handler is None:
            raise not_implemented(method)
        result = handler(Call(request, params, user, api_key, params.get("c") or ""))
    except SubsonicError as error:
        return render_error(request, error)
    except DomainError as error:  # what a service refused, mapped once: a 404 is error 70
        code = SubsonicError.NOT_FOUND if error.status == 404 else SubsonicError.GENERIC
        return render_error(request, SubsonicError(code, str(error)))
    except DatabaseError:
        raise  # the 503 page: the database is down, not the request wrong
    except Exception:
        logger.exception("subsonic method failed", extra={"method": method})
        return render_error(request, SubsonicError(SubsonicError.GENERIC, "Server error."))
    if isinstance(result, HttpResponseBase):  # media: files and streams too
        return result
    return render(request, result)
