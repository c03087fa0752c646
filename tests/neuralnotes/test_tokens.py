"""Tokens for mobile clients: obtained with a password, listed, revoked, expiring; throttled."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle

from neuralnotes.models import ApiToken
from tests.conftest import PASSWORD


def sign_in(username: str, password: str = PASSWORD, name: str = "phone"):
    return APIClient().post(
        "/api/v1/auth/tokens/",
        {"username": username, "password": password, "name": name},
        format="json",
    )


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_mobile_client_signs_in_lists_and_revokes_its_tokens(listener):
    response = sign_in("lena")
    assert response.status_code == 201
    key = response.json()["token"]
    client = with_token(key)
    assert client.get("/api/v1/songs/").status_code == 200
    listed = client.get("/api/v1/auth/tokens/").json()["results"]
    assert [t["name"] for t in listed] == ["phone"] and "token" not in listed[0]
    assert listed[0]["prefix"] == key[:8]
    assert ApiToken.objects.get().key_hash != key  # only a hash is stored

    assert client.delete(f"/api/v1/auth/tokens/{listed[0]['id']}/").status_code == 204
    revoked = client.get("/api/v1/songs/")
    assert revoked.status_code == 401 and revoked.json()["error"]["message"] == "Invalid token."


def test_a_wrong_password_gets_no_token(listener):
    response = sign_in("lena", "nope")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Wrong username or password."


def test_an_expired_token_is_refused(listener):
    key = sign_in("lena").json()["token"]
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = with_token(key).get("/api/v1/songs/")
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"]


def test_nobody_revokes_someone_elses_token(listener, other_listener):
    mine = sign_in("lena").json()
    theirs = with_token(sign_in("otto").json()["token"])
    assert theirs.delete(f"/api/v1/auth/tokens/{mine['id']}/").status_code == 404
    assert ApiToken.objects.filter(id=mine["id"]).exists()


def test_password_guessing_is_throttled_per_ip_with_retry_after(listener, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"sign-in": "3/minute"})
    statuses = [sign_in("lena", "guess").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    response = sign_in("lena")  # even the right password waits now
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 60
    assert response.json()["error"]["code"] == "throttled"


def test_each_user_is_throttled_on_their_own(listener, other_listener, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "2/minute"})
    lena, otto = APIClient(), APIClient()
    lena.force_authenticate(listener)
    otto.force_authenticate(other_listener)
    assert [lena.get("/api/v1/songs/").status_code for _ in range(3)] == [200, 200, 429]
    assert otto.get("/api/v1/songs/").status_code == 200


@pytest.mark.parametrize("header", ["Token", "Token a b", "Bearer nonsense"])
def test_malformed_authorization_is_401(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get("/api/v1/songs/").status_code == 401
