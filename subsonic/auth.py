"""Who is asking: the three ways Subsonic clients sign their requests.

- ``apiKey`` (OpenSubsonic apiKeyAuthentication): one of the user's API tokens, the same ones the
  REST API takes (neuralnotes.tokens), made, named, listed and revoked on the account page;
- ``u`` + ``p``: the login password, clear or ``enc:``-hex encoded, checked against its hash;
- ``u`` + ``t`` + ``s``: t = md5(password + s). That needs the password in clear text, so it is
  the user's separate app password (kept encrypted), never the login password.

Every way counts against the one sign-in limit (neuralnotes.sign_in_limits, django-axes): per
account and per client address, with the wait told in the error (40, or 44 for an API key).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from neuralnotes.models import ApiToken
from neuralnotes.sign_in_limits import (
    lockout_message,
    sign_in_failed,
    sign_in_succeeded,
    sign_in_wait_s,
)
from neuralnotes.tokens import api_token_find
from subsonic.models import AppPassword
from subsonic.protocol import Params, SubsonicError

# Clients that send u + p do so on every request, and checking a Django password hash costs a
# few hundred milliseconds by design: a verified pair is remembered this long (see _password_user).
PASSWORD_CHECK_CACHE_S = 300


def _fernet() -> Fernet:
    key = settings.APP_PASSWORD_KEY
    if not key:
        digest = hashlib.sha256(b"neuralnotes app passwords\0" + settings.SECRET_KEY.encode())
        key = base64.urlsafe_b64encode(digest.digest())
    return Fernet(key)


class AppPasswordError(ValueError):
    pass


def app_password_set(*, user: User, password: str, may_be_login_password: bool = False) -> None:
    """Set (or replace) the user's app password; it may not be their login password, unless
    the caller sets both to one password on purpose (Subsonic's createUser and changePassword,
    subsonic.endpoints.users.subsonic_password_set, say why)."""
    if len(password) < 8:
        raise AppPasswordError("An app password needs at least 8 characters.")
    if not may_be_login_password and user.check_password(password):
        raise AppPasswordError("Choose an app password that is not your login password.")
    AppPassword.objects.update_or_create(
        user=user, defaults={"ciphertext": _fernet().encrypt(password.encode())}
    )


def app_password_clear(*, user: User) -> None:
    AppPassword.objects.filter(user=user).delete()


def app_password_of(user: User) -> str | None:
    record = AppPassword.objects.filter(user=user).first()
    if record is None:
        return None
    try:
        return _fernet().decrypt(bytes(record.ciphertext)).decode()
    except InvalidToken:  # encrypted with another key: as if none were set
        return None


def _refuse_if_locked_out(request: HttpRequest, *, username: str | None, code: int) -> None:
    wait = sign_in_wait_s(request=request, username=username)
    if wait:
        raise SubsonicError(code, lockout_message(wait))


def _failed(
    request: HttpRequest, error: SubsonicError, *, username: str | None, counted: bool = False
) -> SubsonicError:
    """The error for a wrong password or key, counted against the limit unless ``authenticate``
    counted it already; the lockout's message instead when this failure reached the limit."""
    wait = (
        sign_in_wait_s(request=request, username=username)
        if counted
        else sign_in_failed(request=request, username=username)
    )
    return SubsonicError(error.code, lockout_message(wait)) if wait else error


def decoded_password(raw: str) -> str:
    """A password parameter in clear text, or ``enc:`` and its UTF-8 bytes in hex."""
    if raw.startswith("enc:"):
        try:
            return bytes.fromhex(raw[4:]).decode()
        except ValueError:
            return ""
    return raw


def _digest(text: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


def _password_user(request, username: str, password: str) -> User | None:
    """The user whose login password this is. A pair verified in the last few minutes is checked
    against a keyed digest instead of the slow password hash; the cache holds digests only, and a
    changed password (a new hash) or a deactivated user invalidates the entry."""
    remembered = f"subsonic-password:{_digest(username + chr(0) + password)}"
    cached = cache.get(remembered)
    if cached is not None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is not None and hmac.compare_digest(cached, _digest(user.password)):
            # authenticate() would have checked for a lockout (axes' backend): check it here.
            _refuse_if_locked_out(request, username=username, code=SubsonicError.WRONG_CREDENTIALS)
            return user
    user = authenticate(request, username=username, password=password)
    if user is not None:
        cache.set(remembered, _digest(user.password), PASSWORD_CHECK_CACHE_S)
    return user


def authenticate_request(request, params: Params) -> tuple[User, ApiToken | None]:
    """The signed-in user (and the API key used, if any), or SubsonicError 10, 40-44."""
    api_key, username = params.get("apiKey"), params.get("u")
    password, token, salt = params.get("p"), params.get("t"), params.get("s")
    if api_key is not None:
        if username is not None or password is not None or token is not None:
            raise SubsonicError(
                SubsonicError.CONFLICTING_AUTH,
                "Use either apiKey or u with p or t and s, not both.",
            )
        # A key names no account: it counts against the client's address alone.
        _refuse_if_locked_out(request, username=None, code=SubsonicError.INVALID_API_KEY)
        record = api_token_find(api_key)
        invalid = SubsonicError(SubsonicError.INVALID_API_KEY, "Invalid API key.")
        if record is None:  # a guess, or a revoked key
            raise _failed(request, invalid, username=None)
        if record.expires_at <= timezone.now() or not record.user.is_active:
            raise invalid  # the key is known: not a guess
        return record.user, record
    if username is None:
        raise SubsonicError(SubsonicError.MISSING_PARAMETER, "Required parameter is missing: u")
    if password is not None and token is not None:
        raise SubsonicError(SubsonicError.CONFLICTING_AUTH, "Use either p or t and s, not both.")
    if password is None and (token is None or not salt):
        raise SubsonicError(
            SubsonicError.MISSING_PARAMETER, "Required parameter is missing: p, or t and s"
        )
    wrong = SubsonicError(SubsonicError.WRONG_CREDENTIALS, "Wrong username or password.")
    if password is not None:
        # Through authenticate(): axes' backend refuses a locked-out client, and its
        # user_login_failed signal counts a wrong password.
        user = _password_user(request, username, decoded_password(password))
        if user is None:
            raise _failed(request, wrong, username=username, counted=True)
    else:
        _refuse_if_locked_out(request, username=username, code=SubsonicError.WRONG_CREDENTIALS)
        user = User.objects.filter(username=username, is_active=True).first()
        secret = app_password_of(user) if user is not None else None
        expected = hashlib.md5(((secret or "") + salt).encode()).hexdigest()
        # Bytes: compare_digest refuses str with non-ASCII characters, which a client may send.
        if secret is None or not hmac.compare_digest(expected.encode(), token.lower().encode()):
            raise _failed(request, wrong, username=username)
    sign_in_succeeded(request=request, username=username)
    return user, None
