import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from tests.conftest import PASSWORD


@pytest.mark.parametrize("url", ["/", "/explore/", "/catalogue/", "/accounts/password/"])
def test_pages_ask_anonymous_visitors_to_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/signup/", "/healthz"])
def test_sign_in_sign_up_and_health_are_open(client, db, url):
    assert client.get(url).status_code in (200, 503)  # /healthz may report a service down


def test_sign_up_creates_a_listener_and_signs_them_in(client, db):
    response = client.post(
        reverse("signup"),
        {"username": "newbie", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert not user.is_staff and not user.has_perm("songs.manage_catalogue")
    assert client.get(reverse("explorer:explore")).status_code == 200


def test_sign_up_rejects_mismatched_passwords(client, db):
    response = client.post(
        reverse("signup"),
        {"username": "newbie", "password1": PASSWORD, "password2": PASSWORD + "x"},
    )
    assert response.status_code == 200
    assert "password fields didn’t match" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


def test_log_in_and_log_out(client, listener):
    response = client.post(reverse("login"), {"username": "lena", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get(reverse("explorer:explore")).status_code == 200

    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("explorer:explore")).status_code == 302


def test_log_in_with_a_wrong_password_fails(client, listener):
    response = client.post(reverse("login"), {"username": "lena", "password": "wrong"})
    assert response.status_code == 200
    assert "didn't match" in response.content.decode()


def test_password_change(client, listener):
    client.force_login(listener)
    new_password = "another-long-passphrase"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    listener.refresh_from_db()
    assert listener.check_password(new_password)


def test_unknown_api_urls_answer_in_the_api_error_shape(client, listener):
    client.force_login(listener)
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and "There is nothing at this address." in page.content.decode()
