"""Playlists and favourites: every listener keeps their own music, privately."""

import json
import threading

import numpy as np
import pytest
from django.db import connection
from rest_framework.test import APIClient

from playlists.models import Playlist, PlaylistEntry
from playlists.selectors import songs_path_between, songs_walk_from
from playlists.services import (
    PlaylistError,
    playlist_add_song,
    playlist_create,
    playlist_move_entry,
)
from songs.models import Song
from tests.factories import make_embedded_songs


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def songs(db):
    return make_embedded_songs(per_genre=6, unlabelled=0)


@pytest.fixture
def private(listener, songs) -> Playlist:
    return playlist_create(owner=listener, name="Mine", songs=songs[:3])


def positions(playlist: Playlist) -> list[int]:
    return list(playlist.entries.order_by("position").values_list("position", flat=True))


def test_create_add_reorder_remove_through_the_api(listener, songs):
    api = client_for(listener)
    created = api.post(
        "/api/v1/playlists/", {"name": "Road trip", "songs": [songs[0].id]}, format="json"
    )
    assert created.status_code == 201
    pid = created.json()["id"]
    for song in songs[1:4]:
        assert (
            api.post(
                f"/api/v1/playlists/{pid}/songs/", {"song": song.id}, format="json"
            ).status_code
            == 201
        )
    api.post(f"/api/v1/playlists/{pid}/songs/", {"song": songs[4].id, "position": 0}, format="json")
    entries = api.get(f"/api/v1/playlists/{pid}/").json()["entries"]
    assert [e["song"]["id"] for e in entries] == [songs[i].id for i in (4, 0, 1, 2, 3)]
    assert [e["position"] for e in entries] == [0, 1, 2, 3, 4]

    moved = api.patch(
        f"/api/v1/playlists/{pid}/entries/{entries[0]['id']}/", {"position": 4}, format="json"
    )
    assert [e["song"]["id"] for e in moved.json()["entries"]] == [
        songs[i].id for i in (0, 1, 2, 3, 4)
    ]
    assert api.delete(f"/api/v1/playlists/{pid}/entries/{entries[2]['id']}/").status_code == 204
    assert positions(Playlist.objects.get(id=pid)) == [0, 1, 2, 3]

    renamed = api.patch(
        f"/api/v1/playlists/{pid}/", {"name": "Long road", "description": "d"}, format="json"
    )
    assert renamed.json()["name"] == "Long road"
    assert api.delete(f"/api/v1/playlists/{pid}/").status_code == 204
    assert not Playlist.objects.filter(id=pid).exists()


def test_a_song_appears_once_unless_the_owner_allows_duplicates(private, songs):
    with pytest.raises(PlaylistError, match="is in this playlist already"):
        playlist_add_song(playlist=private, song=songs[0])
    response = client_for(private.owner).post(
        f"/api/v1/playlists/{private.id}/songs/", {"song": songs[0].id}, format="json"
    )
    assert response.status_code == 400 and "already" in response.json()["error"]["message"] + str(
        response.json()["error"]["fields"]
    )
    private.allow_duplicates = True
    private.save()
    playlist_add_song(playlist=private, song=songs[0])
    assert private.entries.filter(song=songs[0]).count() == 2


def test_favourites_is_one_implicit_playlist(listener, songs):
    api = client_for(listener)
    assert api.put(f"/api/v1/favourites/{songs[0].id}/").json() == {
        "song": songs[0].id,
        "favourite": True,
    }
    api.put(f"/api/v1/favourites/{songs[0].id}/")  # twice: still once
    api.put(f"/api/v1/favourites/{songs[1].id}/")
    assert api.get("/api/v1/favourites/").json() == {"songs": sorted([songs[0].id, songs[1].id])}
    api.delete(f"/api/v1/favourites/{songs[0].id}/")
    assert api.get("/api/v1/favourites/").json() == {"songs": [songs[1].id]}
    favourites = Playlist.objects.get(owner=listener, is_favourites=True)
    assert client_for(listener).delete(f"/api/v1/playlists/{favourites.id}/").status_code == 400


def owner_only_requests(playlist: Playlist, entry: PlaylistEntry, song: Song):
    pid = playlist.id
    return [
        ("get", f"/api/v1/playlists/{pid}/", None),
        ("patch", f"/api/v1/playlists/{pid}/", {"name": "stolen"}),
        ("delete", f"/api/v1/playlists/{pid}/", None),
        ("post", f"/api/v1/playlists/{pid}/songs/", {"song": song.id}),
        ("patch", f"/api/v1/playlists/{pid}/entries/{entry.id}/", {"position": 2}),
        ("delete", f"/api/v1/playlists/{pid}/entries/{entry.id}/", None),
        ("post", f"/api/v1/playlists/{pid}/share/", None),
        ("delete", f"/api/v1/playlists/{pid}/share/", None),
        ("get", f"/api/v1/playlists/{pid}/export.m3u8", None),
        ("get", f"/api/v1/playlists/{pid}/export.json", None),
        ("get", f"/playlists/{pid}/", None),
    ]


def test_nobody_else_can_read_change_or_learn_of_a_private_playlist(
    private, other_listener, songs, client
):
    entry = private.entries.first()
    api = client_for(other_listener)
    client.force_login(other_listener)
    for method, url, body in owner_only_requests(private, entry, songs[5]):
        caller = client if url.startswith("/playlists/") else api
        response = (
            getattr(caller, method)(url, body, format="json") if caller is api else caller.get(url)
        )
        assert response.status_code == 404, (method, url, response.status_code)
    assert private.id not in [p["id"] for p in api.get("/api/v1/playlists/").json()["results"]]
    assert private.id not in [
        p["id"] for p in api.get("/api/v1/playlists/?public=1").json()["results"]
    ]
    private.refresh_from_db()
    assert (
        private.name == "Mine" and positions(private) == [0, 1, 2] and private.share_token is None
    )


def test_public_playlists_are_readable_but_not_writable_by_others(private, other_listener, songs):
    client_for(private.owner).patch(
        f"/api/v1/playlists/{private.id}/", {"visibility": "public"}, format="json"
    )
    api = client_for(other_listener)
    assert api.get(f"/api/v1/playlists/{private.id}/").status_code == 200
    assert private.id in [p["id"] for p in api.get("/api/v1/playlists/?public=1").json()["results"]]
    assert (
        api.post(
            f"/api/v1/playlists/{private.id}/songs/", {"song": songs[5].id}, format="json"
        ).status_code
        == 404
    )
    assert api.get(f"/api/v1/playlists/{private.id}/").json()["share_url"] is None


def test_a_share_link_works_read_only_until_revoked(private, other_listener):
    owner = client_for(private.owner)
    url = owner.post(f"/api/v1/playlists/{private.id}/share/").json()["share_url"]
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert len(token) >= 32
    api = client_for(other_listener)
    shared = api.get(f"/api/v1/shared/{token}/")
    assert shared.status_code == 200 and len(shared.json()["entries"]) == 3
    assert api.get(f"/api/v1/playlists/{private.id}/").status_code == 404  # the link, not the id

    renewed = owner.post(f"/api/v1/playlists/{private.id}/share/").json()["share_url"]
    assert renewed != url and api.get(f"/api/v1/shared/{token}/").status_code == 404
    new_token = renewed.rstrip("/").rsplit("/", 1)[-1]
    owner.delete(f"/api/v1/playlists/{private.id}/share/")
    assert api.get(f"/api/v1/shared/{new_token}/").status_code == 404


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_reorders_leave_distinct_gap_free_positions(listener):
    songs = make_embedded_songs(per_genre=3, unlabelled=0)
    playlist = playlist_create(owner=listener, name="Busy", songs=songs)
    entries = list(playlist.entries.order_by("position"))
    barrier = threading.Barrier(2)
    errors = []

    def move(entry, position):
        barrier.wait()
        try:
            playlist_move_entry(entry=entry, position=position)
        except Exception as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=move, args=(entries[0], 8)),
        threading.Thread(target=move, args=(entries[8], 0)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert positions(playlist) == list(range(9))
    assert sorted(playlist.entries.values_list("song_id", flat=True)) == sorted(s.id for s in songs)


def test_deleting_a_song_from_the_catalogue_leaves_its_playlists_working(private, songs):
    songs[1].delete()
    api = client_for(private.owner)
    entries = api.get(f"/api/v1/playlists/{private.id}/").json()["entries"]
    assert [e["song"]["id"] for e in entries] == [songs[0].id, songs[2].id]
    api.post(f"/api/v1/playlists/{private.id}/songs/", {"song": songs[3].id}, format="json")
    assert positions(private) == [0, 1, 2]


def test_exports(private):
    api = client_for(private.owner)
    m3u = api.get(f"/api/v1/playlists/{private.id}/export.m3u8")
    lines = m3u.content.decode().splitlines()
    assert lines[0] == "#EXTM3U" and lines[1] == "#PLAYLIST:Mine"
    assert lines[2].startswith("#EXTINF:") and lines[3].endswith(
        f"/api/v1/songs/{private.entries.first().song_id}/audio/"
    )
    exported = json.loads(api.get(f"/api/v1/playlists/{private.id}/export.json").content)
    assert [s["position"] for s in exported["songs"]] == [0, 1, 2]


INJECTED = "#EXTINF:1,Evil\nhttp://evil.example/x.mp3"
# Every line break str.splitlines() knows (each would start a line), and an escape character.
BREAKS = [
    "\n",
    "\r",
    "\r\n",
    "\v",
    "\f",
    "\x1c",
    "\x1d",
    "\x1e",
    "\x85",
    "\u2028",
    "\u2029",
    "\x1b",
]


def test_line_breaks_in_names_and_tags_cannot_add_lines_to_the_m3u8_export(listener, songs):
    api = client_for(listener)
    name = f"Mine\r\n{INJECTED}"
    created = api.post("/api/v1/playlists/", {"name": name, "songs": []}, format="json")
    assert created.status_code == 201, created.json()
    playlist = Playlist.objects.get(id=created.json()["id"])
    for i, brk in enumerate(BREAKS):
        song = songs[i]
        song.title = f"Title{brk}{INJECTED.replace(chr(10), brk)}"
        song.artist = f"Artist{brk}#EXTM3U"
        song.save(update_fields=["title", "artist"])
        playlist_add_song(playlist=playlist, song=song)

    body = api.get(f"/api/v1/playlists/{playlist.id}/export.m3u8").content.decode()
    lines = body.splitlines()
    assert len(lines) == 2 + 2 * len(BREAKS)  # header, name, then two lines per song
    assert lines[1] == "#PLAYLIST:Mine #EXTINF:1,Evil http://evil.example/x.mp3"
    assert [line for line in lines if line.startswith("#EXTM3U")] == ["#EXTM3U"]
    for extinf, url in zip(lines[2::2], lines[3::2], strict=True):
        assert extinf.startswith("#EXTINF:") and extinf.count("#EXTINF:") == 2  # one is text
        assert url.startswith("http://testserver/api/v1/songs/")
    assert "evil.example" not in "".join(lines[3::2])
    assert not any(c in body for c in BREAKS if c != "\n")


def test_playlist_from_a_song_walks_nearest_neighbours_without_repeats(songs):
    walk = songs_walk_from(song=songs[0], length=8)
    assert walk[0] == songs[0] and len(walk) == 8 and len({s.id for s in walk}) == 8
    # Six songs per genre: the first six of the walk stay in the starting genre.
    assert {s.genre for s in walk[:6]} == {songs[0].genre}


def test_path_between_two_songs_starts_at_a_ends_at_b_and_moves_towards_b(listener, songs):
    start, end = songs[0], songs[-1]
    path = songs_path_between(start=start, end=end, length=8)
    assert path[0] == start and path[-1] == end
    assert len(path) == 8 and len({s.id for s in path}) == 8

    def distance_to_end(song):
        a, b = np.asarray(song.features, dtype=float), np.asarray(end.features, dtype=float)
        return 1 - a @ b / np.linalg.norm(a) / np.linalg.norm(b)

    steps = [distance_to_end(s) for s in path]
    assert np.mean(steps[:4]) > np.mean(steps[4:])  # the first half is farther from B
    assert steps[1] > steps[-2]
    api = client_for(listener)
    generated = api.post(
        "/api/v1/playlists/generate/",
        {"start": start.id, "end": end.id, "length": 8},
        format="json",
    )
    ids = [s["id"] for s in generated.json()["songs"]]
    assert ids == [s.id for s in path]
    saved = api.post("/api/v1/playlists/", {"name": "Journey", "songs": ids}, format="json")
    assert [e["song"]["id"] for e in saved.json()["entries"]] == ids


def test_playlist_pages(client, private):
    client.force_login(private.owner)
    assert "Mine" in client.get("/playlists/").content.decode()
    first = private.entries.order_by("position").first().song
    client_for(private.owner).put(f"/api/v1/favourites/{first.id}/")
    page = client.get(f"/playlists/{private.id}/").content.decode()
    assert 'draggable="true"' in page and "export.m3u8" in page
    assert f'aria-label="Remove {first.title} from favourites"' in page
    assert page.count('class="heart" aria-pressed="true"') == 1
