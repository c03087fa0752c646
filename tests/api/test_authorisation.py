"""Who may do what: each endpoint as each role, one row per endpoint.

The rules: anonymous clients get 401 everywhere but sign-in; catalogue work (batches, uploads,
retries, models, map rebuilds) is 403 for listeners; someone else's private playlist is 404,
never 403 (its existence is not given away); listeners see only analysed (ready) songs. The
listener ("lena") owns every playlist of the world fixture; paths are under /api/v1."""

import pytest
from django.db import transaction

from tests.api.conftest import API, ROLES, operation_template, sign_in_body

SIGN_IN = {"json": sign_in_body()}
CLIP = {"files": {"file": "junk.wav"}}  # past authorisation, a clip that is not audio is a 400
BATCH = {"json": {"name": "June"}}
META = {"files": {"file": "meta.csv"}}
UPLOAD = {"files": {"files": ["junk.wav"]}}
NAME = {"json": {"name": "Renamed"}}
SONG = {"json": {"song": "{audio_song}"}}
START = {"json": {"start": "{song}"}}
ALCHEMY = {"json": {"add": [{"song": "{song}"}]}}
MOVE = {"json": {"position": 1}}
PLAY = {"json": {"song": "{song}", "seconds_heard": 42.5}}
PENDING = {"json": {"song": "{pending_song}"}}
PAUSE = {"json": {"paused": True}}
TRAIN = {"json": {}}
KEEP = {"json": {"keep": "{duplicate_song}"}}

# method    path                                     request  anon lena otto  mgr admin
MATRIX = [
    ("POST",   "/auth/tokens/",                         SIGN_IN, 201, 201, 201, 201, 201),
    ("GET",    "/auth/tokens/",                         {},      401, 200, 200, 200, 200),
    ("DELETE", "/auth/tokens/{spare_token}/",           {},      401, 204, 404, 404, 404),
    ("GET",    "/songs/",                               {},      401, 200, 200, 200, 200),
    ("GET",    "/songs/search/?q=s",                    {},      401, 200, 200, 200, 200),
    ("GET",    "/songs/by-words/?q=calm",               {},      401, 200, 200, 200, 200),
    ("POST",   "/songs/alchemy/",                       ALCHEMY, 401, 200, 200, 200, 200),
    ("GET",    "/songs/{song}/",                        {},      401, 200, 200, 200, 200),
    ("GET",    "/songs/{pending_song}/",                {},      401, 404, 404, 200, 200),
    ("GET",    "/songs/{song}/similar/",                {},      401, 200, 200, 200, 200),
    ("GET",    "/songs/{pending_song}/similar/",        {},      401, 404, 404, 200, 200),
    ("GET",    "/songs/{song}/surprise/",               {},      401, 200, 200, 200, 200),
    ("GET",    "/songs/{audio_song}/audio/",            {},      401, 200, 200, 200, 200),
    ("GET",    "/songs/{audio_song}/spectrogram.png",   {},      401, 200, 200, 200, 200),
    ("POST",   "/songs/similar-to-clip/",               CLIP,    401, 400, 400, 400, 400),
    ("GET",    "/map/",                                 {},      401, 200, 200, 200, 200),
    ("GET",    "/map/points/",                          {},      401, 200, 200, 200, 200),
    ("POST",   "/map/rebuild/",                         {},      401, 403, 403, 202, 202),
    ("GET",    "/mixes/",                               {},      401, 200, 200, 200, 200),
    ("GET",    "/mixes/{mix}/",                         {},      401, 200, 200, 200, 200),
    ("POST",   "/mixes/{mix}/save/",                    {},      401, 201, 201, 201, 201),
    ("GET",    "/artists/{artist}/",                    {},      401, 200, 200, 200, 200),
    ("GET",    "/artists/{pending_artist}/",            {},      401, 404, 404, 200, 200),
    ("GET",    "/artists/{artist}/similar/",            {},      401, 200, 200, 200, 200),
    ("GET",    "/artists/{pending_artist}/similar/",    {},      401, 404, 404, 200, 200),
    ("POST",   "/batches/",                             BATCH,   401, 403, 403, 201, 201),
    ("GET",    "/batches/{batch}/",                     {},      401, 403, 403, 200, 200),
    ("POST",   "/batches/{batch}/files/",               META,    401, 403, 403, 201, 201),
    ("POST",   "/uploads/",                             UPLOAD,  401, 403, 403, 201, 201),
    ("POST",   "/songs/{failed_song}/retry/",           {},      401, 403, 403, 202, 202),
    ("GET",    "/models/",                              {},      401, 403, 403, 200, 200),
    ("POST",   "/models/train/",                        TRAIN,   401, 403, 403, 202, 202),
    ("POST",   "/models/{model}/activate/",             {},      401, 403, 403, 200, 200),
    ("GET",    "/duplicates/",                          {},      401, 403, 403, 200, 200),
    ("POST",   "/duplicates/{duplicate}/merge/",        KEEP,    401, 403, 403, 200, 200),
    ("POST",   "/duplicates/{duplicate}/dismiss/",      {},      401, 403, 403, 200, 200),
    ("POST",   "/duplicates/scan/",                     {},      401, 403, 403, 202, 202),
    ("GET",    "/playlists/",                           {},      401, 200, 200, 200, 200),
    ("POST",   "/playlists/",                           NAME,    401, 201, 201, 201, 201),
    ("POST",   "/playlists/generate/",                  START,   401, 200, 200, 200, 200),
    ("GET",    "/playlists/{private}/",                 {},      401, 200, 404, 404, 404),
    ("GET",    "/playlists/{public}/",                  {},      401, 200, 200, 200, 200),
    ("PATCH",  "/playlists/{private}/",                 NAME,    401, 200, 404, 404, 404),
    ("PATCH",  "/playlists/{public}/",                  NAME,    401, 200, 404, 404, 404),
    ("DELETE", "/playlists/{private}/",                 {},      401, 204, 404, 404, 404),
    ("POST",   "/playlists/{private}/songs/",           SONG,    401, 201, 404, 404, 404),
    ("PATCH",  "/playlists/{private}/entries/{entry}/", MOVE,    401, 200, 404, 404, 404),
    ("DELETE", "/playlists/{private}/entries/{entry}/", {},      401, 204, 404, 404, 404),
    ("POST",   "/playlists/{private}/share/",           {},      401, 200, 404, 404, 404),
    ("DELETE", "/playlists/{shared}/share/",            {},      401, 204, 404, 404, 404),
    ("GET",    "/playlists/{private}/export.m3u8",      {},      401, 200, 404, 404, 404),
    ("GET",    "/playlists/{public}/export.json",       {},      401, 200, 200, 200, 200),
    ("GET",    "/shared/{share_token}/",                {},      401, 200, 200, 200, 200),
    ("GET",    "/favourites/",                          {},      401, 200, 200, 200, 200),
    ("PUT",    "/favourites/{song}/",                   {},      401, 200, 200, 200, 200),
    ("DELETE", "/favourites/{song}/",                   {},      401, 200, 200, 200, 200),
    ("PUT",    "/favourites/{pending_song}/",           {},      401, 404, 404, 404, 404),
    ("GET",    "/history/",                             {},      401, 200, 200, 200, 200),
    ("POST",   "/history/",                             PLAY,    401, 201, 201, 201, 201),
    ("POST",   "/history/",                             PENDING, 401, 404, 404, 404, 404),
    ("DELETE", "/history/",                             {},      401, 204, 204, 204, 204),
    ("DELETE", "/history/{play}/",                      {},      401, 204, 404, 404, 404),
    ("GET",    "/history/pause/",                       {},      401, 200, 200, 200, 200),
    ("PUT",    "/history/pause/",                       PAUSE,   401, 200, 200, 200, 200),
    ("GET",    "/history/more-like/",                   {},      401, 200, 200, 200, 200),
    ("GET",    "/history/new-to-me/",                   {},      401, 200, 200, 200, 200),
    ("GET",    "/history/map/",                         {},      401, 200, 200, 200, 200),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "path", "request_", "expected"),
    [(row[0], row[1], row[2], dict(zip(ROLES, row[3:], strict=True))) for row in MATRIX],
    ids=[f"{method} {path}" for method, path, *_ in MATRIX],
)
def test_each_role_gets_the_status_of_the_matrix(
    world, broker_purged, method, path, request_, expected
):
    actual = {}
    for role in ROLES:
        with transaction.atomic():  # each role meets the same world: its changes are undone
            response = world.api[role].request(method, world.url(path), **world.fill(request_))
            actual[role] = response.status_code
            transaction.set_rollback(True)
    assert actual == expected


def test_the_matrix_has_a_row_for_every_operation(api_schema):
    templates = list(api_schema.raw_schema["paths"])
    rows = {(method, operation_template(templates, API + path)) for method, path, *_ in MATRIX}
    operations = {
        (method.upper(), path)
        for path, item in api_schema.raw_schema["paths"].items()
        for method in item
        if method in {"get", "put", "post", "patch", "delete"}
    }
    assert operations - rows == set()


def test_listeners_list_only_ready_songs(world):
    def listed(role: str) -> set[int]:
        response = world.api[role].request("GET", world.url("/songs/"))
        return {song["id"] for song in response.json["results"]}

    assert world.pending_song not in listed("listener")
    assert world.failed_song not in listed("listener")
    assert {world.pending_song, world.failed_song} <= listed("manager")
