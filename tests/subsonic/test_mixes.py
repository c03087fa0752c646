"""The active map's mixes through the Subsonic API: read-only playlists with ids ("mix-<id>")
that no real playlist has; every change to one is refused (50) and leaves it as it was."""

import jsonschema
import pytest

from explorer.models import MapVersion, Mix
from explorer.selectors import mixes_active
from explorer.services import map_build
from playlists.models import Playlist
from playlists.services import playlist_create
from tests.subsonic.conftest import NS, error_code, ok, rest, rest_xml
from tests.subsonic.schemas import ENVELOPE, PLAYLIST, PLAYLIST_WITH_SONGS


@pytest.fixture
def mixes(library) -> list[Mix]:
    map_build(seed=0)
    return list(mixes_active())


def test_get_playlists_lists_the_mixes_beside_the_users_playlists(listener, library, mixes):
    own = playlist_create(owner=listener, name="Mine", songs=library[:2])

    body = ok(rest("getPlaylists", user=listener))
    jsonschema.validate(body, ENVELOPE)

    listed = {p["id"]: p for p in body["playlists"]["playlist"]}
    for playlist in listed.values():
        jsonschema.validate(playlist, PLAYLIST)
    assert str(own.id) in listed
    for mix in mixes:
        entry = listed[f"mix-{mix.id}"]
        assert entry["name"] == mix.name and entry["songCount"] == len(mix.song_ids)
        assert entry["owner"] == "Neural Notes" and entry["public"] is True
        assert entry["duration"] == round(
            sum(s.duration_s for s in library if s.id in mix.song_ids)
        )


def test_another_users_list_has_no_mixes(listener, admin_user, library, mixes):
    listed = ok(rest("getPlaylists", user=admin_user, username="lena"))["playlists"]
    assert not any(p["id"].startswith("mix-") for p in listed.get("playlist", []))


def test_get_playlist_of_a_mix_has_its_songs_most_typical_first(listener, mixes):
    mix = mixes[0]

    body = ok(rest("getPlaylist", user=listener, id=f"mix-{mix.id}"))

    jsonschema.validate(body["playlist"], PLAYLIST_WITH_SONGS)
    assert [e["id"] for e in body["playlist"]["entry"]] == [str(i) for i in mix.song_ids]
    root = rest_xml("getPlaylist", user=listener, id=f"mix-{mix.id}")
    playlist = root.find(f"{NS}playlist")
    assert playlist.get("name") == mix.name
    assert [e.get("id") for e in playlist.findall(f"{NS}entry")] == [str(i) for i in mix.song_ids]


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("updatePlaylist", {"playlistId": "{id}", "name": "Mine now"}),
        ("updatePlaylist", {"playlistId": "{id}", "songIndexToRemove": ["0"]}),
        ("deletePlaylist", {"id": "{id}"}),
        ("createPlaylist", {"playlistId": "{id}", "songId": []}),
    ],
)
def test_a_mix_cannot_be_changed(listener, library, mixes, method, params):
    mix = mixes[0]
    params = {k: f"mix-{mix.id}" if v == "{id}" else v for k, v in params.items()}
    if method == "createPlaylist":
        params["songId"] = [str(library[0].id)]

    assert error_code(rest(method, user=listener, **params)) == 50

    assert Mix.objects.get(id=mix.id).song_ids == mix.song_ids
    assert Mix.objects.get(id=mix.id).name == mix.name
    assert not Playlist.objects.filter(owner=listener).exists()


@pytest.mark.parametrize("raw", ["mix-999999", "mix-", "mix-x1", "mix-" + "9" * 30])
def test_an_unknown_mix_is_not_found(listener, mixes, raw):
    assert error_code(rest("getPlaylist", user=listener, id=raw)) == 70
    assert error_code(rest("deletePlaylist", user=listener, id=raw)) == 70


def test_a_mix_of_a_map_no_longer_active_is_not_found(listener, mixes):
    MapVersion.objects.update(is_active=False)
    assert error_code(rest("getPlaylist", user=listener, id=f"mix-{mixes[0].id}")) == 70
    listed = ok(rest("getPlaylists", user=listener))["playlists"]
    assert not any(p["id"].startswith("mix-") for p in listed.get("playlist", []))
