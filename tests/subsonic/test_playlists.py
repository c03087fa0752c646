"""Playlists through the Subsonic API are the platform's playlists, with its privacy rule: another
user's private playlist does not exist (70) through every method, a public one is readable but
not writable (50), and a refused write changes nothing."""

import pytest

from playlists.models import Playlist
from playlists.selectors import playlist_entries
from playlists.services import favourite_set, playlist_create, playlist_update
from tests.subsonic.conftest import NS, error_code, ok, rest, rest_xml


def song_ids(playlist: Playlist) -> list[int]:
    return [entry.song_id for entry in playlist_entries(playlist)]


@pytest.fixture
def private(listener, library):
    return playlist_create(owner=listener, name="Secret", description="mine", songs=library[:3])


@pytest.fixture
def public(listener, library):
    playlist = playlist_create(owner=listener, name="Shared", songs=library[3:5])
    return playlist_update(playlist=playlist, visibility=Playlist.Visibility.PUBLIC)


def test_get_playlists_lists_own_and_public_ones_with_counts(
    listener, other_listener, library, private, public
):
    favourite_set(user=listener, song=library[0], favourite=True)
    hidden = playlist_create(owner=other_listener, name="Otto's", songs=library[:1])

    mine = ok(rest("getPlaylists", user=listener))["playlists"]["playlist"]
    theirs = ok(rest("getPlaylists", user=other_listener))["playlists"]["playlist"]

    by_name = {p["name"]: p for p in mine}
    assert set(by_name) == {"Favourites", "Secret", "Shared"}
    assert by_name["Secret"]["songCount"] == 3 and by_name["Secret"]["public"] is False
    assert by_name["Secret"]["duration"] == round(sum(s.duration_s for s in library[:3]))
    assert by_name["Secret"]["comment"] == "mine" and by_name["Secret"]["owner"] == "lena"
    assert by_name["Shared"]["public"] is True and by_name["Favourites"]["songCount"] == 1
    assert {p["id"] for p in theirs} == {str(public.id), str(hidden.id)}


def test_get_playlists_for_another_username_needs_an_administrator(
    listener, other_listener, admin_user, private, public
):
    assert error_code(rest("getPlaylists", user=other_listener, username="lena")) == 50
    ok(rest("getPlaylists", user=listener, username="lena"))

    listed = ok(rest("getPlaylists", user=admin_user, username="lena"))["playlists"]["playlist"]

    assert {p["id"] for p in listed} == {str(private.id), str(public.id)}
    assert error_code(rest("getPlaylists", user=admin_user, username="nobody")) == 70


def test_get_playlist_has_its_songs_in_order(listener, library, private):
    favourite_set(user=listener, song=library[1], favourite=True)

    body = ok(rest("getPlaylist", user=listener, id=str(private.id)))["playlist"]

    assert [e["id"] for e in body["entry"]] == [str(s.id) for s in library[:3]]
    assert body["songCount"] == 3 and body["name"] == "Secret"
    assert "starred" in body["entry"][1] and "starred" not in body["entry"][0]


def test_get_playlist_in_xml(listener, library, private):
    root = rest_xml("getPlaylist", user=listener, id=str(private.id))

    playlist = root.find(f"{NS}playlist")
    assert playlist.get("name") == "Secret" and playlist.get("songCount") == "3"
    assert [e.get("id") for e in playlist.findall(f"{NS}entry")] == [str(s.id) for s in library[:3]]


def test_create_playlist_from_songs(listener, library):
    ids = [str(library[5].id), str(library[2].id)]

    body = ok(rest("createPlaylist", user=listener, name="Road trip", songId=ids))

    playlist = Playlist.objects.get(id=int(body["playlist"]["id"]))
    assert playlist.owner == listener and playlist.visibility == Playlist.Visibility.PRIVATE
    assert song_ids(playlist) == [library[5].id, library[2].id]
    assert [e["id"] for e in body["playlist"]["entry"]] == ids


def test_create_playlist_in_xml_with_a_post(listener, library):
    root = rest_xml("createPlaylist", user=listener, post=True, name="Posted")

    assert root.get("status") == "ok"
    assert root.find(f"{NS}playlist").get("name") == "Posted"


def test_create_playlist_with_an_id_replaces_the_songs(listener, library, private):
    ids = [str(library[7].id), str(library[8].id)]

    ok(rest("createPlaylist", user=listener, playlistId=str(private.id), songId=ids))

    assert song_ids(private) == [library[7].id, library[8].id]
    assert Playlist.objects.filter(owner=listener).count() == 1


def test_update_playlist_changes_name_comment_visibility_and_songs(listener, library, private):
    ok(
        rest(
            "updatePlaylist",
            user=listener,
            playlistId=str(private.id),
            name="Renamed",
            comment="now shared",
            public="true",
            songIdToAdd=[str(library[9].id), str(library[10].id)],
            songIndexToRemove=["0", "2"],
        )
    )

    private.refresh_from_db()
    assert (private.name, private.description) == ("Renamed", "now shared")
    assert private.visibility == Playlist.Visibility.PUBLIC
    assert song_ids(private) == [library[1].id, library[9].id, library[10].id]

    ok(rest("updatePlaylist", user=listener, playlistId=str(private.id), public="false"))
    private.refresh_from_db()
    assert private.visibility == Playlist.Visibility.PRIVATE and private.name == "Renamed"


def test_update_playlist_in_xml(listener, library, private):
    root = rest_xml("updatePlaylist", user=listener, playlistId=str(private.id), name="X")

    assert root.get("status") == "ok"
    private.refresh_from_db()
    assert private.name == "X"


def test_delete_playlist(listener, private):
    ok(rest("deletePlaylist", user=listener, id=str(private.id)))

    assert not Playlist.objects.filter(id=private.id).exists()
    assert error_code(rest("getPlaylist", user=listener, id=str(private.id))) == 70


def test_another_users_private_playlist_is_not_found_through_every_method(
    other_listener, library, private
):
    before = (song_ids(private), private.name, private.description, private.visibility)
    pid = str(private.id)
    song = str(library[10].id)

    assert error_code(rest("getPlaylist", user=other_listener, id=pid)) == 70
    attempts = [
        rest(
            "updatePlaylist",
            user=other_listener,
            playlistId=pid,
            name="Hacked",
            public="true",
            songIdToAdd=song,
            songIndexToRemove="0",
        ),
        rest("deletePlaylist", user=other_listener, id=pid),
        rest("createPlaylist", user=other_listener, playlistId=pid, songId=song),
    ]

    assert [error_code(body) for body in attempts] == [70, 70, 70]
    private.refresh_from_db()
    assert (song_ids(private), private.name, private.description, private.visibility) == before
    assert not Playlist.objects.filter(owner=other_listener).exists()


def test_a_public_playlist_is_readable_but_not_writable_by_others(other_listener, library, public):
    pid = str(public.id)
    before = song_ids(public)

    body = ok(rest("getPlaylist", user=other_listener, id=pid))["playlist"]
    assert [e["id"] for e in body["entry"]] == [str(i) for i in before]

    song = str(library[12].id)
    assert (
        error_code(rest("updatePlaylist", user=other_listener, playlistId=pid, name="Mine")) == 50
    )
    assert error_code(rest("deletePlaylist", user=other_listener, id=pid)) == 50
    assert (
        error_code(rest("createPlaylist", user=other_listener, playlistId=pid, songId=song)) == 50
    )
    public.refresh_from_db()
    assert song_ids(public) == before and public.name == "Shared"


def test_favourites_is_a_playlist_that_keeps_its_name(listener, library):
    favourite_set(user=listener, song=library[0], favourite=True)
    favourites = Playlist.objects.get(owner=listener, is_favourites=True)
    pid = str(favourites.id)

    body = ok(rest("getPlaylist", user=listener, id=pid))["playlist"]
    assert body["name"] == "Favourites" and len(body["entry"]) == 1

    assert error_code(rest("updatePlaylist", user=listener, playlistId=pid, name="Faves")) == 0
    assert error_code(rest("deletePlaylist", user=listener, id=pid)) == 0
    favourites.refresh_from_db()
    assert favourites.name == "Favourites"


def test_unknown_songs_change_nothing(listener, library, private):
    before = song_ids(private)
    pid = str(private.id)

    assert (
        error_code(
            rest(
                "updatePlaylist",
                user=listener,
                playlistId=pid,
                name="Changed",
                songIdToAdd=[str(library[10].id), "999999"],
                songIndexToRemove="0",
            )
        )
        == 70
    )
    body = rest("createPlaylist", user=listener, playlistId=pid, songId=["999999"])
    assert error_code(body) == 70
    body = rest("createPlaylist", user=listener, name="New", songId=[str(library[0].id), "x"])
    assert error_code(body) == 70

    private.refresh_from_db()
    assert song_ids(private) == before and private.name == "Secret"
    assert Playlist.objects.filter(owner=listener).count() == 1


def test_missing_parameters_are_error_10(listener, private):
    assert error_code(rest("getPlaylist", user=listener)) == 10
    assert error_code(rest("createPlaylist", user=listener)) == 10
    assert error_code(rest("updatePlaylist", user=listener)) == 10
    assert error_code(rest("deletePlaylist", user=listener)) == 10


def test_unknown_and_absurd_playlist_ids_are_error_70(listener, private):
    for raw in ["999999", "abc", "-1", "9" * 40]:
        assert error_code(rest("getPlaylist", user=listener, id=raw)) == 70
        assert error_code(rest("deletePlaylist", user=listener, id=raw)) == 70


def test_bad_and_absurd_indexes_change_nothing(listener, library, private):
    before = song_ids(private)
    pid = str(private.id)

    for index in ["3", "99999999999999999999", "-1", "one"]:
        body = rest("updatePlaylist", user=listener, playlistId=pid, songIndexToRemove=index)
        assert error_code(body) == 0
    body = rest("updatePlaylist", user=listener, playlistId=pid, songIndexToRemove=["0", "5"])
    assert error_code(body) == 0

    assert song_ids(private) == before


def test_a_song_twice_is_refused_where_the_playlist_does_not_allow_it(listener, library, private):
    before = song_ids(private)
    again = str(library[0].id)

    body = rest("updatePlaylist", user=listener, playlistId=str(private.id), songIdToAdd=again)

    assert error_code(body) == 0 and song_ids(private) == before
