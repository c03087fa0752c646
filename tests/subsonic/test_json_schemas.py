"""Every implemented method's JSON answer matches the specification's shape (tests/subsonic/
schemas.py), and its XML answer carries the same result element."""

import jsonschema
import pytest
from django.contrib.auth.models import User

import subsonic.endpoints  # noqa: F401 - registers every method
from playlists.models import Playlist
from playlists.services import playlist_create, share_create
from songs.services.lyrics import parse_text
from subsonic.registry import HANDLERS
from subsonic.services import bookmark_set, play_queue_save
from tests.conftest import PASSWORD
from tests.subsonic.conftest import NS, ok, rest, rest_xml
from tests.subsonic.schemas import ENVELOPE, ERROR, MEDIA, REFUSED, RESULTS


def params_for(method: str, library, listener) -> dict:
    song = library[0]
    first = ok(rest("getSong", user=listener, id=str(song.id)))["song"]
    playlist = playlist_create(owner=listener, name="Mine")
    share = share_create(owner=listener, songs=[song])
    if method in {"getUsers", "createUser", "updateUser", "deleteUser", "startScan"}:
        # An administrator's methods: the listener becomes one, and there is a user to change.
        User.objects.filter(id=listener.id).update(is_superuser=True)
        User.objects.create_user("leaving", password=PASSWORD)
    if method in {"getLyrics", "getLyricsBySongId"}:
        # The library's songs have no lyrics: the first gets a synced and an unsynced one.
        song.lyrics = [parse_text("[00:01.00]One\n[00:02.50]Two", lang="eng"), parse_text("One")]
        song.save(update_fields=["lyrics"])
    if method in {"getPlayQueue", "getPlayQueueByIndex", "getBookmarks", "deleteBookmark"}:
        # Something saved, so that the entries are checked too.
        play_queue_save(
            user=listener,
            song_ids=[s.id for s in library[:3]],
            current_index=1,
            position_ms=1500,
            client="phone",
        )
        bookmark_set(user=listener, song=song, position_ms=61_000, comment="chapter 2")
    return {
        "createShare": {"id": [str(song.id), first["albumId"]], "description": "For you"},
        "updateShare": {"id": str(share.id), "description": "Renamed"},
        "deleteShare": {"id": str(share.id)},
        "createUser": {"username": "newbie", "password_param": "a-new-pass", "email": "n@x.org"},
        "updateUser": {"username": "leaving", "email": "leaving@example.org"},
        "deleteUser": {"username": "leaving"},
        # The same password again: the XML call after it still signs in with it.
        "changePassword": {"username": listener.username, "password_param": PASSWORD},
        "getAvatar": {"username": listener.username},
        "getUser": {"username": listener.username},
        "getMusicDirectory": {"id": first["artistId"]},
        "getArtistInfo": {"id": first["artistId"]},
        "getArtistInfo2": {"id": first["artistId"]},
        "getAlbumInfo": {"id": first["albumId"]},
        "getAlbumInfo2": {"id": first["albumId"]},
        "getAlbumList": {"type": "newest"},
        "search2": {"query": "Song"},
        "search": {"any": "Song", "count": 5},
        "reportPlayback": {
            "mediaId": str(song.id),
            "mediaType": "song",
            "positionMs": 1000,
            "state": "playing",
        },
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
        "getLyrics": {"artist": song.artist, "title": song.title},
        "getLyricsBySongId": {"id": str(song.id)},
        "getSimilarSongs2": {"id": str(song.id), "count": 3},
        "getSimilarSongs": {"id": str(song.id), "count": 3},
        "getTopSongs": {"artist": song.artist},
        "getSonicSimilarTracks": {"id": str(song.id), "count": 3},
        "findSonicPath": {"startSongId": str(song.id), "endSongId": str(library[-1].id)},
        "getAlbumList2": {"type": "alphabeticalByName"},
        "getSongsByGenre": {"genre": song.genre},
        "search3": {"query": "Song"},
        "getPlaylist": {"id": str(playlist.id)},
        "savePlayQueue": {"id": [str(song.id), str(library[1].id)], "current": str(song.id)},
        "savePlayQueueByIndex": {"id": [str(song.id), str(song.id)], "currentIndex": 1},
        "createBookmark": {"id": str(song.id), "position": 12_000, "comment": "here"},
        "deleteBookmark": {"id": str(song.id)},
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
    assert set(HANDLERS) == {name.lower() for name in [*RESULTS, *MEDIA, *REFUSED]}


def test_now_playing_entries_match_the_schema(listener, library):
    ok(rest("scrobble", user=listener, id=str(library[0].id), submission="false"))

    body = ok(rest("getNowPlaying", user=listener))

    assert len(body["nowPlaying"]["entry"]) == 1
    jsonschema.validate(body["nowPlaying"], RESULTS["getNowPlaying"][1])


def test_error_answers_match_the_error_schema(listener):
    body = rest("getSong", user=listener)

    jsonschema.validate(body, ENVELOPE)
    jsonschema.validate(body["error"], ERROR)


def test_starred_items_match_the_schemas_and_say_when(listener, library):
    """What the user starred is marked where it is listed too (getAlbum, getArtist, the album
    lists), and getStarred shows Artist and folder albums, getStarred2 the ID3 ones."""
    first = ok(rest("getSong", user=listener, id=str(library[0].id)))["song"]
    ok(
        rest(
            "star",
            user=listener,
            id=str(library[0].id),
            albumId=first["albumId"],
            artistId=first["artistId"],
        )
    )

    for method in ("getStarred", "getStarred2"):
        key, schema = RESULTS[method]
        starred = ok(rest(method, user=listener))[key]
        jsonschema.validate(starred, schema)
        assert [len(starred[kind]) for kind in ("artist", "album", "song")] == [1, 1, 1]
    album = ok(rest("getAlbum", user=listener, id=first["albumId"]))["album"]
    artist = ok(rest("getArtist", user=listener, id=first["artistId"]))["artist"]
    listed = ok(rest("getAlbumList2", user=listener, type="starred"))["albumList2"]["album"]
    assert album["starred"] and artist["starred"] and listed[0]["starred"]
    assert "coverArt" not in ok(rest("getStarred", user=listener))["starred"]["artist"][0]


def test_a_playlist_someone_else_owns_is_readonly(listener, library):
    other = User.objects.create_user("other", password=PASSWORD)
    mine = playlist_create(owner=listener, name="Mine")
    theirs = playlist_create(owner=other, name="Theirs")
    Playlist.objects.filter(id=theirs.id).update(visibility=Playlist.Visibility.PUBLIC)

    listed = {p["id"]: p for p in ok(rest("getPlaylists", user=listener))["playlists"]["playlist"]}

    jsonschema.validate({"playlist": list(listed.values())}, RESULTS["getPlaylists"][1])
    assert listed[str(mine.id)]["readonly"] is False
    assert listed[str(theirs.id)]["readonly"] is True
