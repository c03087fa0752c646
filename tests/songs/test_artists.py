"""Artists: their songs by album, and the artists that sound like them, over the API and on a
page; listeners see only artists of analysed songs."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from songs.models import Song
from tests.factories import make_embedded_songs

# Two artists per genre of make_songs (folk, metal, techno), six songs each, two albums each.
ARTISTS = ["Fiddle Folk", "Fjord Folk", "Iron Metal", "Rust Metal", "Tek One", "Tek Two"]


@pytest.fixture
def library(db):
    songs = make_embedded_songs(per_genre=12, unlabelled=0)
    for i, song in enumerate(songs):
        song.artist = ARTISTS[i // 6]
        song.album = f"{ARTISTS[i // 6]} {'Live' if i % 6 < 3 else 'Studio'}"
        song.track_number = i % 3 + 1
        song.year = 2000 + i // 6
        song.save()
    # Rolled-back vectors of earlier tests fill the HNSW graph: rebuild it from the live rows
    # (as tests/subsonic/conftest.py explains).
    with connection.cursor() as cursor:
        cursor.execute("REINDEX INDEX backbone_vector_hnsw")
    return {song.id: Song.objects.get(id=song.id) for song in songs}


def key_of(library, name: str) -> str:
    return next(song.artist_key for song in library.values() if song.artist == name)


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_an_artist_has_a_name_a_song_count_and_albums(library, listener):
    key = key_of(library, "Iron Metal")

    body = api_for(listener).get(f"/api/v1/artists/{key}/").json()

    assert body["key"] == key and body["name"] == "Iron Metal" and body["song_count"] == 6
    assert [(a["name"], a["song_count"], a["year"]) for a in body["albums"]] == [
        ("Iron Metal Live", 3, 2002),
        ("Iron Metal Studio", 3, 2002),
    ]


def test_similar_artists_are_nearest_first_and_never_the_artist_itself(library, listener):
    key = key_of(library, "Fiddle Folk")

    body = api_for(listener).get(f"/api/v1/artists/{key}/similar/?k=5").json()

    names = [result["name"] for result in body["results"]]
    assert body["artist"] == key and "Fiddle Folk" not in names and len(names) == 5
    assert names[0] == "Fjord Folk"  # the other artist of the same genre cluster
    distances = [result["distance"] for result in body["results"]]
    assert distances == sorted(distances)
    assert all(result["song_count"] == 6 for result in body["results"])
    assert body["results"][0]["key"] == key_of(library, "Fjord Folk")


def test_listeners_do_not_see_an_artist_whose_songs_are_not_analysed(library, listener, manager):
    key = key_of(library, "Tek Two")
    Song.objects.filter(artist_key=key).update(status=Song.Status.PENDING)
    other = key_of(library, "Tek One")

    assert api_for(listener).get(f"/api/v1/artists/{key}/").status_code == 404
    assert api_for(listener).get(f"/api/v1/artists/{key}/similar/").status_code == 404
    assert api_for(manager).get(f"/api/v1/artists/{key}/").json()["song_count"] == 6
    similar = api_for(listener).get(f"/api/v1/artists/{other}/similar/?k=10").json()
    assert key not in {result["key"] for result in similar["results"]}


@pytest.mark.parametrize("key", ["0" * 32, "not-a-key", "ABCDEF" + "0" * 26, "%00" + "a" * 29])
def test_an_unknown_artist_is_404(library, listener, key):
    assert api_for(listener).get(f"/api/v1/artists/{key}/").status_code == 404
    assert api_for(listener).get(f"/api/v1/artists/{key}/similar/").status_code == 404


def test_k_is_checked(library, listener):
    key = key_of(library, "Tek One")
    assert api_for(listener).get(f"/api/v1/artists/{key}/similar/?k=0").status_code == 400
    assert api_for(listener).get(f"/api/v1/artists/{key}/similar/?k=x").status_code == 400


def test_the_artist_page_shows_songs_by_album_and_links_similar_artists(client, library, listener):
    key = key_of(library, "Rust Metal")
    client.force_login(listener)

    page = client.get(f"/catalogue/artists/{key}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("Rust Metal Live") < html.index("Rust Metal Studio")
    for song in library.values():
        if song.artist == "Rust Metal":
            assert f'data-song="{song.id}"' in html
    similar = html[html.index('id="similar-artists"') :]
    assert f'href="/catalogue/artists/{key_of(library, "Iron Metal")}/"' in similar
    assert f'href="/catalogue/artists/{key}/"' not in similar
    assert similar.index("Iron Metal") < similar.index("Fiddle Folk")


def test_the_artist_page_needs_a_signed_in_user_and_a_known_artist(client, library, listener):
    key = key_of(library, "Rust Metal")
    assert client.get(f"/catalogue/artists/{key}/").status_code == 302  # to sign in
    client.force_login(listener)
    assert client.get(f"/catalogue/artists/{'0' * 32}/").status_code == 404
