"""Schemathesis against the live schema, in-process over WSGI: generated requests, valid and
invalid, never make the API fail with a 5xx, and what it answers is what the schema documents.

Bounded and deterministic: a fixed seed, derandomized Hypothesis, few examples per operation,
no coverage or stateful phase. Each generated request runs in a savepoint that is rolled back,
so that no case (a deleted playlist, a revoked token) changes the data the next one meets; this
is why even the destructive operations can be included. Queued Celery work is purged afterwards.
"""

from datetime import timedelta
from urllib.parse import unquote

import pytest
import schemathesis
from django.db import transaction
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20260801,
        "generation": {"mode": "all", "max-examples": 12, "deterministic": True},
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)

# Which object of the world fixture an operation's path parameters name: in half the cases (a
# boolean Hypothesis draws) requests reach real objects; a random id only ever meets a 404.
WORLD_IDS = {
    "/api/v1/auth/tokens/{id}/": {"id": "spare_token"},
    "/api/v1/batches/{id}/": {"id": "batch"},
    "/api/v1/batches/{id}/files/": {"id": "batch"},
    "/api/v1/songs/{id}/retry/": {"id": "failed_song"},
    "/api/v1/models/{id}/activate/": {"id": "model"},
    "/api/v1/songs/{id}/": {"id": "song"},
    "/api/v1/songs/{id}/similar/": {"id": "song"},
    "/api/v1/songs/{id}/surprise/": {"id": "song"},
    "/api/v1/songs/{id}/audio/": {"id": "audio_song"},
    "/api/v1/songs/{id}/spectrogram.png": {"id": "audio_song"},
    "/api/v1/playlists/{id}/": {"id": "private"},
    "/api/v1/playlists/{id}/songs/": {"id": "private"},
    "/api/v1/playlists/{id}/entries/{entry_id}/": {"id": "private", "entry_id": "entry"},
    "/api/v1/playlists/{id}/share/": {"id": "private"},
    "/api/v1/playlists/{id}/export.{fmt}": {"id": "private"},
    "/api/v1/shared/{token}/": {"token": "share_token"},
    "/api/v1/favourites/{song_id}/": {"song_id": "song"},
    "/api/v1/history/{id}/": {"id": "play"},
}
STAFF = {"tag": "catalogue"}  # and POST /map/rebuild/, tagged "map"


@pytest.fixture
def live_schema(world, wsgi_app, settings):
    settings.API_DOCS_PUBLIC = True  # read anonymously here; signed-in users only by default
    return schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app, config=CONFIG)


schema = schemathesis.pytest.from_fixture("live_schema")
fuzz_settings = settings(
    deadline=timedelta(seconds=5), suppress_health_check=[HealthCheck.too_slow]
)


def routed(case) -> bool:
    """Whether the case's URL reaches its endpoint: a generated path parameter that the route
    refuses ("/songs/abc/") gets Django's page for unknown addresses, not the endpoint."""
    try:
        resolve(unquote(case.formatted_path))
    except Resolver404:
        return False
    return True


def call_in_savepoint(case, world, role: str, real_ids: bool) -> None:
    if real_ids:
        for name, attribute in WORLD_IDS.get(case.operation.path, {}).items():
            case.path_parameters[name] = getattr(world, attribute)
    checks = CHECKS if routed(case) else [not_a_server_error]
    with transaction.atomic():
        case.call_and_validate(headers=world.api[role].headers, checks=checks)
        transaction.set_rollback(True)


# A listener only ever gets 403 from the staff operations (test_authorisation.py says so); the
# manager's run below fuzzes them.
@schema.exclude(**STAFF).exclude(path="/api/v1/map/rebuild/").parametrize()
@schema.given(real_ids=st.booleans())
@fuzz_settings
def test_a_listener_gets_no_server_error(case, real_ids, world, broker_purged):
    call_in_savepoint(case, world, "listener", real_ids)


@schema.include(**STAFF).include(path="/api/v1/map/rebuild/").parametrize()
@schema.given(real_ids=st.booleans())
@fuzz_settings
def test_a_manager_gets_no_server_error(case, real_ids, world, broker_purged):
    call_in_savepoint(case, world, "manager", real_ids)


# What the fuzzer found: a NUL character (which PostgreSQL text cannot hold) in a filter was a 500.
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/songs/?search=s%00", 200),
        ("/api/v1/songs/?genre=folk%00&artist=%00&catalogue=%00", 200),
        ("/api/v1/songs/search/?q=s%00", 200),
        ("/api/v1/shared/no%00link/", 404),
    ],
)
def test_a_nul_in_the_url_is_no_server_error(world, path, status):
    assert world.api["listener"].request("GET", path).status_code == status
