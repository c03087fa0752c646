"""Subsonic user management and avatars: administrators (superusers) list, create, change and
delete accounts; everyone else may change only their own password; a password set here is the
one password Subsonic knows, good for the site, u + p and token auth alike."""

import hashlib
import io

import pytest
from django.contrib.auth.models import User
from django.test import Client
from PIL import Image

from tests.conftest import PASSWORD
from tests.subsonic.conftest import call, error_code, ok, rest

NEW_PASSWORD = "a-fresh-passphrase-2"


def signs_in_everywhere(username: str, password: str) -> bool:
    """The password works for the web site, Subsonic's u + p, and its token auth."""
    salt = "c19b2d"
    token = hashlib.md5((password + salt).encode()).hexdigest()
    user = User.objects.get(username=username)
    return (
        Client().post("/accounts/login/", {"username": username, "password": password}).status_code
        == 302
        and rest("ping", user=user, password=password)["status"] == "ok"
        and rest("ping", u=username, t=token, s=salt)["status"] == "ok"
    )


def test_users_change_their_own_password_and_sign_in_with_it(listener):
    ok(
        rest(
            "changePassword", user=listener, username=listener.username, password_param=NEW_PASSWORD
        )
    )

    assert signs_in_everywhere(listener.username, NEW_PASSWORD)
    assert error_code(rest("ping", user=listener, password=PASSWORD)) == 40


def test_a_hex_encoded_password_is_decoded(listener):
    encoded = "enc:" + NEW_PASSWORD.encode().hex()

    ok(rest("changePassword", user=listener, username=listener.username, password_param=encoded))

    assert signs_in_everywhere(listener.username, NEW_PASSWORD)


def test_a_weak_password_is_refused_with_the_sites_rules(listener):
    body = rest(
        "changePassword", user=listener, username=listener.username, password_param="12345678"
    )

    assert error_code(body) == 0
    assert "numeric" in body["error"]["message"]
    assert signs_in_everywhere(listener.username, PASSWORD) is False  # no app password yet
    assert rest("ping", user=listener)["status"] == "ok"


def test_only_an_admin_changes_someone_elses_password(listener, other_listener, admin_user):
    refused = rest("changePassword", user=listener, username="otto", password_param=NEW_PASSWORD)
    assert error_code(refused) == 50
    assert rest("ping", user=other_listener)["status"] == "ok"

    ok(rest("changePassword", user=admin_user, username="otto", password_param=NEW_PASSWORD))
    assert signs_in_everywhere("otto", NEW_PASSWORD)
    assert (
        error_code(
            rest("changePassword", user=admin_user, username="nobody", password_param=NEW_PASSWORD)
        )
        == 70
    )


@pytest.mark.parametrize(
    "method, params",
    [
        ("getUsers", {}),
        (
            "createUser",
            {"username": "eve", "password_param": NEW_PASSWORD, "email": "e@example.org"},
        ),
        ("updateUser", {"username": "otto", "adminRole": "true"}),
        ("deleteUser", {"username": "otto"}),
    ],
)
def test_user_management_is_for_admins_only(method, params, listener, other_listener):
    assert error_code(rest(method, user=listener, **params)) == 50
    assert not User.objects.filter(username="eve").exists()
    assert User.objects.filter(username="otto", is_superuser=False).exists()


def test_get_users_lists_every_account_with_its_roles(listener, manager, admin_user):
    users = ok(rest("getUsers", user=admin_user))["users"]["user"]

    roles = {u["username"]: (u["adminRole"], u["uploadRole"], u["streamRole"]) for u in users}
    assert roles == {
        "ada": (True, True, True),
        "lena": (False, False, True),
        "mia": (False, True, True),
    }
    mine = ok(rest("getUser", user=admin_user, username="ada"))["user"]
    assert next(u for u in users if u["username"] == "ada") == mine


def test_an_admin_creates_a_user_who_can_sign_in_and_use_an_app(admin_user):
    ok(
        rest(
            "createUser",
            user=admin_user,
            username="nina",
            password_param="enc:" + NEW_PASSWORD.encode().hex(),
            email="nina@example.org",
            uploadRole="true",
        )
    )

    nina = User.objects.get(username="nina")
    assert nina.email == "nina@example.org" and not nina.is_superuser
    assert nina.has_perm("songs.manage_catalogue")
    assert signs_in_everywhere("nina", NEW_PASSWORD)


def test_create_user_needs_its_parameters_and_a_free_name(admin_user, listener):
    assert (
        error_code(rest("createUser", user=admin_user, username="x", password_param=NEW_PASSWORD))
        == 10
    )
    taken = rest(
        "createUser", user=admin_user, username="lena", password_param=NEW_PASSWORD, email="l@x.org"
    )
    assert error_code(taken) == 0


def test_update_user_changes_only_what_it_names(admin_user, other_listener):
    ok(
        rest(
            "updateUser",
            user=admin_user,
            username="otto",
            email="otto@example.org",
            adminRole="true",
        )
    )

    otto = User.objects.get(username="otto")
    assert otto.email == "otto@example.org" and otto.is_superuser and otto.is_staff
    assert rest("ping", user=otto)["status"] == "ok"  # the password stayed

    ok(
        rest(
            "updateUser",
            user=admin_user,
            username="otto",
            adminRole="false",
            password_param=NEW_PASSWORD,
        )
    )
    otto.refresh_from_db()
    assert not otto.is_superuser and not otto.is_staff
    assert signs_in_everywhere("otto", NEW_PASSWORD)


def test_the_last_admin_keeps_the_role_and_nobody_deletes_themselves(admin_user, other_listener):
    assert error_code(rest("updateUser", user=admin_user, username="ada", adminRole="false")) == 50
    assert error_code(rest("deleteUser", user=admin_user, username="ada")) == 50
    assert User.objects.get(username="ada").is_superuser

    ok(rest("deleteUser", user=admin_user, username="otto"))
    assert not User.objects.filter(username="otto").exists()
    assert error_code(rest("deleteUser", user=admin_user, username="otto")) == 70


def test_every_user_has_a_generated_avatar_that_anyone_signed_in_sees(listener, other_listener):
    response = call("getAvatar", user=listener, username="otto")

    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (128, 128)
    again = call("getAvatar", user=other_listener, username="otto").content
    assert again == response.content  # the same name, the same picture
    assert call("getAvatar", user=listener, username="lena").content != response.content
    assert error_code(rest("getAvatar", user=listener, username="nobody")) == 70


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_py_opensonic_manages_users_as_an_admin(opensonic, listener):
    User.objects.filter(id=listener.id).update(is_superuser=True, is_staff=True)

    opensonic.create_user("nina", NEW_PASSWORD, "nina@example.org", upload_role=True)
    users = {user.username: user for user in opensonic.get_users()}
    assert set(users) == {"lena", "nina"}
    assert users["nina"].upload_role and not users["nina"].admin_role
    assert users["lena"].admin_role and users["lena"].stream_role
    assert signs_in_everywhere("nina", NEW_PASSWORD)

    # py-opensonic sends every role; those it leaves false are revoked.
    opensonic.update_user("nina", email="nina@example.net")
    nina = next(u for u in opensonic.get_users() if u.username == "nina")
    assert not nina.upload_role
    assert User.objects.get(username="nina").email == "nina@example.net"
    opensonic.change_password("nina", "yet-another-passphrase")
    assert signs_in_everywhere("nina", "yet-another-passphrase")
    opensonic.delete_user("nina")
    assert [user.username for user in opensonic.get_users()] == ["lena"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_py_opensonic_gets_an_avatar_and_is_refused_admin_methods(opensonic, listener):
    import asyncio

    import libopensonic

    response = opensonic.get_avatar("lena")
    data = asyncio.run_coroutine_threadsafe(response.read(), opensonic._loop).result()

    assert response.headers["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(data)).size == (128, 128)
    with pytest.raises(libopensonic.errors.AuthError):  # the library's class for code 50
        opensonic.get_users()
