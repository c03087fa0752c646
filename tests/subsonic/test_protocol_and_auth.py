"""The Subsonic envelope, both formats, errors, and the three ways of signing a request."""

import hashlib

import pytest
from django.test import Client

from neuralnotes.tokens import api_token_create
from subsonic.auth import AppPasswordError, app_password_set
from tests.conftest import PASSWORD
from tests.subsonic.conftest import NS, call, error_code, ok, rest, rest_xml


def test_ping_answers_the_open_subsonic_envelope_in_json(listener):
    body = ok(rest("ping", user=listener))

    assert body["version"] == "1.16.1"
    assert body["type"] == "neuralnotes"
    assert body["openSubsonic"] is True
    assert body["serverVersion"]


@pytest.mark.parametrize("path", ["/rest/ping", "/rest/ping.view"])
def test_ping_answers_xml_by_default_with_and_without_view(listener, path):
    response = Client().get(path, {"u": listener.username, "p": PASSWORD, "v": "1.16.1", "c": "t"})

    root = __import__("xml.etree.ElementTree").etree.ElementTree.fromstring(response.content)
    assert root.tag == f"{NS}subsonic-response"
    assert root.get("status") == "ok" and root.get("openSubsonic") == "true"


def test_form_post_is_accepted(listener):
    body = rest("ping", user=listener, post=True)

    assert body["status"] == "ok"


def test_an_unknown_method_is_not_implemented_not_a_server_error(listener):
    # No method of the spec has this name (getPodcasts, which this test used, is now served).
    response = call("getNoSuchThing", user=listener, f="json")

    assert response.status_code == 200
    assert error_code(response.json()["subsonic-response"]) == 0
    assert "not implemented" in response.json()["subsonic-response"]["error"]["message"]


def test_errors_in_xml_carry_code_and_message(listener):
    root = rest_xml("getSong", user=listener)

    assert root.get("status") == "failed"
    error = root.find(f"{NS}error")
    assert error.get("code") == "10" and "id" in error.get("message")


def test_wrong_password_is_error_40(listener):
    assert error_code(rest("ping", user=listener, password="wrong")) == 40


def test_hex_encoded_password_is_accepted(listener):
    assert ok(rest("ping", user=listener, password="enc:" + PASSWORD.encode().hex()))


def test_no_credentials_is_error_10(db):
    assert error_code(rest("ping")) == 10


def test_inactive_user_is_refused(listener):
    listener.is_active = False
    listener.save()

    assert error_code(rest("ping", user=listener)) == 40


def test_api_key_authenticates_and_token_info_names_the_user(listener):
    _, key = api_token_create(user=listener, name="phone")

    body = ok(rest("tokenInfo", apiKey=key))

    assert body["tokenInfo"]["username"] == listener.username


def test_invalid_api_key_is_error_44(db):
    assert error_code(rest("ping", apiKey="not-a-key")) == 44


def test_api_key_with_a_username_is_error_43(listener):
    _, key = api_token_create(user=listener)

    assert error_code(rest("ping", apiKey=key, u=listener.username)) == 43


def test_password_and_token_together_is_error_43(listener):
    assert error_code(rest("ping", user=listener, t="abc", s="salt")) == 43


def salted(secret: str, salt: str = "c19b2d") -> dict:
    return {"t": hashlib.md5((secret + salt).encode()).hexdigest(), "s": salt}


def test_token_auth_works_with_the_app_password(listener):
    app_password_set(user=listener, password="app-secret-123")

    body = rest("ping", u=listener.username, **salted("app-secret-123"))

    assert ok(body)


def test_token_auth_never_accepts_the_login_password(listener):
    app_password_set(user=listener, password="app-secret-123")

    assert error_code(rest("ping", u=listener.username, **salted(PASSWORD))) == 40


def test_token_auth_without_an_app_password_is_refused(listener):
    assert error_code(rest("ping", u=listener.username, **salted(PASSWORD))) == 40


def test_the_app_password_may_not_be_the_login_password(listener):
    with pytest.raises(AppPasswordError):
        app_password_set(user=listener, password=PASSWORD)


def test_the_app_password_is_stored_encrypted(listener):
    app_password_set(user=listener, password="app-secret-123")

    stored = bytes(listener.subsonic_app_password.ciphertext)
    assert b"app-secret-123" not in stored


def test_failed_sign_ins_are_throttled(listener):
    for _ in range(10):
        assert error_code(rest("ping", user=listener, password="wrong")) == 40

    body = rest("ping", user=listener)  # the right password, too late

    assert error_code(body) == 40 and "Too many" in body["error"]["message"]
    assert "try again in 15 minutes" in body["error"]["message"]  # the wait, told


def test_extensions_list_sonic_similarity_api_keys_and_form_post(listener):
    body = ok(rest("getOpenSubsonicExtensions", user=listener))

    names = {e["name"] for e in body["openSubsonicExtensions"]}
    assert {"sonicSimilarity", "apiKeyAuthentication", "formPost"} <= names


def test_get_user_shows_only_the_callers_account(listener, other_listener):
    assert ok(rest("getUser", user=listener, username=listener.username))["user"]["streamRole"]

    assert error_code(rest("getUser", user=listener, username=other_listener.username)) == 50


def test_a_changed_login_password_stops_the_old_one_at_once(listener):
    assert ok(rest("ping", user=listener))  # verified, and remembered for a while

    listener.set_password("a-brand-new-passphrase")
    listener.save()

    assert error_code(rest("ping", user=listener)) == 40
    assert ok(rest("ping", user=listener, password="a-brand-new-passphrase"))


def test_a_deactivated_user_is_refused_even_when_remembered(listener):
    assert ok(rest("ping", user=listener))

    listener.is_active = False
    listener.save()

    assert error_code(rest("ping", user=listener)) == 40
