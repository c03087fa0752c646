"""What the API tests share: the app over WSGI as each role, a small catalogue, the schema.

Requests go through Django's real WSGI application (middleware, token authentication, throttling)
with a werkzeug client, the way schemathesis calls it, so that every test of this folder sees the
API as a mobile client does.
"""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from PIL import Image
from werkzeug.test import Client, TestResponse

from explorer.models import Mix
from explorer.services import map_build
from neuralnotes.tokens import api_token_create
from playlists import services as playlist_services
from songs.models import BackboneEmbedding, NearDuplicate, Song
from songs.services.ingestion import batch_create, catalogue_get_or_create, song_create_from_file
from tests.audio import write_tone
from tests.conftest import PASSWORD
from tests.factories import make_embedded_songs

API = "/api/v1"
ROLES = ("anonymous", "listener", "other_listener", "manager", "admin")


class Api:
    """The application as one user: every request carries that user's API token (if any)."""

    def __init__(self, app, token: str | None = None):
        self.client = Client(app)
        self.headers = {"Authorization": f"Token {token}"} if token else {}

    def request(
        self,
        method: str,
        path: str,
        *,
        json: dict | None = None,
        files: dict | None = None,
        headers: dict | None = None,
    ) -> TestResponse:
        """``files``: multipart fields, each a Path (sent as that file), a list of them, or text."""
        data = None
        if files is not None:
            data = {
                name: [_upload(v) for v in value] if isinstance(value, list) else _upload(value)
                for name, value in files.items()
            }
        return self.client.open(
            path, method=method, json=json, data=data, headers={**self.headers, **(headers or {})}
        )


def _upload(value):
    if isinstance(value, Path):
        return (io.BytesIO(value.read_bytes()), value.name)
    return value


@contextlib.contextmanager
def connections_left_open():
    """Django closes the database connection around each request, which would end a test's
    transaction (and touch the database where a test may not); its own test client stops that
    the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="session")
def api_schema():
    """The live schema, as the app serves it at /api/schema/, loaded by schemathesis."""
    import schemathesis

    from neuralnotes.wsgi import application

    # Open to anonymous readers for this one request (signed-in users only by default).
    with connections_left_open(), override_settings(API_DOCS_PUBLIC=True):
        return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@pytest.fixture
def wsgi_app(db):
    """Django's WSGI application, called in the test's transaction."""
    from neuralnotes.wsgi import application

    with connections_left_open():
        yield application


@pytest.fixture
def broker_purged():
    """Some endpoints queue Celery work (training, map builds, clips) that no worker here runs:
    drop it afterwards so that no later test's worker picks it up."""
    yield
    from neuralnotes.celery import app as celery_app

    celery_app.control.purge()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("L", (4, 4)).save(out, format="PNG")
    return out.getvalue()


@dataclass
class World:
    """Ids of a small catalogue and the users' clients (see the ``world`` fixture)."""

    api: dict[str, Api]
    files: Path  # upload.wav, clip.wav (audio), junk.wav (not audio), meta.csv, bad-meta.json
    song: int  # ready, with a vector
    other_song: int  # ready, with a vector, another genre
    audio_song: int  # ready, with an audio file and a spectrogram
    pending_song: int  # still being analysed: listeners do not see it
    failed_song: int  # analysis failed: staff may retry it
    model: int  # the active (backbone) embedding model
    duplicate: int  # a near-duplicate pair of two ready songs
    duplicate_song: int  # the pair's first song
    batch: int
    private: int  # the listener's private playlist
    public: int  # the listener's public playlist
    shared: int  # the listener's playlist shared by link
    share_token: str
    entry: int  # an entry of the private playlist
    spare_token: int  # one of the listener's API tokens, to revoke
    play: int  # a play in the listener's listening history
    mix: int  # a mix of the active map
    artist: str  # the key of an artist of ready songs (song and another)
    pending_artist: str  # the key of an artist whose only song is still being analysed
    png: bytes

    def url(self, path: str) -> str:
        """``/songs/{song}/`` as ``/api/v1/songs/12/``: under the API, with this world's ids."""
        return API + path.format(**vars(self))

    def fill(self, value):
        """A request description with the world filled in: "{song}" becomes that id, and under
        "files" a file name becomes that file of ``files``."""
        if isinstance(value, dict):
            return {
                k: self.fill_files(v) if k == "files" else self.fill(v) for k, v in value.items()
            }
        if isinstance(value, list):
            return [self.fill(v) for v in value]
        if isinstance(value, str) and re.fullmatch(r"\{\w+\}", value):
            return getattr(self, value[1:-1])
        return value

    def fill_files(self, fields: dict) -> dict:
        def file(name):
            path = self.files / name
            return path if path.exists() else name  # not a file: a text field

        return {
            k: [file(n) for n in v] if isinstance(v, list) else file(v) for k, v in fields.items()
        }


@pytest.fixture
def world(wsgi_app, listener, other_listener, manager, admin_user, tmp_path) -> World:
    """Songs in three genres with vectors, one with audio and a spectrogram, one pending and one
    failed; the listener's private, public and link-shared playlists; a token per user."""
    songs = make_embedded_songs(per_genre=2, unlabelled=0)
    files = tmp_path / "files"
    write_tone(files / "upload.wav", seconds=1, freq=523.0)
    write_tone(files / "clip.wav", seconds=2, freq=330.0)
    (files / "junk.wav").write_bytes(b"this is not audio" * 64)
    (files / "meta.csv").write_text("file,title,artist\nupload.wav,Evening,The Tones\n")
    (files / "bad-meta.json").write_text("{not json")
    batch = batch_create(source="api", catalogue=catalogue_get_or_create(), created_by=manager)
    audio, _ = song_create_from_file(
        path=write_tone(tmp_path / "a.wav", seconds=1), original_name="a.wav", batch=batch
    )
    png = png_bytes()
    audio.spectrogram.name = "spectrograms/api-tests.png"  # one file, whatever the song's id
    if not default_storage.exists(audio.spectrogram.name):
        default_storage.save(audio.spectrogram.name, ContentFile(png))
    audio.status = Song.Status.READY
    audio.save()
    pending, failed = songs[-2], songs[-1]
    Song.objects.filter(id=pending.id).update(status=Song.Status.PENDING)
    Song.objects.filter(id=failed.id).update(status=Song.Status.FAILED, error="decoding failed")
    # As in life: only analysed songs have vectors (they are written as a song becomes ready).
    BackboneEmbedding.objects.filter(song_id__in=[pending.id, failed.id]).delete()

    private = playlist_services.playlist_create(
        owner=listener, name="Mine", songs=[songs[0], songs[2]]
    )
    public = playlist_services.playlist_create(owner=listener, name="For all", songs=[songs[1]])
    playlist_services.playlist_update(playlist=public, visibility="public")
    shared = playlist_services.playlist_share_link_renew(
        playlist=playlist_services.playlist_create(owner=listener, name="Linked", songs=[songs[0]])
    )
    users = {
        "listener": listener,
        "other_listener": other_listener,
        "manager": manager,
        "admin": admin_user,
    }
    api = {role: Api(wsgi_app, api_token_create(user=user)[1]) for role, user in users.items()}
    api["anonymous"] = Api(wsgi_app)
    duplicate = NearDuplicate.objects.create(song=songs[1], other=songs[3], distance=0.01)
    Song.objects.filter(id__in=[songs[0].id, songs[1].id]).update(artist="Anna Blue")
    Song.objects.filter(id=pending.id).update(artist="Not Yet Heard")
    map_build()
    return World(
        api=api,
        files=files,
        song=songs[0].id,
        other_song=songs[2].id,
        audio_song=audio.id,
        pending_song=pending.id,
        failed_song=failed.id,
        model=songs[0].backbone_embeddings.get().model_id,
        duplicate=duplicate.id,
        duplicate_song=songs[1].id,
        batch=batch.id,
        private=private.id,
        public=public.id,
        shared=shared.id,
        share_token=shared.share_token,
        entry=private.entries.order_by("position").first().id,
        spare_token=api_token_create(user=listener, name="old phone")[0].id,
        play=playlist_services.play_record(user=listener, song=songs[0], source="api").id,
        mix=Mix.objects.filter(map__is_active=True).first().id,
        artist=Song.objects.get(id=songs[0].id).artist_key,
        pending_artist=Song.objects.get(id=pending.id).artist_key,
        png=png,
    )


def sign_in_body(username: str = "lena") -> dict:
    return {"username": username, "password": PASSWORD, "name": "test phone"}


def operation_template(templates: list[str], path: str) -> str:
    """The schema's path template that a concrete path falls under; literal segments win over
    parameters (``/songs/search/`` is not ``/songs/{id}/``)."""
    path = path.split("?")[0]
    matches = [
        t for t in templates if re.fullmatch(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(t)), path)
    ]
    assert matches, f"{path} is in no path of the schema"
    return min(matches, key=lambda t: t.count("{"))
