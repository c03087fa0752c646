"""Every implemented method's JSON answer matches the specification's shape (tests/subsonic/
schemas.py), and its XML answer carries the same result element."""

import jsonschema
import pytest

import subsonic.endpoints  # noqa: F401 - registers every method
from playlists.services import playlist_create
from subsonic.registry import HANDLERS
from tests.subsonic.conftest import NS, ok, rest, rest_xml
from tests.subsonic.schemas import ENVELOPE, ERROR, MEDIA, RESULTS


def params_for(method: str, library, listener) -> dict:
    song = library[0]
    first = ok(rest("getSong", user=listener, id=str(song.id)))["song"]
    playlist = playlist_create(owner=listener, name="Mine")
    return {
        "getUser": {"username": listener.username},
        "getMusicDirectory": {"id": first["artistId"]},
        "getArtistInfo": {"id": first["artistId"]},
        "getArtistInfo2": {"id": first["artistId"]},
        "getAlbumInfo": {"id": first["albumId"]},
        "getAlbumInfo2": {"id": first["albumId"]},
        "getAlbumList": {"type": "newest"},
        "search2": {"query": "Song"},
        "createPlaylist": {"name": "New", "songId": [str(song.id), str(library[1].id)]},
        "updatePlaylist": {"playlistId": str(playlist.id), "name": "Renamed"},
        "deletePlaylist": {"id": str(playlist.id)},
        "star": {"id": str(song.id)},
        "unstar": {"id": str(song.id)},
        "setRating": {"id": str(song.id), "rating": 4},
        "scrobble": {"id": str(song.id)},
        "getArtist": {"id": first["artistId"]},
        "getAlbum": {"id": first["albumId"]},
        "getSong": {"id": str(song.id)},
        "getSimilarSongs2": {"id": str(song.id), "count": 3},
        "getSimilarSongs": {"id": str(song.id), "count": 3},
        "getTopSongs": {"artist": song.artist},
        "getSonicSimilarTracks": {"id": str(song.id), "count": 3},
        "findSonicPath": {"startSongId": str(song.id), "endSongId": str(library[-1].id)},
        "getAlbumList2": {"type": "alphabeticalByName"},
        "getSongsByGenre": {"genre": song.genre},
        "search3": {"query": "Song"},
        "getPlaylist": {"id": str(playlist.id)},
    }.get(method, {})


@pytest.mark.parametrize("method", sorted(RESULTS))
def test_json_answers_match_the_specs_schema_and_xml_agrees(method, listener, library):
    params = params_for(method, library, listener)

    body = rest(method, user=listener, **params)

    jsonschema.validate(body, ENVELOPE)
    assert body["status"] == "ok", body.get("error")
    key, schema = RESULTS[method]
    if key is None:
        return
    jsonschema.validate(body[key], schema)
    root = rest_xml(method, user=listener, **params)
    assert root.get("status") == "ok" and root.find(f"{NS}{key}") is not None


def test_every_implemented_method_has_a_schema_here():
    assert set(HANDLERS) == {name.lower() for name in [*RESULTS, *MEDIA]}


def test_now_playing_entries_match_the_schema(listener, library):
    ok(rest("scrobble", user=listener, id=str(library[0].id), submission="false"))

    body = ok(rest("getNowPlaying", user=listener))

    assert len(body["nowPlaying"]["entry"]) == 1
    jsonschema.validate(body["nowPlaying"], RESULTS["getNowPlaying"][1])


def test_error_answers_match_the_error_schema(listener):
    body = rest("getSong", user=listener)

    jsonschema.validate(body, ENVELOPE)
    jsonschema.validate(body["error"], ERROR)
