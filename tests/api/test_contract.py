"""Every operation of the schema, called as a client would, answers as the schema says: a documented
status, a documented content type, and a JSON body that validates against that status's schema."""

from fnmatch import fnmatch

import pytest

from neuralnotes.tokens import api_token_create
from songs.models import EmbeddingModel
from tests.api.conftest import API, Api, operation_template, sign_in_body

# role, method, path under /api/v1 ("{song}": an id of the world fixture), request, status
# Requests too long for one line of the table.
OUTSIDE = {"headers": {"Range": "bytes=9999999-"}}
BATCH = {"json": {"catalogue": "Field recordings", "name": "June"}}
UPLOAD = {
    "files": {
        "files": ["upload.wav", "junk.wav"],
        "metadata": "meta.csv",
        "catalogue": "Field recordings",
    }
}
BAD_UPLOAD = {"files": {"files": ["upload.wav"], "metadata": "bad-meta.json"}}
NEW_PLAYLIST = {"json": {"name": "Road trip", "songs": ["{song}", "{other_song}"]}}
RENAME = {"json": {"name": "Renamed", "allow_duplicates": True}}
ADD_SONG = {"json": {"song": "{audio_song}", "position": 0}}
PATH = {"json": {"start": "{song}", "end": "{other_song}", "length": 4}}
RECORD_FULL = {
    "json": {
        "song": "{other_song}",
        "seconds_heard": 200,
        "skipped": False,
        "played_at": "2026-01-02T03:04:05Z",
        "client": "tests",
    }
}

LENA, OTTO, MIA, ANON = "listener", "other_listener", "manager", "anonymous"

# role, method, path under /api/v1 ("{song}": an id of the world fixture), request, status
CALLS = [
    # auth
    (ANON, "POST", "/auth/tokens/", {"json": sign_in_body()}, 201),
    (ANON, "POST", "/auth/tokens/", {"json": {"username": "lena"}}, 400),
    (ANON, "POST", "/auth/tokens/", {"json": {**sign_in_body(), "password": "x"}}, 401),
    (LENA, "GET", "/auth/tokens/", {}, 200),
    (LENA, "DELETE", "/auth/tokens/{spare_token}/", {}, 204),
    (OTTO, "DELETE", "/auth/tokens/{spare_token}/", {}, 404),
    # songs
    (LENA, "GET", "/songs/?limit=2&offset=1", {}, 200),
    (LENA, "GET", "/songs/?genre=folk&search=s", {}, 200),
    (ANON, "GET", "/songs/", {}, 401),
    (LENA, "GET", "/songs/search/?q=s1", {}, 200),
    (LENA, "GET", "/songs/by-words/?q=calm+pianno+xyzzy", {}, 200),
    (LENA, "GET", "/songs/by-words/", {}, 400),
    (LENA, "POST", "/songs/alchemy/", {"json": {"add": [{"song": "{song}", "weight": 2}]}}, 200),
    (LENA, "POST", "/songs/alchemy/", {"json": {"add": [{"song": 999999}]}}, 400),
    (LENA, "GET", "/songs/{song}/", {}, 200),
    (LENA, "GET", "/songs/{audio_song}/", {}, 200),
    (LENA, "GET", "/songs/{pending_song}/", {}, 404),
    (MIA, "GET", "/songs/{pending_song}/", {}, 200),
    (LENA, "GET", "/songs/{song}/similar/?k=3&max_distance=2", {}, 200),
    (LENA, "GET", "/songs/{song}/similar/?k=0", {}, 400),
    (LENA, "GET", "/songs/{song}/surprise/?min_distance=0&max_distance=2", {}, 200),
    (LENA, "GET", "/songs/{song}/surprise/?min_distance=1.99&max_distance=2", {}, 200),
    (LENA, "GET", "/songs/{song}/surprise/?min_distance=1&max_distance=0.5", {}, 400),
    (LENA, "GET", "/songs/{audio_song}/audio/", {}, 200),
    (LENA, "GET", "/songs/{audio_song}/audio/", {"headers": {"Range": "bytes=0-99"}}, 206),
    (LENA, "GET", "/songs/{audio_song}/audio/", OUTSIDE, 416),
    (LENA, "GET", "/songs/{audio_song}/spectrogram.png", {}, 200),
    (LENA, "GET", "/songs/{song}/spectrogram.png", {}, 404),
    (LENA, "POST", "/songs/similar-to-clip/", {"files": {"file": "junk.wav"}}, 400),
    # map
    (LENA, "GET", "/map/", {}, 200),
    (LENA, "GET", "/map/points/", {}, 200),
    (MIA, "POST", "/map/rebuild/", {}, 202),
    (LENA, "POST", "/map/rebuild/", {}, 403),
    # mixes and artists
    (LENA, "GET", "/mixes/", {}, 200),
    (LENA, "GET", "/mixes/{mix}/", {}, 200),
    (LENA, "GET", "/mixes/999999/", {}, 404),
    (LENA, "POST", "/mixes/{mix}/save/", {"json": {"name": "Keep this"}}, 201),
    (OTTO, "POST", "/mixes/{mix}/save/", {}, 201),
    (LENA, "POST", "/mixes/{mix}/save/", {"json": {"name": ""}}, 400),
    (LENA, "GET", "/artists/{artist}/", {}, 200),
    (LENA, "GET", "/artists/{pending_artist}/", {}, 404),
    (MIA, "GET", "/artists/{pending_artist}/", {}, 200),
    (LENA, "GET", "/artists/{artist}/similar/?k=3", {}, 200),
    (LENA, "GET", "/artists/{artist}/similar/?k=0", {}, 400),
    (LENA, "GET", "/artists/not-a-key/similar/", {}, 404),
    # catalogue (staff)
    (MIA, "POST", "/batches/", BATCH, 201),
    (MIA, "GET", "/batches/{batch}/", {}, 200),
    (MIA, "GET", "/batches/999999/", {}, 404),
    (MIA, "POST", "/batches/{batch}/files/", {"files": {"file": "meta.csv"}}, 201),
    (MIA, "POST", "/batches/{batch}/files/", {"files": {"file": "upload.wav"}}, 201),
    (MIA, "POST", "/batches/{batch}/files/", {"files": {"file": "bad-meta.json"}}, 400),
    (MIA, "POST", "/uploads/", UPLOAD, 201),
    (MIA, "POST", "/uploads/", BAD_UPLOAD, 400),
    (MIA, "POST", "/songs/{failed_song}/retry/", {}, 202),
    (LENA, "POST", "/songs/{failed_song}/retry/", {}, 403),
    (MIA, "GET", "/models/", {}, 200),
    (MIA, "POST", "/models/train/", {"json": {"seed": 1}}, 202),
    (MIA, "POST", "/models/train/", {"json": {"seed": "one"}}, 400),
    (MIA, "POST", "/models/{model}/activate/", {}, 200),
    (MIA, "POST", "/models/999999/activate/", {}, 404),
    (MIA, "GET", "/duplicates/", {}, 200),
    (LENA, "GET", "/duplicates/", {}, 403),
    (MIA, "POST", "/duplicates/{duplicate}/merge/", {"json": {"keep": "{duplicate_song}"}}, 200),
    (MIA, "POST", "/duplicates/{duplicate}/merge/", {"json": {}}, 200),
    (MIA, "POST", "/duplicates/{duplicate}/merge/", {"json": {"keep": "{audio_song}"}}, 400),
    (MIA, "POST", "/duplicates/999999/merge/", {"json": {}}, 404),
    (MIA, "POST", "/duplicates/{duplicate}/dismiss/", {}, 200),
    (MIA, "POST", "/duplicates/scan/", {}, 202),
    # playlists
    (LENA, "GET", "/playlists/", {}, 200),
    (OTTO, "GET", "/playlists/?public=1", {}, 200),
    (LENA, "POST", "/playlists/", NEW_PLAYLIST, 201),
    (LENA, "POST", "/playlists/", {"json": {"name": "Lost", "songs": [999999]}}, 400),
    (LENA, "GET", "/playlists/{private}/", {}, 200),
    (OTTO, "GET", "/playlists/{private}/", {}, 404),
    (OTTO, "GET", "/playlists/{public}/", {}, 200),
    (LENA, "PATCH", "/playlists/{private}/", RENAME, 200),
    (LENA, "PATCH", "/playlists/{private}/", {"json": {"visibility": "everyone"}}, 400),
    (LENA, "DELETE", "/playlists/{private}/", {}, 204),
    (LENA, "POST", "/playlists/{private}/songs/", ADD_SONG, 201),
    (LENA, "POST", "/playlists/{private}/songs/", {"json": {"song": "{song}"}}, 400),
    (LENA, "PATCH", "/playlists/{private}/entries/{entry}/", {"json": {"position": 1}}, 200),
    (LENA, "DELETE", "/playlists/{private}/entries/{entry}/", {}, 204),
    (LENA, "POST", "/playlists/{private}/share/", {}, 200),
    (LENA, "DELETE", "/playlists/{shared}/share/", {}, 204),
    (OTTO, "GET", "/shared/{share_token}/", {}, 200),
    (OTTO, "GET", "/shared/no-such-link/", {}, 404),
    (LENA, "GET", "/playlists/{private}/export.m3u8", {}, 200),
    (LENA, "GET", "/playlists/{private}/export.json", {}, 200),
    (LENA, "POST", "/playlists/generate/", {"json": {"start": "{song}", "length": 3}}, 200),
    (LENA, "POST", "/playlists/generate/", PATH, 200),
    (LENA, "POST", "/playlists/generate/", {"json": {"start": "{pending_song}"}}, 404),
    (LENA, "GET", "/favourites/", {}, 200),
    (LENA, "PUT", "/favourites/{song}/", {}, 200),
    (LENA, "DELETE", "/favourites/{song}/", {}, 200),
    (LENA, "PUT", "/favourites/{pending_song}/", {}, 404),
    # history
    (LENA, "GET", "/history/?limit=1", {}, 200),
    (LENA, "POST", "/history/", {"json": {"song": "{song}", "seconds_heard": 3}}, 201),
    (LENA, "POST", "/history/", RECORD_FULL, 201),
    (LENA, "POST", "/history/", {"json": {"song": "{song}", "seconds_heard": -1}}, 400),
    (LENA, "POST", "/history/", {"json": {"song": "{pending_song}"}}, 404),
    (LENA, "DELETE", "/history/", {}, 204),
    (LENA, "DELETE", "/history/{play}/", {}, 204),
    (OTTO, "DELETE", "/history/{play}/", {}, 404),
    (LENA, "GET", "/history/pause/", {}, 200),
    (LENA, "PUT", "/history/pause/", {"json": {"paused": False}}, 200),
    (LENA, "PUT", "/history/pause/", {"json": {"paused": "maybe"}}, 400),
    (LENA, "GET", "/history/more-like/?k=3", {}, 200),
    (LENA, "GET", "/history/more-like/?k=0", {}, 400),
    (LENA, "GET", "/history/new-to-me/?k=3", {}, 200),
    (OTTO, "GET", "/history/new-to-me/", {}, 200),
    (LENA, "GET", "/history/map/", {}, 200),
]


def assert_documented(api_schema, method: str, path: str, response) -> None:
    """The status and content type are documented for the operation, and the body validates."""
    template = operation_template(list(api_schema.raw_schema["paths"]), path)
    operation = api_schema[template][method]
    documented = operation.definition.raw["responses"]
    status = str(response.status_code)
    assert status in documented, f"{method} {template}: {status} is not documented"
    media_types = list(documented[status].get("content", {}))
    if media_types:
        content_type = response.mimetype
        assert any(fnmatch(content_type, m) for m in media_types), (content_type, media_types)
    else:
        assert response.get_data() == b"", f"{method} {template}: {status} has an undocumented body"
    operation.validate_response(response)  # raises with the mismatches


@pytest.mark.parametrize(
    ("role", "method", "path", "request_", "status"),
    CALLS,
    ids=[f"{method} {path} as {role} -> {status}" for role, method, path, _, status in CALLS],
)
def test_answers_as_documented(
    world, api_schema, broker_purged, role, method, path, request_, status
):
    response = world.api[role].request(method, world.url(path), **world.fill(request_))
    assert response.status_code == status, response.get_data(as_text=True)[:1000]
    assert_documented(api_schema, method, world.url(path), response)


def test_every_operation_of_the_schema_is_called(api_schema):
    templates = list(api_schema.raw_schema["paths"])
    called = {(method, operation_template(templates, API + path)) for _, method, path, *_ in CALLS}
    operations = {
        (method.upper(), path)
        for path, item in api_schema.raw_schema["paths"].items()
        for method in item
        if method in {"get", "put", "post", "patch", "delete"}
    }
    assert operations - called == set()


def test_binary_bodies(world):
    api = world.api["listener"]
    png = api.request("GET", world.url("/songs/{audio_song}/spectrogram.png"))
    assert png.mimetype == "image/png" and png.get_data() == world.png
    audio = api.request("GET", world.url("/songs/{audio_song}/audio/"))
    assert audio.mimetype == "audio/wav" and audio.get_data()[:4] == b"RIFF"
    points = api.request("GET", "/api/v1/map/points/")
    assert points.mimetype == "application/octet-stream" and len(points.get_data()) > 4
    m3u8 = api.request("GET", world.url("/playlists/{private}/export.m3u8"))
    assert m3u8.mimetype == "audio/x-mpegurl" and m3u8.get_data(as_text=True).startswith("#EXTM3U")


def test_unchanged_map_points_answer_304(world, api_schema):
    api = world.api["listener"]
    etag = api.request("GET", "/api/v1/map/points/").headers["ETag"]
    response = api.request("GET", "/api/v1/map/points/", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert_documented(api_schema, "GET", "/api/v1/map/points/", response)


def test_no_map_yet_answers_204(wsgi_app, listener, api_schema):
    api = Api(wsgi_app, api_token_create(user=listener)[1])
    response = api.request("GET", "/api/v1/map/points/")
    assert response.status_code == 204
    assert_documented(api_schema, "GET", "/api/v1/map/points/", response)


def test_a_clip_with_no_embedding_model_active_finds_nothing(world, api_schema):
    EmbeddingModel.objects.update(is_active=False)
    response = world.api["listener"].request(
        "POST", "/api/v1/songs/similar-to-clip/", files={"file": world.files / "clip.wav"}
    )
    assert response.status_code == 200 and response.json == {"results": []}
    assert_documented(api_schema, "POST", "/api/v1/songs/similar-to-clip/", response)


def test_a_clip_no_worker_analyses_answers_503(world, api_schema, broker_purged, settings):
    settings.CLIP_TIMEOUT_S = 1  # no worker runs here: the clip waits that long, then 503
    response = world.api["listener"].request(
        "POST", "/api/v1/songs/similar-to-clip/", files={"file": world.files / "clip.wav"}
    )
    assert response.status_code == 503 and response.headers["Retry-After"] == "60"
    assert_documented(api_schema, "POST", "/api/v1/songs/similar-to-clip/", response)


def test_too_many_sign_ins_answer_429(world, api_schema):
    anonymous = world.api["anonymous"]
    statuses = [
        anonymous.request("POST", "/api/v1/auth/tokens/", json=sign_in_body()).status_code
        for _ in range(11)
    ]
    assert statuses == [201] * 10 + [429]
    response = anonymous.request("POST", "/api/v1/auth/tokens/", json=sign_in_body())
    assert response.status_code == 429 and "Retry-After" in response.headers
    assert_documented(api_schema, "POST", "/api/v1/auth/tokens/", response)


def test_a_play_while_the_history_is_paused_answers_200_not_recorded(world, api_schema):
    api = world.api["listener"]
    assert api.request("PUT", "/api/v1/history/pause/", json={"paused": True}).status_code == 200
    response = api.request("POST", "/api/v1/history/", json={"song": world.song})
    assert response.status_code == 200 and response.json["recorded"] is False
    assert_documented(api_schema, "POST", "/api/v1/history/", response)
