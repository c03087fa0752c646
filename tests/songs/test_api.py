"""Staff upload through the REST API: with a token like a mobile client, or the page's session."""

import io
import zipfile

import pytest
from rest_framework.test import APIClient

from neuralnotes.tokens import api_token_create
from songs.models import Song, UploadBatch
from tests.audio import write_tone


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user)[1]}")
    return client


def test_a_manager_uploads_files_and_a_zip_in_one_request(manager, tmp_path):
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.write(write_tone(tmp_path / "b.flac", freq=500), "b.flac")
    zipped.name = "more.zip"
    zipped.seek(0)
    with write_tone(tmp_path / "a.wav").open("rb") as audio:
        response = token_client(manager).post(
            "/api/v1/uploads/",
            {"files": [audio, zipped], "catalogue": "Field recordings"},
            format="multipart",
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [(f["name"], f["created"], f["song"]["status"]) for f in body["files"]] == [
        ("a.wav", True, "pending"),
        ("b.flac", True, "pending"),
    ]
    assert body["batch"]["catalogue"] == "Field recordings"
    assert body["batch"]["source"] == "api"
    assert body["batch"]["progress"]["counts"] == {
        "total": 2, "pending": 2, "processing": 0, "ready": 0, "failed": 0,
    }  # fmt: skip

    status = token_client(manager).get(body["batch"]["url"])
    assert status.status_code == 200 and status.json()["id"] == body["batch"]["id"]


def test_refused_files_come_back_with_their_reason(manager, tmp_path):
    bogus = io.BytesIO(b"not audio at all" * 100)
    bogus.name = "fake.mp3"
    response = token_client(manager).post(
        "/api/v1/uploads/", {"files": [bogus]}, format="multipart"
    )
    assert response.status_code == 201
    (outcome,) = response.json()["files"]
    assert outcome["song"] is None and outcome["error"].startswith("fake.mp3: ")
    batch = UploadBatch.objects.get()
    assert batch.rejected == [{"name": "fake.mp3", "reason": outcome["error"]}]


def test_the_web_page_flow_batch_then_files_with_a_session(client, manager, tmp_path):
    client.force_login(manager)
    batch = client.post("/api/v1/batches/", {"catalogue": "Main"}, content_type="application/json")
    assert batch.status_code == 201
    url = f"/api/v1/batches/{batch.json()['id']}/files/"
    meta = io.BytesIO(b"file,title,genre\nx.wav,Ex,folk\n")
    meta.name = "meta.csv"
    assert client.post(url, {"file": meta}).status_code == 201
    with write_tone(tmp_path / "x.wav").open("rb") as audio:
        response = client.post(url, {"file": audio})
    assert response.status_code == 201
    song = Song.objects.get()
    assert (song.title, song.genre, song.batch.source) == ("Ex", "folk", "web")


def test_a_session_request_without_csrf_token_is_refused(manager):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(manager)
    assert client.post("/api/v1/batches/", {}, format="json").status_code == 403


@pytest.mark.parametrize("url", ["/api/v1/uploads/", "/api/v1/batches/"])
def test_listeners_and_strangers_cannot_upload(listener, url):
    assert token_client(listener).post(url, {}).status_code == 403
    response = APIClient().post(url, {})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_failed_song_can_be_retried(manager, db):
    from songs.services.ingestion import batch_create, catalogue_get_or_create

    batch = batch_create(source="api", catalogue=catalogue_get_or_create())
    song = Song.objects.create(
        catalogue=batch.catalogue, batch=batch, title="t", content_sha256="0" * 64,
        original_name="t.wav", size_bytes=1, status=Song.Status.FAILED, error="boom", attempts=3,
    )  # fmt: skip
    response = token_client(manager).post(f"/api/v1/songs/{song.id}/retry/")
    assert response.status_code == 202
    song.refresh_from_db()
    assert (song.status, song.error, song.attempts) == ("pending", "", 0)


def test_upload_pages_are_for_catalogue_managers(client, listener, manager):
    client.force_login(listener)
    assert client.get("/catalogue/upload/").status_code == 403
    client.force_login(manager)
    page = client.get("/catalogue/upload/").content.decode()
    assert 'id="drop-zone"' in page and "js/upload.js" in page
