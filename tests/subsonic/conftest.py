"""A small library for the Subsonic API: 3 artists x 2 albums x 3 songs, with vectors in the
active embedding model, and helpers that call /rest/ in JSON or XML as a client does."""

import json
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test import Client

from tests.conftest import PASSWORD
from tests.factories import make_embedded_songs

NS = "{http://subsonic.org/restapi}"
ARTISTS = ["Anna Blue", "bob & the Band", "Çelik"]


@pytest.fixture
def library(db):
    """18 analysed songs (songs[i] is artist i // 6, album (i // 3) % 2, track i % 3 + 1)."""
    songs = make_embedded_songs(per_genre=6, unlabelled=0)
    for i, song in enumerate(songs):
        song.artist = ARTISTS[i // 6]
        song.album = f"Album {(i // 3) % 2 + 1}"
        song.track_number = i % 3 + 1
        song.title = f"Song {i:02d}"
        song.year = 2000 + i // 6
        song.duration_s = 180.0 + i
        song.save()
    # Tests before this one inserted vectors and rolled back: their dead entries fill the HNSW
    # graph, and among thousands of them the approximate search can stop before it has found
    # every live neighbour (a real catalogue is vacuumed). Rebuild the graph from live rows.
    with connection.cursor() as cursor:
        cursor.execute("REINDEX INDEX backbone_vector_hnsw")
    return songs


def call(method: str, *, user=None, password: str = PASSWORD, client=None, post=False, **params):
    """The raw response of /rest/<method>, signed with u + p of ``user`` unless params sign it.
    ``password`` is the signing one; a method's own ``password`` parameter (createUser,
    changePassword) is passed as ``password_param``."""
    client = client or Client()
    if "password_param" in params:
        params["password"] = params.pop("password_param")
    query = {"v": "1.16.1", "c": "tests", **params}
    if user is not None:
        query.setdefault("u", user.username)
        query.setdefault("p", password)
    query = {k: v for k, v in query.items() if v is not None}
    if post:
        return client.post(f"/rest/{method}", query)
    return client.get(f"/rest/{method}", query)


def rest(method: str, **kwargs) -> dict:
    """The JSON subsonic-response of a call (f=json)."""
    response = call(method, f="json", **kwargs)
    assert response.status_code == 200, response.content[:500]
    return json.loads(response.content)["subsonic-response"]


def rest_xml(method: str, **kwargs) -> ET.Element:
    """The XML subsonic-response element of a call (the default format)."""
    response = call(method, **kwargs)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)


def ok(body: dict) -> dict:
    assert body["status"] == "ok", body.get("error")
    return body


def error_code(body: dict) -> int:
    assert body["status"] == "failed", body
    return body["error"]["code"]


@pytest.fixture
def opensonic(live_server, listener):
    """py-opensonic, an OpenSubsonic client nobody here wrote, signed in to the live server as
    ``listener`` with an API key (the apiKeyAuthentication extension). Tests that use it mark
    themselves ``django_db(transaction=True)``: the live server reads committed rows."""
    from urllib.parse import urlsplit

    import libopensonic

    from neuralnotes.tokens import api_token_create

    _, key = api_token_create(user=listener, name="py-opensonic")
    address = urlsplit(live_server.url)
    connection = libopensonic.Connection(
        f"http://{address.hostname}", api_key=key, port=address.port, app_name="py-opensonic-test"
    )
    yield connection
    connection.cleanup()
