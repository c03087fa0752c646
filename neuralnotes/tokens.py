"""Expiring API tokens for mobile clients: ``Authorization: Token <key>`` (or ``Bearer``)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils import timezone
from rest_framework import authentication, exceptions

from neuralnotes.models import ApiToken
from neuralnotes.sign_in_limits import lockout_message, sign_in_succeeded, sign_in_wait_s

# Writing last_used_at on every request would turn reads into writes; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_find(key: str) -> ApiToken | None:
    """The token whose key this is (expired or not), with its user."""
    return ApiToken.objects.select_related("user").filter(key_hash=_hash(key)).first()


def api_token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the record and the key, which is not stored anywhere."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        key_hash=_hash(key),
        prefix=key[:8],
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS),
    )
    return token, key


def api_token_for_credentials(
    *, request: HttpRequest, username: str, password: str, name: str = ""
) -> tuple[ApiToken, str]:
    """A new token for whoever these credentials are, under the sign-in limit: a wrong password
    counts (axes' backend and signal), and a locked-out client gets 429 with Retry-After."""
    user = authenticate(request, username=username, password=password)
    if user is None:
        wait = sign_in_wait_s(request=request, username=username)
        if wait:
            raise exceptions.Throttled(wait=wait, detail=lockout_message(wait))
        raise exceptions.AuthenticationFailed("Wrong username or password.")
    sign_in_succeeded(request=request, username=username)
    return api_token_create(user=user, name=name)


class ExpiringTokenAuthentication(authentication.BaseAuthentication):
    keywords = ("token", "bearer")

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace").lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "The Authorization header needs exactly one token."
            )
        token = api_token_find(parts[1].decode(errors="replace"))
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid token.")
        now = timezone.now()
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed("This token has expired; sign in for a new one.")
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(id=token.id).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return "Token"
