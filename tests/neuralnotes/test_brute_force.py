"""One limit on guessing passwords (django-axes, neuralnotes.sign_in_limits): the web and admin
sign-in forms and the REST API's token sign-in, per account and per client address, with the
wait told, success resetting, and the lockouts visible to staff. Subsonic's three ways are in
tests/subsonic/test_sign_in_limits.py."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.db.models import F
from django.test import Client
from rest_framework.test import APIClient

from tests.conftest import PASSWORD
from tests.processes import BASE_DIR, run_django

LIMIT = 3
ATTACKER = "198.51.100.7"


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def browser(address: str = ATTACKER) -> Client:
    return Client(REMOTE_ADDR=address)


def web_sign_in(client: Client, username: str, password: str, *, admin: bool = False):
    path = "/admin/login/" if admin else "/accounts/login/"
    return client.post(path, {"username": username, "password": password, "next": "/"})


def cool_off_passes() -> None:
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))


def assert_locked_out_page(response) -> None:
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 15 * 60
    page = response.content.decode()
    assert "Too many failed sign-ins" in page and "Try again in" in page
    assert "15 minutes" in page  # the wait, told in words


@pytest.mark.parametrize("admin", [False, True], ids=["web", "admin"])
def test_repeated_wrong_passwords_lock_the_sign_in_form_for_a_cool_off(admin, admin_user):
    client = browser()
    for _ in range(LIMIT - 1):
        assert web_sign_in(client, "ada", "guess", admin=admin).status_code == 200
    assert_locked_out_page(web_sign_in(client, "ada", "guess", admin=admin))

    # The right password waits too: otherwise guessing would go on, only quieter.
    assert_locked_out_page(web_sign_in(client, "ada", PASSWORD, admin=admin))
    assert "_auth_user_id" not in client.session

    cool_off_passes()
    assert web_sign_in(client, "ada", PASSWORD, admin=admin).status_code == 302


def test_an_account_is_locked_whatever_the_addresses_the_guesses_come_from(listener):
    for index in range(LIMIT):
        web_sign_in(browser(f"203.0.113.{index + 1}"), "lena", "guess")

    assert_locked_out_page(web_sign_in(browser("192.0.2.99"), "lena", PASSWORD))
    # Another account from any of those addresses is not locked by lena's count.
    User.objects.create_user("ivo", password=PASSWORD)
    assert web_sign_in(browser("203.0.113.1"), "ivo", PASSWORD).status_code == 302


def test_an_address_is_locked_whatever_the_accounts_it_guesses(listener):
    client = browser()
    for name in ["alice", "bob", "carol"][:LIMIT]:  # one guess each: no account reaches the limit
        web_sign_in(client, name, "guess")

    assert_locked_out_page(web_sign_in(client, "lena", PASSWORD))
    assert web_sign_in(browser("192.0.2.10"), "lena", PASSWORD).status_code == 302


def test_a_success_resets_the_count(listener):
    client = browser()
    for _ in range(LIMIT - 1):
        web_sign_in(client, "lena", "typo")
    assert web_sign_in(client, "lena", PASSWORD).status_code == 302
    client.post("/accounts/logout/")

    for _ in range(LIMIT - 1):
        assert web_sign_in(client, "lena", "typo").status_code == 200
    assert web_sign_in(client, "lena", PASSWORD).status_code == 302


def test_signing_in_to_ones_own_account_does_not_reset_the_count_of_the_one_guessed(listener):
    User.objects.create_user("mallory", password="mallorys-own-passphrase")
    guesser = browser(ATTACKER)
    for _ in range(LIMIT - 1):
        web_sign_in(guesser, "lena", "guess")
    # Axes' own reset would clear every failure from this address, lena's included.
    assert web_sign_in(guesser, "mallory", "mallorys-own-passphrase").status_code == 302

    web_sign_in(browser("192.0.2.50"), "lena", "guess")

    assert_locked_out_page(web_sign_in(browser("192.0.2.51"), "lena", PASSWORD))


def test_staff_see_and_clear_lockouts_in_the_admin(listener, admin_user):
    for _ in range(LIMIT):
        web_sign_in(browser(), "lena", "guess")
    staff = Client()
    staff.force_login(admin_user)

    listing = staff.get("/admin/axes/accessattempt/?locked_out=yes")
    assert listing.status_code == 200
    assert "lena" in listing.content.decode() and ATTACKER in listing.content.decode()
    attempt = AccessAttempt.objects.get(username="lena")
    assert "guess" not in attempt.post_data  # the password tried is not kept

    cleared = staff.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.id], "post": "yes"},
    )
    assert cleared.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert web_sign_in(browser(), "lena", PASSWORD).status_code == 302


def test_listeners_do_not_see_the_lockouts(listener):
    client = Client()
    client.force_login(listener)
    assert client.get("/admin/axes/accessattempt/").status_code == 302  # to the admin sign-in


def api_sign_in(username: str, password: str, *, address: str = ATTACKER):
    return APIClient(REMOTE_ADDR=address).post(
        "/api/v1/auth/tokens/", {"username": username, "password": password}, format="json"
    )


def test_the_token_sign_in_answers_a_lockout_with_json_and_retry_after(listener):
    assert [api_sign_in("lena", "guess").status_code for _ in range(LIMIT)] == [401, 401, 429]

    response = api_sign_in("lena", PASSWORD)  # the right password, too late

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 15 * 60
    error = response.json()["error"]
    assert error["code"] == "throttled" and "try again in 15 minutes" in error["message"]
    assert "token" not in response.json()


def test_the_token_sign_in_resets_on_success_and_counts_with_the_web_form(listener):
    for _ in range(LIMIT - 1):
        api_sign_in("lena", "typo")
    assert api_sign_in("lena", PASSWORD).status_code == 201
    for _ in range(LIMIT - 1):
        assert api_sign_in("lena", "typo").status_code == 401

    # One limiter: the web form's failure is the one too many for the same account.
    assert_locked_out_page(web_sign_in(browser("192.0.2.77"), "lena", "typo"))
    assert api_sign_in("lena", PASSWORD, address="192.0.2.78").status_code == 429


READ_LIMITS = """
from django.conf import settings
from neuralnotes.client_address import trusted_proxies
cool_off = int(settings.AXES_COOLOFF_TIME.total_seconds())
print(settings.AXES_FAILURE_LIMIT, cool_off, trusted_proxies())
"""


def test_the_limits_come_from_the_environment_with_sane_defaults():
    defaults = run_django(READ_LIMITS)
    assert defaults.stdout.split()[-3:] == ["10", "900", "()"], defaults.stderr
    for name in ("SIGN_IN_FAILURE_LIMIT", "SIGN_IN_COOLOFF_S", "TRUSTED_PROXIES"):
        assert name in (BASE_DIR / "README.md").read_text()

    chosen = run_django(
        READ_LIMITS, SIGN_IN_FAILURE_LIMIT="5", SIGN_IN_COOLOFF_S="60", TRUSTED_PROXIES="2"
    )
    assert chosen.stdout.split()[-3:] == ["5", "60", "2"], chosen.stderr
