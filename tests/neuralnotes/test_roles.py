"""Listeners explore; catalogue managers also manage songs; admins do everything."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    ("who", "catalogue", "song_admin", "user_admin"),
    [
        ("listener", 403, 302, 302),  # the admin sends non-staff to its own login page
        ("manager", 200, 200, 403),
        ("admin_user", 200, 200, 200),
    ],
)
def test_what_each_role_may_open(client, db, request, who, catalogue, song_admin, user_admin):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("songs:overview")).status_code == catalogue
    assert client.get(reverse("admin:songs_song_changelist")).status_code == song_admin
    assert client.get(reverse("admin:auth_user_changelist")).status_code == user_admin


def test_navigation_shows_staff_links_only_to_staff(client, listener, manager):
    client.force_login(listener)
    page = client.get(reverse("explorer:explore")).content.decode()
    assert reverse("songs:overview") not in page and reverse("admin:index") not in page

    client.force_login(manager)
    page = client.get(reverse("explorer:explore")).content.decode()
    assert reverse("songs:overview") in page and reverse("admin:index") in page
