"""One limit on guessing passwords and keys, wherever one is checked: django-axes.

Failures count against the account and, apart from it, against the client's address (read
through the trusted proxies, neuralnotes.client_address); after ``AXES_FAILURE_LIMIT`` of either
within ``AXES_COOLOFF_TIME``, that account, or everything from that address, waits out the rest of
the cool-off, and is told how long. A success clears that account's failures from that address.
Staff see and clear the records in the admin (Axes: access attempts).

How each way in is covered:

- the web and admin sign-in forms, and every password a signed-in session must type again (a new
  API key or app password, the old password when changing it): Django's ``authenticate`` with
  the request, so axes' backend refuses a locked-out client and its ``user_login_failed``
  receiver counts the failure; the middleware answers a lockout with the page saying how long;
- ``POST /api/v1/auth/tokens/`` and Subsonic ``u`` + ``p``: ``authenticate`` as well, and the view
  answers a lockout in its own format (JSON with ``Retry-After``; Subsonic error 40);
- Subsonic ``u`` + ``t`` + ``s`` and ``apiKey``: checked by this platform, not by an
  authentication backend (the app password is compared as md5(secret + salt), an API key by its
  hash), so they ask axes the same questions through this module: ``sign_in_wait_s`` before
  checking, ``sign_in_failed`` (axes' ``user_login_failed`` signal) after a wrong one.
"""

from __future__ import annotations

import math

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import (
    get_client_username,
    get_cool_off,
    get_credentials,
    get_failure_limit,
)
from axes.models import AccessAttempt, AccessBase
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_login_failed
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from neuralnotes.access import API_PREFIXES


def lockout_parameters(request_or_attempt, credentials: dict | None = None) -> list[str]:
    """AXES_LOCKOUT_PARAMETERS: the account and the address, each on its own. A request that
    names no account (an API key) counts against its address only: all of them would otherwise
    share one count, and one guesser would lock every API key out."""
    if isinstance(request_or_attempt, AccessBase):
        username = request_or_attempt.username
    else:
        username = get_client_username(request_or_attempt, credentials)
    return ["username", "ip_address"] if username else ["ip_address"]


class SignInHandler(AxesDatabaseHandler):
    """Axes' database handler, except that a success clears only the failures of that account
    from that address. Axes' own reset clears the account's and the address's: an attacker who
    signs in to an account of their own between guesses would clear the count of the account
    they are guessing."""

    def is_locked(self, request: HttpRequest, credentials: dict | None = None) -> bool:
        # One indexed query when neither the account nor the address failed lately (nearly
        # always), instead of a sum per lockout parameter: a Subsonic client signs every
        # request. The request remembers it, so that sign_in_succeeded has nothing to clear.
        username = get_client_username(request, credentials)
        by_address = Q(ip_address=request.axes_ip_address or None)
        recent = AccessAttempt.objects.filter(
            (by_address | Q(username=username)) if username else by_address,
            attempt_time__gte=get_cool_off_threshold(request),
        )
        if not recent.exists():
            request.sign_in_clean = True
            return False
        return super().is_locked(request, credentials)

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address or None
        ).delete()
        return count


def sign_in_wait_s(*, request: HttpRequest, username: str | None) -> int:
    """Seconds before this client may try ``username`` (None: an API key) again; 0 when
    neither the account nor the address is locked out."""
    credentials = get_credentials(username)
    if AxesProxyHandler.is_allowed(request, credentials):
        return 0
    cool_off = get_cool_off(request)
    limit = get_failure_limit(request, credentials)
    handler = AxesProxyHandler.get_implementation()
    now = timezone.now()
    waits = []
    for attempts in handler.get_user_attempts(request, credentials):
        # Newest first: the lockout ends when the records still inside the cool-off add up to
        # fewer failures than the limit, i.e. when the one that reached it gets too old.
        total = 0
        for attempt_time, failures in attempts.order_by("-attempt_time").values_list(
            "attempt_time", "failures_since_start"
        ):
            total += failures
            if total >= limit:
                waits.append((attempt_time + cool_off - now).total_seconds())
                break
    # No record reached the limit: refused for another reason (a blacklisted address).
    return max(1, math.ceil(max(waits) if waits else cool_off.total_seconds()))


def sign_in_failed(*, request: HttpRequest, username: str | None) -> int:
    """Count a wrong password or key that no authentication backend saw; returns the wait now
    in force (0: none). The credentials sent to the signal never hold the secret."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
    return sign_in_wait_s(request=request, username=username)


def sign_in_succeeded(*, request: HttpRequest, username: str) -> None:
    """Clear this account's failures from this address (web sign-ins do this through axes'
    ``user_logged_in`` receiver; API clients sign no session in)."""
    if getattr(request, "sign_in_clean", False):
        return
    AxesProxyHandler.update_request(request)
    AxesProxyHandler.get_implementation().reset_user_attempts(request, get_credentials(username))


def password_confirmed(*, request: HttpRequest, user: User, password: str) -> bool:
    """Whether ``password`` is the signed-in ``user``'s, asked as a sign-in is: a wrong one
    counts as a failure, and a locked-out client is refused (the middleware shows the page)."""
    confirmed = authenticate(request, username=user.get_username(), password=password)
    if confirmed is None or confirmed.pk != user.pk:
        return False
    sign_in_succeeded(request=request, username=user.get_username())
    return True


def wait_in_words(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{math.ceil(minutes / 60)} hours"


def lockout_message(seconds: int) -> str:
    return (
        "Too many failed sign-ins for this account or from this address: "
        f"try again in {wait_in_words(seconds)}."
    )


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponseBase | None = None,
    credentials: dict | None = None,
) -> HttpResponseBase:
    """AXES_LOCKOUT_CALLABLE: the page a locked-out browser gets (429, with Retry-After). The
    REST and Subsonic APIs answered the lockout already, in their own formats."""
    if request.path_info.startswith(API_PREFIXES) and isinstance(
        original_response, HttpResponseBase
    ):
        return original_response
    wait = sign_in_wait_s(request=request, username=get_client_username(request, credentials))
    response: HttpResponse = render(
        request,
        "registration/locked_out.html",
        {"wait": wait_in_words(wait), "wait_s": wait},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response
