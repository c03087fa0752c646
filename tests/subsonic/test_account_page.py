"""The account page: API keys for apps and the Subsonic app password."""

import re

from django.test import Client

from neuralnotes.models import ApiToken
from tests.conftest import PASSWORD
from tests.subsonic.conftest import error_code, ok, rest


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_key_made_on_the_account_page_signs_subsonic_requests_until_revoked(listener):
    client = signed_in(listener)

    page = client.post(
        "/accounts/", {"action": "create-key", "name": "phone", "current_password": PASSWORD}
    )

    key = re.search(r'<code id="new-key">([^<]+)</code>', page.content.decode()).group(1)
    assert ok(rest("ping", apiKey=key))
    token = ApiToken.objects.get(user=listener)
    assert token.name == "phone" and "phone" in client.get("/accounts/").content.decode()

    client.post("/accounts/", {"action": "revoke-key", "id": token.id})

    assert error_code(rest("ping", apiKey=key)) == 44


def test_nobody_revokes_another_users_key(listener, other_listener):
    client = signed_in(listener)
    client.post(
        "/accounts/", {"action": "create-key", "name": "mine", "current_password": PASSWORD}
    )
    token = ApiToken.objects.get(user=listener)

    signed_in(other_listener).post("/accounts/", {"action": "revoke-key", "id": token.id})

    assert ApiToken.objects.filter(id=token.id).exists()
    assert "mine" not in signed_in(other_listener).get("/accounts/").content.decode()


def test_the_app_password_is_set_refused_if_it_is_the_login_password_and_removed(listener):
    import hashlib

    client = signed_in(listener)

    refused = client.post(
        "/accounts/",
        {
            "action": "set-app-password",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "current_password": PASSWORD,
        },
    )
    assert refused.status_code == 400 and "not your login password" in refused.content.decode()

    client.post(
        "/accounts/",
        {
            "action": "set-app-password",
            "password": "app-pass-42",
            "confirm": "app-pass-42",
            "current_password": PASSWORD,
        },
    )
    signed = {"t": hashlib.md5(b"app-pass-42abc").hexdigest(), "s": "abc"}
    assert ok(rest("ping", u=listener.username, **signed))

    client.post("/accounts/", {"action": "clear-app-password"})
    assert error_code(rest("ping", u=listener.username, **signed)) == 40


def test_the_account_page_needs_a_signed_in_user(db):
    assert Client().get("/accounts/").status_code == 302
