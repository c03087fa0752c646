"""A real Subsonic client from PyPI (py-sonic) against a live server: what a phone app does."""

from urllib.parse import urlsplit

import libsonic
import pytest
from django.core.files.storage import default_storage

from songs.models import Song
from songs.services.ingestion import batch_create, catalogue_get_or_create, song_create_from_file
from subsonic.auth import app_password_set
from tests.audio import write_tone
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

APP_PASSWORD = "phone-app-password"


def connect(live_server, user, *, password=APP_PASSWORD, legacy=False) -> libsonic.Connection:
    address = urlsplit(live_server.url)
    return libsonic.Connection(
        f"http://{address.hostname}",
        user.username,
        password,
        port=address.port,
        appName="py-sonic-test",
        legacyAuth=legacy,
    )


@pytest.fixture
def song_with_audio(tmp_path, library) -> Song:
    path = tmp_path / "tone.wav"
    write_tone(path, seconds=2)
    batch = batch_create(source="api", catalogue=catalogue_get_or_create())
    song, _ = song_create_from_file(path=path, original_name="tone.wav", batch=batch)
    Song.objects.filter(id=song.id).update(
        status=Song.Status.READY, artist=library[0].artist, album=library[0].album, track_number=4
    )
    return Song.objects.get(id=song.id)


def test_py_sonic_browses_searches_streams_and_edits_playlists(
    live_server, listener, library, song_with_audio
):
    app_password_set(user=listener, password=APP_PASSWORD)
    client = connect(live_server, listener)  # token auth: md5(app password + salt)

    assert client.ping() is True

    indexes = client.getArtists()["artists"]["index"]
    names = [artist["name"] for index in indexes for artist in index["artist"]]
    assert names == sorted({s.artist for s in library}, key=str.lower)

    artist_id = indexes[0]["artist"][0]["id"]
    album_id = client.getArtist(artist_id)["artist"]["album"][0]["id"]
    album = client.getAlbum(album_id)["album"]
    assert [s["track"] for s in album["song"]] == sorted(s["track"] for s in album["song"])

    found = client.search3("Song 07")["searchResult3"]["song"]
    assert [s["title"] for s in found] == ["Song 07"]

    similar = client.getSimilarSongs2(str(library[0].id), count=5)["similarSongs2"]["song"]
    assert len(similar) == 5 and str(library[0].id) not in {s["id"] for s in similar}

    audio = client.stream(str(song_with_audio.id)).read()
    assert audio == default_storage.open(song_with_audio.audio.name).read()

    client.createPlaylist(name="Road trip", songIds=[str(library[1].id), str(library[2].id)])
    playlist = next(
        p for p in client.getPlaylists()["playlists"]["playlist"] if p["name"] == "Road trip"
    )
    client.updatePlaylist(
        playlist["id"], name="Road trip 2", songIdsToAdd=[str(library[3].id)],
        songIndexesToRemove=[0],
    )  # fmt: skip
    edited = client.getPlaylist(playlist["id"])["playlist"]
    assert edited["name"] == "Road trip 2"
    assert [e["id"] for e in edited["entry"]] == [str(library[2].id), str(library[3].id)]

    client.star(sids=[str(library[4].id)])
    starred = client.getStarred2()["starred2"]["song"]
    assert [s["id"] for s in starred] == [str(library[4].id)]


def test_py_sonic_with_the_login_password_in_legacy_mode(live_server, listener):
    assert connect(live_server, listener, password=PASSWORD, legacy=True).ping() is True


def test_py_sonic_token_auth_with_the_login_password_is_refused(live_server, listener):
    app_password_set(user=listener, password=APP_PASSWORD)

    with pytest.raises(Exception, match="(?i)wrong username or password"):
        connect(live_server, listener, password=PASSWORD).ping()
