"""Keys and passwords (neuralnotes.credentials, the account page): a new password revokes the
account's API keys and app password, wherever it is changed, and the pages say so; making a key
or an app password from a browser session asks for the password again, under the sign-in
limit."""

import hashlib
import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client

from neuralnotes.models import ApiToken
from neuralnotes.tokens import api_token_create
from subsonic.auth import app_password_of, app_password_set
from subsonic.models import AppPassword
from tests.conftest import PASSWORD
from tests.subsonic.conftest import error_code, ok, rest

NEW_PASSWORD = "a-fresh-passphrase-2"
APP_PASSWORD = "app-secret-123"


def signed_in(user, address: str = "198.51.100.7") -> Client:
    client = Client(REMOTE_ADDR=address)
    client.force_login(user)
    return client


@pytest.fixture
def keys(listener) -> str:
    """lena with two API keys and an app password; returns one key."""
    _, key = api_token_create(user=listener, name="phone")
    api_token_create(user=listener, name="laptop")
    app_password_set(user=listener, password=APP_PASSWORD)
    return key


def salted(secret: str, salt: str = "c19b2d") -> dict:
    return {"t": hashlib.md5((secret + salt).encode()).hexdigest(), "s": salt}


def test_the_password_change_page_revokes_keys_and_app_password_and_says_so(listener, keys):
    client = signed_in(listener)
    form = client.get("/accounts/password/").content.decode()
    assert "revokes your API keys and your app password" in form

    done = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert "were revoked" in done.content.decode()
    assert not ApiToken.objects.filter(user=listener).exists()
    assert not AppPassword.objects.filter(user=listener).exists()
    assert error_code(rest("ping", apiKey=keys)) == 44
    assert error_code(rest("ping", u="lena", **salted(APP_PASSWORD))) == 40


def test_subsonic_change_password_revokes_the_keys_and_replaces_the_app_password(listener, keys):
    ok(rest("changePassword", user=listener, username="lena", password_param=NEW_PASSWORD))

    assert error_code(rest("ping", apiKey=keys)) == 44
    assert error_code(rest("ping", u="lena", **salted(APP_PASSWORD))) == 40
    # Subsonic's one password: the new one signs with a salt too.
    assert ok(rest("ping", u="lena", **salted(NEW_PASSWORD)))


def test_an_admin_setting_the_password_revokes_them_too(listener, keys, admin_user):
    admin = signed_in(admin_user)
    response = admin.post(
        f"/admin/auth/user/{listener.id}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    listener.refresh_from_db()
    assert listener.check_password(NEW_PASSWORD)
    assert not ApiToken.objects.filter(user=listener).exists()
    assert app_password_of(listener) is None


def test_other_users_keep_theirs_and_a_hash_upgrade_is_not_a_change(
    listener, other_listener, keys, settings
):
    _, otto_key = api_token_create(user=other_listener)
    listener.set_password(NEW_PASSWORD)
    listener.save()
    assert ok(rest("ping", apiKey=otto_key))

    # A sign-in that re-hashes the password with a newer hasher changes nothing.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert other_listener.check_password(PASSWORD)
    other_listener.refresh_from_db()
    assert other_listener.password.startswith("pbkdf2_")
    assert ok(rest("ping", apiKey=otto_key))


def test_making_a_key_asks_for_the_password_again(listener):
    client = signed_in(listener)
    page = client.get("/accounts/").content.decode()
    assert 'name="current_password"' in page and "revokes every key" in page

    for attempt in ({"name": "phone"}, {"name": "phone", "current_password": "guess"}):
        refused = client.post("/accounts/", {"action": "create-key", **attempt})
        assert refused.status_code == 400 and "no key was made" in refused.content.decode()
    assert not ApiToken.objects.exists()

    made = client.post(
        "/accounts/", {"action": "create-key", "name": "phone", "current_password": PASSWORD}
    )
    key = re.search(r'<code id="new-key">([^<]+)</code>', made.content.decode()).group(1)
    assert ok(rest("ping", apiKey=key))


def test_setting_the_app_password_asks_for_the_password_again(listener):
    client = signed_in(listener)
    refused = client.post(
        "/accounts/",
        {
            "action": "set-app-password",
            "password": APP_PASSWORD,
            "confirm": APP_PASSWORD,
            "current_password": "guess",
        },
    )
    assert refused.status_code == 400 and "not your login password" in refused.content.decode()
    assert app_password_of(listener) is None


def test_wrong_passwords_in_a_session_count_for_the_limiter(listener, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    client = signed_in(listener)
    client.post("/accounts/", {"action": "create-key", "current_password": "guess1"})
    client.post(
        "/accounts/password/",
        {"old_password": "guess2", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert AccessAttempt.objects.get(username="lena").failures_since_start == 2

    locked = client.post("/accounts/", {"action": "create-key", "current_password": "guess3"})

    assert locked.status_code == 429 and "Try again in" in locked.content.decode()
    late = client.post("/accounts/", {"action": "create-key", "current_password": PASSWORD})
    assert late.status_code == 429
    assert not ApiToken.objects.exists()
    # Nor can the session's owner be signed in anew from elsewhere meanwhile.
    assert (
        Client(REMOTE_ADDR="192.0.2.4")
        .post("/accounts/login/", {"username": "lena", "password": PASSWORD})
        .status_code
        == 429
    )
