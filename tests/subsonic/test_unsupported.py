"""Every method of the specification is served: the 87 of Subsonic 1.16.1 and OpenSubsonic
(with its sonicSimilarity extension), none answering error 0 "not implemented"; and the ones for
things this server has none of (podcasts, radio, videos, chat, jukebox) answer as the spec says:
an empty listing, or error 50 / 70."""

import json

import pytest

import subsonic.endpoints  # noqa: F401 - registers every method
from songs.models import Song
from songs.services.ingestion import batch_create, catalogue_get_or_create, song_create_from_file
from subsonic.registry import HANDLERS
from tests.audio import write_tone
from tests.subsonic.conftest import NS, call, error_code, ok, rest, rest_xml
from tests.subsonic.test_json_schemas import params_for

# From the specification's Endpoints pages (content/en/docs/Endpoints/), by category.
SPEC_METHODS = [
    # System
    "ping", "getLicense", "getOpenSubsonicExtensions", "tokenInfo",
    # Browsing
    "getMusicFolders", "getIndexes", "getMusicDirectory", "getGenres", "getArtists",
    "getArtist", "getAlbum", "getSong", "getVideos", "getVideoInfo", "getArtistInfo",
    "getArtistInfo2", "getAlbumInfo", "getAlbumInfo2", "getSimilarSongs", "getSimilarSongs2",
    "getTopSongs",
    # Album/song lists
    "getAlbumList", "getAlbumList2", "getRandomSongs", "getSongsByGenre", "getNowPlaying",
    "getStarred", "getStarred2",
    # Searching
    "search", "search2", "search3",
    # Playlists
    "getPlaylists", "getPlaylist", "createPlaylist", "updatePlaylist", "deletePlaylist",
    # Media retrieval
    "stream", "download", "hls", "getCaptions", "getCoverArt", "getLyrics",
    "getLyricsBySongId", "getAvatar",
    # Media annotation
    "star", "unstar", "setRating", "scrobble", "reportPlayback",
    # Sharing
    "getShares", "createShare", "updateShare", "deleteShare",
    # Podcast
    "getPodcasts", "getNewestPodcasts", "refreshPodcasts", "createPodcastChannel",
    "deletePodcastChannel", "deletePodcastEpisode", "downloadPodcastEpisode",
    "getPodcastEpisode",
    # Jukebox
    "jukeboxControl",
    # Internet radio
    "getInternetRadioStations", "createInternetRadioStation", "updateInternetRadioStation",
    "deleteInternetRadioStation",
    # Chat
    "getChatMessages", "addChatMessage",
    # User management
    "getUser", "getUsers", "createUser", "updateUser", "deleteUser", "changePassword",
    # Bookmarks and the play queue
    "getBookmarks", "createBookmark", "deleteBookmark", "getPlayQueue", "savePlayQueue",
    "getPlayQueueByIndex", "savePlayQueueByIndex",
    # Media library scanning
    "getScanStatus", "startScan",
    # Transcoding
    "getTranscodeDecision", "getTranscodeStream",
    # Sonic similarity
    "getSonicSimilarTracks", "findSonicPath",
]  # fmt: skip


def test_the_list_is_the_specs_87_methods():
    assert len(SPEC_METHODS) == len(set(SPEC_METHODS)) == 87


@pytest.fixture
def playable(tmp_path, library) -> Song:
    """A library song with a real file, for the methods that send audio."""
    path = write_tone(tmp_path / "tone.wav", seconds=1)
    batch = batch_create(source="api", catalogue=catalogue_get_or_create())
    song, _ = song_create_from_file(path=path, original_name="tone.wav", batch=batch)
    Song.objects.filter(id=song.id).update(status=Song.Status.READY)
    return song


def well_formed(method: str, library, listener, playable) -> dict:
    """Parameters a client would send: the shared ones (test_json_schemas), and ids for the
    methods whose subject this server does not have."""
    song = str(playable.id)
    own = {
        "stream": {"id": song},
        "download": {"id": song},
        "hls": {"id": song},
        "getCoverArt": {"id": song},
        "getLyrics": {"artist": library[0].artist, "title": library[0].title},
        "getLyricsBySongId": {"id": song},
        "createBookmark": {"id": song, "position": "1000"},
        "deleteBookmark": {"id": song},
        "savePlayQueue": {"id": song, "current": song},
        "savePlayQueueByIndex": {"id": song, "currentIndex": "0"},
        "getVideoInfo": {"id": "1"},
        "getCaptions": {"id": "1"},
        "deletePodcastChannel": {"id": "1"},
        "deletePodcastEpisode": {"id": "1"},
        "downloadPodcastEpisode": {"id": "1"},
        "getPodcastEpisode": {"id": "1"},
        "createPodcastChannel": {"url": "https://example.org/feed.xml"},
        "createInternetRadioStation": {"streamUrl": "https://example.org/s", "name": "Radio"},
        "updateInternetRadioStation": {
            "id": "1",
            "streamUrl": "https://example.org/s",
            "name": "Radio",
        },
        "deleteInternetRadioStation": {"id": "1"},
        "addChatMessage": {"message": "Hello"},
        "jukeboxControl": {"action": "status"},
        "getTranscodeDecision": {"mediaId": song, "mediaType": "song"},
        "getTranscodeStream": {"mediaId": song, "mediaType": "song", "transcodeParams": "x"},
    }
    return {**params_for(method, library, listener), **own.get(method, {})}


@pytest.mark.parametrize("method", SPEC_METHODS)
def test_every_method_of_the_spec_is_served(method, listener, library, playable):
    assert method.lower() in HANDLERS

    response = call(
        method, user=listener, f="json", **well_formed(method, library, listener, playable)
    )

    assert response.status_code in {200, 206}
    if response["Content-Type"].startswith("application/json"):
        body = json.loads(response.content)["subsonic-response"]
        if body["status"] == "failed":
            assert body["error"]["code"] != 0, body["error"]


LISTINGS = {
    "getPodcasts": ("podcasts", "channel"),
    "getNewestPodcasts": ("newestPodcasts", "episode"),
    "getInternetRadioStations": ("internetRadioStations", "internetRadioStation"),
    "getVideos": ("videos", "video"),
    "getChatMessages": ("chatMessages", "chatMessage"),
}


@pytest.mark.parametrize("method", sorted(LISTINGS))
def test_listings_of_what_this_server_has_none_of_are_empty(method, listener, db):
    element, item = LISTINGS[method]

    body = ok(rest(method, user=listener))
    root = rest_xml(method, user=listener)

    assert body[element] == {item: []}
    assert root.find(f"{NS}{element}") is not None and root.find(f".//{NS}{item}") is None


@pytest.mark.parametrize(
    ("method", "params", "code"),
    [
        ("getPodcasts", {"id": "1"}, 70),
        ("getPodcastEpisode", {"id": "1"}, 70),
        ("refreshPodcasts", {}, 50),
        ("createPodcastChannel", {"url": "https://example.org/feed.xml"}, 50),
        ("deletePodcastChannel", {"id": "1"}, 70),
        ("deletePodcastEpisode", {"id": "1"}, 70),
        ("downloadPodcastEpisode", {"id": "1"}, 70),
        ("createInternetRadioStation", {"streamUrl": "https://x.org/s", "name": "R"}, 50),
        (
            "updateInternetRadioStation",
            {"id": "1", "streamUrl": "https://x.org/s", "name": "R"},
            70,
        ),
        ("deleteInternetRadioStation", {"id": "1"}, 70),
        ("getVideoInfo", {"id": "1"}, 70),
        ("getCaptions", {"id": "1"}, 70),
        ("addChatMessage", {"message": "Hello"}, 50),
        ("jukeboxControl", {"action": "status"}, 50),
        ("getTranscodeDecision", {"mediaId": "1", "mediaType": "song"}, 50),
        ("getTranscodeStream", {"mediaId": "1", "mediaType": "song", "transcodeParams": "x"}, 50),
        # A call missing what the spec requires is error 10 first.
        ("getPodcastEpisode", {}, 10),
        ("deleteInternetRadioStation", {}, 10),
        ("addChatMessage", {}, 10),
        ("jukeboxControl", {}, 10),
    ],
)
def test_what_this_server_cannot_do_is_the_specs_error(method, params, code, listener, db):
    body = rest(method, user=listener, **params)

    assert error_code(body) == code and body["error"]["message"]


def test_even_an_administrator_has_no_podcasts_or_jukebox(admin_user):
    assert error_code(rest("createPodcastChannel", user=admin_user, url="https://x.org/f")) == 50
    assert error_code(rest("jukeboxControl", user=admin_user, action="start")) == 50


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_py_opensonic_reads_no_podcasts_and_no_radio_stations(opensonic):
    assert opensonic.get_podcasts() == []
    assert opensonic.get_internet_radio_stations() == []
    assert opensonic.get_newest_podcasts() == []
