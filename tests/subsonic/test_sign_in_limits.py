"""Subsonic's three ways of signing a request (u + p, u + t + s, apiKey) under the one sign-in
limit (neuralnotes.sign_in_limits): the wait told in error 40 or 44, per account and per client
address, success resetting, the secrets never stored with the attempts."""

import hashlib
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client

from neuralnotes.tokens import api_token_create
from subsonic.auth import app_password_set
from tests.conftest import PASSWORD
from tests.subsonic.conftest import error_code, ok, rest

LIMIT = 3
ATTACKER = "198.51.100.7"
APP_PASSWORD = "app-secret-123"


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def from_address(address: str = ATTACKER) -> Client:
    return Client(REMOTE_ADDR=address)


def salted(secret: str, salt: str = "c19b2d") -> dict:
    return {"t": hashlib.md5((secret + salt).encode()).hexdigest(), "s": salt}


def assert_locked_out(body: dict, code: int) -> None:
    assert error_code(body) == code
    assert "Too many failed sign-ins" in body["error"]["message"]
    assert "try again in 15 minutes" in body["error"]["message"]


def test_wrong_passwords_lock_the_account_with_the_wait_in_error_40(listener):
    client = from_address()
    for _ in range(LIMIT - 1):
        body = rest("ping", user=listener, password="guess", client=client)
        assert body["error"]["message"] == "Wrong username or password."
    assert_locked_out(rest("ping", user=listener, password="guess", client=client), 40)

    assert_locked_out(rest("ping", user=listener, client=from_address("192.0.2.9")), 40)


def test_wrong_salted_tokens_count_and_lock_the_account(listener):
    app_password_set(user=listener, password=APP_PASSWORD)
    for index in range(LIMIT):
        rest("ping", u="lena", **salted("guess" + str(index)), client=from_address())

    body = rest("ping", u="lena", **salted(APP_PASSWORD), client=from_address("192.0.2.9"))

    assert_locked_out(body, 40)


def test_a_non_ascii_token_is_a_wrong_one_not_a_server_error(listener):
    app_password_set(user=listener, password=APP_PASSWORD)
    body = rest("ping", u="lena", t="é" * 32, s="salt", client=from_address())
    assert body["error"] == {"code": 40, "message": "Wrong username or password."}


def test_guessed_api_keys_lock_the_address_with_error_44_but_not_other_addresses(listener):
    _, key = api_token_create(user=listener)
    for index in range(LIMIT):
        rest("ping", apiKey=f"guess-{index}", client=from_address())

    assert_locked_out(rest("ping", apiKey=key, client=from_address()), 44)
    # A key names no account: other clients' keys, and lena's password, still work.
    assert ok(rest("ping", apiKey=key, client=from_address("192.0.2.9")))
    assert ok(rest("ping", user=listener, client=from_address("192.0.2.10")))


def test_an_expired_key_is_refused_but_not_counted_as_a_guess(listener):
    from django.utils import timezone

    token, key = api_token_create(user=listener)
    token.expires_at = timezone.now()
    token.save()
    for _ in range(LIMIT + 1):
        assert error_code(rest("ping", apiKey=key, client=from_address())) == 44
    assert not AccessAttempt.objects.exists()


def test_one_limit_for_all_ways_in(listener):
    """Failures by p, by t + s and by the web form add up for the same account."""
    app_password_set(user=listener, password=APP_PASSWORD)
    rest("ping", user=listener, password="guess", client=from_address("203.0.113.1"))
    rest("ping", u="lena", **salted("guess"), client=from_address("203.0.113.2"))
    from_address("203.0.113.3").post("/accounts/login/", {"username": "lena", "password": "x"})

    assert_locked_out(rest("ping", user=listener, client=from_address("192.0.2.9")), 40)
    page = from_address("192.0.2.9").post(
        "/accounts/login/", {"username": "lena", "password": PASSWORD}
    )
    assert page.status_code == 429


def test_success_resets_and_a_remembered_password_is_still_checked_for_lockouts(listener):
    client = from_address()
    assert ok(rest("ping", user=listener, client=client))  # verified and remembered
    for _ in range(LIMIT - 1):
        rest("ping", user=listener, password="typo", client=client)
    assert ok(rest("ping", user=listener, client=client))
    assert not AccessAttempt.objects.exists()

    for _ in range(LIMIT):
        rest("ping", user=listener, password="typo", client=from_address("203.0.113.4"))
    # The remembered pair skips the password hash, never the lockout.
    assert_locked_out(rest("ping", user=listener, client=client), 40)


def test_the_attempts_keep_no_secret_of_the_query_string(listener):
    _, key = api_token_create(user=listener)
    rest("ping", user=listener, password="enc:" + b"hunter2-guess".hex(), client=from_address())
    rest("ping", u="lena", t="0123456789abcdef0123456789abcdef", s="pepper", client=from_address())
    rest("ping", apiKey="guessed-key-material", client=from_address())

    stored = "".join(a.get_data + a.post_data for a in AccessAttempt.objects.all())
    for secret in (b"hunter2-guess".hex(), "0123456789abcdef", "pepper", "guessed-key-material"):
        assert secret not in stored
    assert key not in stored
