"""Query by example: a listener's clip, analysed by a real worker, finds songs that sound alike."""

import threading
import time

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, FakePayload, encode_multipart
from rest_framework.test import APIClient

from songs.models import Song, UploadBatch
from songs.services.clips import CLIP_LOCK_KEY
from songs.services.embeddings import backbone_model_ensure
from songs.services.ingestion import (
    SongMetadata,
    batch_add_file,
    batch_create,
    catalogue_get_or_create,
)
from tests.audio import write_tone
from tests.songs.test_analysis import wait_for

KINDS = {"drone": dict(freq=98.0, noise=0.01), "hiss": dict(freq=3000.0, noise=0.6)}


@pytest.fixture
def analysed(celery_worker, tmp_path):
    batch = batch_create(source=UploadBatch.Source.IMPORT, catalogue=catalogue_get_or_create())
    ids = []
    for kind, tone in KINDS.items():
        for i in range(3):
            params = {**tone, "freq": tone["freq"] * (1 + 0.03 * i)}
            path = write_tone(tmp_path / f"{kind}{i}.wav", seconds=6, **params)
            outcome = batch_add_file(
                batch=batch, path=path, original_name=path.name, metadata=SongMetadata(genre=kind)
            )
            ids.append(outcome.song.id)
    wait_for(ids)
    return ids


def test_a_clip_finds_the_songs_that_sound_like_it(analysed, listener, tmp_path):
    api = APIClient()
    api.force_authenticate(listener)
    clip = write_tone(tmp_path / "clip.flac", seconds=4, freq=101.0, noise=0.02)
    with clip.open("rb") as handle:
        response = api.post(
            "/api/v1/songs/similar-to-clip/", {"file": handle, "k": 3}, format="multipart"
        )
    assert response.status_code == 200, response.json()
    genres = [r["song"]["genre"] for r in response.json()["results"]]
    assert genres == ["drone", "drone", "drone"]
    assert not Song.objects.filter(original_name="clip.flac").exists()  # a clip is not kept


def test_a_clip_longer_than_30_seconds_is_refused(listener, db, tmp_path):
    api = APIClient()
    api.force_authenticate(listener)
    with write_tone(tmp_path / "long.wav", seconds=31, sample_rate=8000).open("rb") as handle:
        response = api.post("/api/v1/songs/similar-to-clip/", {"file": handle}, format="multipart")
    assert response.status_code == 400
    assert "longer than a clip's 30 s" in response.json()["error"]["fields"]["file"][0]


URL = "/api/v1/songs/similar-to-clip/"


class CountingPayload(FakePayload):
    """The request body as the WSGI server hands it over, counting the bytes the app reads."""

    bytes_read = 0

    def read(self, size=-1, /):
        data = super().read(size)
        self.bytes_read += len(data)
        return data

    def readline(self, size=-1, /):
        data = super().readline(size)
        self.bytes_read += len(data)
        return data


def post_clip(client, data: bytes, name: str = "clip.wav", **extra):
    body = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile(name, data), "k": "3"})
    payload = CountingPayload(body)
    response = client.post(
        URL,
        body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        **{"wsgi.input": payload},
        **extra,
    )
    return response, payload.bytes_read


@pytest.mark.parametrize("size", [8 << 20, (1 << 20) + 32 * 1024], ids=["declared", "counted"])
def test_an_oversize_clip_is_refused_while_it_streams_in(listener, db, settings, size):
    """By the length the request declares before a byte is read; by the bytes of the file as
    they arrive when the declared length leaves room for the form around it."""
    settings.CLIP_MAX_BYTES = 1 << 20
    api = APIClient()
    api.force_authenticate(listener)
    response, bytes_read = post_clip(api, bytes(size))
    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "too_large", "message": "A clip may be at most 1 MB.", "fields": {}
    }  # fmt: skip
    assert bytes_read <= (0 if size > 2 << 20 else (1 << 20) + 64 * 1024)


def test_an_oversize_clip_from_a_browser_session_is_refused_before_its_csrf_check_reads_it(
    listener, db, settings
):
    # The session's CSRF check reads the form: the limit holds there too.
    settings.CLIP_MAX_BYTES = 1 << 20
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(listener)
    browser.cookies["csrftoken"] = "a" * 32
    response, bytes_read = post_clip(browser, bytes(4 << 20), HTTP_X_CSRFTOKEN="a" * 32)
    assert response.status_code == 413 and bytes_read == 0


def test_no_worker_means_a_503_at_once(listener, db, settings, tmp_path):
    backbone_model_ensure()  # an active model: the clip would be sent to a worker
    settings.CLIP_TIMEOUT_S = 20
    api = APIClient()
    api.force_authenticate(listener)
    clip = write_tone(tmp_path / "clip.wav", seconds=3)
    started = time.monotonic()
    response, _ = post_clip(api, clip.read_bytes())
    assert response.status_code == 503 and response["Retry-After"]
    assert response.json()["error"]["code"] == "unavailable"
    assert time.monotonic() - started < 5, "waited for a worker that never answered"
    assert not default_storage.exists("clips") or not default_storage.listdir("clips")[1]


def test_one_clip_analysis_per_listener_at_a_time(analysed, listener, other_listener, tmp_path):
    long_clip = write_tone(tmp_path / "long.wav", seconds=25, freq=101.0).read_bytes()
    short_clip = write_tone(tmp_path / "short.wav", seconds=3, freq=101.0).read_bytes()
    answers = {}

    def post_as(user, key, data):
        api = APIClient()
        api.force_authenticate(user)
        answers[key] = post_clip(api, data)[0]

    first = threading.Thread(target=post_as, args=(listener, "first", long_clip))
    first.start()
    deadline = time.monotonic() + 30
    while cache.get(CLIP_LOCK_KEY.format(user_id=listener.id)) is None:  # it is being analysed
        assert time.monotonic() < deadline and first.is_alive(), answers
        time.sleep(0.01)
    other = threading.Thread(target=post_as, args=(other_listener, "other", short_clip))
    other.start()
    post_as(listener, "second", short_clip)
    first.join(60)
    other.join(60)

    assert answers["second"].status_code == 429
    assert answers["second"]["Retry-After"] == "10"
    assert "still being analysed" in answers["second"].json()["error"]["message"]
    assert answers["first"].status_code == 200, answers["first"].json()
    assert answers["other"].status_code == 200  # one clip per listener, not one for everybody
    post_as(listener, "after", short_clip)  # the first is done: the lock is gone
    assert answers["after"].status_code == 200
