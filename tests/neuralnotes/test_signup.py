"""Sign-up that can be closed: open, by a single-use invitation link, or closed; limited per
client address in every mode."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from neuralnotes.models import Invitation
from neuralnotes.signup import InvitationUnusable, invitation_create, invitation_path, user_sign_up
from tests.conftest import PASSWORD
from tests.neuralnotes.test_settings import PRODUCTION_ENV
from tests.processes import run_django


def sign_up(client: Client, username: str, url: str | None = None, invitation=None, **meta):
    data = {"username": username, "password1": PASSWORD, "password2": PASSWORD}
    if invitation is not None:
        data["invitation"] = invitation
    return client.post(url or reverse("signup"), data, **meta)


def test_production_defaults_to_closed_and_development_to_open():
    read = "from django.conf import settings; print(settings.SIGNUP)"
    production = run_django(read, **PRODUCTION_ENV)
    development = run_django(read, DJANGO_SETTINGS_MODULE="neuralnotes.settings.local")
    invite = run_django(read, **PRODUCTION_ENV, SIGNUP="invite")
    typo = run_django(read, **PRODUCTION_ENV, SIGNUP="opne")

    assert production.stdout.split()[-1] == "closed", production.stderr
    assert development.stdout.split()[-1] == "open", development.stderr
    assert invite.stdout.split()[-1] == "invite"
    assert typo.returncode != 0 and "SIGNUP must be open, invite or closed" in typo.stderr


def test_closed_sign_up_says_so_and_makes_no_account(client, db, settings):
    settings.SIGNUP = "closed"

    page = client.get(reverse("signup"))
    posted = sign_up(client, "intruder")
    invitation = invitation_create(created_by=None)  # an invitation opens nothing while closed
    with_link = sign_up(client, "invited", url=invitation_path(invitation))

    assert page.status_code == 403 and "Sign-up is closed" in page.content.decode()
    assert posted.status_code == 403 and with_link.status_code == 403
    assert not User.objects.exists()


def test_the_sign_in_page_offers_sign_up_only_while_it_is_open(client, db, settings):
    signup_link = f'href="{reverse("signup")}"'
    assert signup_link in client.get(reverse("login")).content.decode()
    for mode in ("closed", "invite"):
        settings.SIGNUP = mode
        assert signup_link not in client.get(reverse("login")).content.decode()


@pytest.fixture
def invite_only(settings):
    settings.SIGNUP = "invite"


def test_invite_mode_without_a_valid_invitation_makes_no_account(client, db, invite_only):
    expired = invitation_create(created_by=None, expires_at=timezone.now() - timedelta(minutes=1))
    attempts = {
        "no link": client.get(reverse("signup")),
        "no link, posted": sign_up(client, "a"),
        "made-up token": sign_up(client, "b", invitation="x" * 32),
        "made-up token in the link": client.get(f"{reverse('signup')}?invitation=guess"),
        "huge token": sign_up(client, "c", invitation="x" * 10_000),
        "expired": sign_up(client, "d", url=invitation_path(expired)),
        "expired, posted": sign_up(client, "e", invitation=expired.token),
    }

    for name, response in attempts.items():
        assert response.status_code == 403, name
    assert "Sign-up is by invitation" in attempts["no link"].content.decode()
    assert "This invitation cannot be used" in attempts["expired"].content.decode()
    assert not User.objects.exists()


def test_an_invitation_makes_one_account_and_is_used_up(client, db, invite_only, admin_user):
    invitation = invitation_create(created_by=admin_user, note="for Ines")

    page = client.get(invitation_path(invitation))
    created = sign_up(client, "ines", url=invitation_path(invitation))
    again = sign_up(Client(), "ines2", url=invitation_path(invitation))
    by_field = sign_up(Client(), "ines3", invitation=invitation.token)

    assert page.status_code == 200 and invitation.token in page.content.decode()
    assert created.status_code == 302
    invitation.refresh_from_db()
    assert invitation.used_by == User.objects.get(username="ines") and invitation.used_at
    assert again.status_code == 403 and by_field.status_code == 403
    assert set(User.objects.values_list("username", flat=True)) == {"ada", "ines"}


def test_the_invitation_travels_in_the_form_when_the_link_is_left(client, db, invite_only):
    invitation = invitation_create(created_by=None)

    response = sign_up(client, "ines", invitation=invitation.token)

    assert response.status_code == 302 and User.objects.filter(username="ines").exists()


def test_two_sign_ups_with_one_invitation_at_once_make_one_account(db, invite_only):
    from django.contrib.auth.forms import UserCreationForm

    invitation = invitation_create(created_by=None)
    forms = [
        UserCreationForm({"username": name, "password1": PASSWORD, "password2": PASSWORD})
        for name in ("first", "second")
    ]
    assert all(form.is_valid() for form in forms)
    # Both requests found the invitation unused; the second commits after the first.
    user_sign_up(form=forms[0], invitation=invitation)
    with pytest.raises(InvitationUnusable):
        user_sign_up(form=forms[1], invitation=invitation)

    assert list(User.objects.values_list("username", flat=True)) == ["first"]


def test_an_admin_makes_an_invitation_link_in_the_admin(client, admin_user, invite_only):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:neuralnotes_invitation_add"), {"note": "for Ines"}, follow=True
    )

    invitation = Invitation.objects.get()
    assert invitation.created_by == admin_user and len(invitation.token) >= 32
    assert f"http://testserver{invitation_path(invitation)}" in response.content.decode()
    listing = client.get(reverse("admin:neuralnotes_invitation_changelist")).content.decode()
    assert invitation_path(invitation) in listing

    client.post(
        reverse("admin:neuralnotes_invitation_changelist"),
        {"action": "make_another", "_selected_action": [invitation.id]},
    )
    assert (
        Invitation.objects.count() == 2 and len(set(Invitation.objects.values_list("token"))) == 2
    )


def test_sign_up_attempts_are_limited_per_client_address(db, settings):
    settings.SIGNUP_RATE = "3/hour"
    settings.TRUSTED_PROXIES = ""

    def one():  # a new browser each time (a signed-up one is signed in), from one address
        return Client(REMOTE_ADDR="203.0.113.7")

    results = [
        sign_up(one(), f"user{n}", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(6)  # a fresh forged X-Forwarded-For on each try changes nothing
    ]
    other = sign_up(Client(REMOTE_ADDR="203.0.113.8"), "neighbour")

    assert results == [302, 302, 302, 429, 429, 429]
    limited = sign_up(one(), "late")
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert "Too many sign-up attempts" in limited.content.decode()
    assert other.status_code == 302
    assert User.objects.count() == 4


def test_failed_sign_up_forms_count_too(db, settings):
    """Guessing invitations, or usernames, costs an attempt each."""
    settings.SIGNUP_RATE = "2/minute"
    settings.SIGNUP = "invite"
    client = Client(REMOTE_ADDR="203.0.113.9")
    codes = [sign_up(client, "x", invitation=f"guess{n}").status_code for n in range(4)]

    assert codes == [403, 403, 429, 429]


def test_limit_uses_the_address_behind_a_trusted_proxy(db, settings):
    settings.SIGNUP_RATE = "1/hour"
    settings.TRUSTED_PROXIES = "10.0.0.1"

    def proxy():
        return Client(REMOTE_ADDR="10.0.0.1")

    first = sign_up(proxy(), "a", HTTP_X_FORWARDED_FOR="203.0.113.20")
    second = sign_up(proxy(), "b", HTTP_X_FORWARDED_FOR="203.0.113.20")
    someone_else = sign_up(proxy(), "c", HTTP_X_FORWARDED_FOR="203.0.113.21")

    assert [first.status_code, second.status_code, someone_else.status_code] == [302, 429, 302]
