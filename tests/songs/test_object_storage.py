"""Media on S3-compatible object storage: uploads go there, a worker analyses the audio from there,
listeners stream it from there; with the storage unreachable an upload is refused whole.

moto's S3 server (a real HTTP server speaking the S3 protocol) stands in for S3: no real S3 service
can be installed on these machines.
"""

import socket
import subprocess
import sys
import time

import boto3
import pytest
from rest_framework.test import APIClient

from neuralnotes.tokens import api_token_create
from songs.models import Song
from tests.audio import write_tone
from tests.songs.test_analysis import wait_for

BUCKET = "neuralnotes-media"
CREDENTIALS = {"access_key": "testing", "secret_key": "testing", "region_name": "us-east-1"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def s3_endpoint():
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                server.kill()
                raise
            time.sleep(0.1)
    s3_client(endpoint).create_bucket(Bucket=BUCKET)
    yield endpoint, server
    server.kill()
    server.wait()


def s3_client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=CREDENTIALS["access_key"],
        aws_secret_access_key=CREDENTIALS["secret_key"],
        region_name=CREDENTIALS["region_name"],
    )


@pytest.fixture
def s3_storage(settings, s3_endpoint, tmp_path):
    from botocore.config import Config

    endpoint, server = s3_endpoint
    settings.MEDIA_ROOT = tmp_path / "local-media"  # must stay empty
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "file_overwrite": False,
                "client_config": Config(
                    connect_timeout=1, read_timeout=5, retries={"total_max_attempts": 1}
                ),
                **CREDENTIALS,
            },
        },
    }
    return endpoint, server


def stored_names(endpoint: str) -> set[str]:
    listing = s3_client(endpoint).list_objects_v2(Bucket=BUCKET)
    return {item["Key"] for item in listing.get("Contents", [])}


def upload(manager, path):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=manager)[1]}")
    with path.open("rb") as audio:
        return client.post("/api/v1/uploads/", {"files": [audio]}, format="multipart")


def test_songs_live_in_object_storage_and_are_analysed_and_streamed_from_there(
    manager, s3_storage, celery_worker, tmp_path, client
):
    endpoint, _ = s3_storage
    path = write_tone(tmp_path / "tone.wav", seconds=4)
    response = upload(manager, path)
    assert response.status_code == 201, response.json()
    song = Song.objects.get()
    assert song.audio.name in stored_names(endpoint)
    assert not (tmp_path / "local-media").exists()  # nothing went to this host's disk

    song = wait_for([song.id], timeout=120)[song.id]  # the worker read it from the bucket
    assert song.status == Song.Status.READY, song.error
    assert song.spectrogram.name in stored_names(endpoint)

    client.force_login(manager)
    streamed = client.get(f"/api/v1/songs/{song.id}/audio/")
    assert streamed.status_code == 200
    assert b"".join(streamed.streaming_content) == path.read_bytes()

    ready = client.get("/readyz").json()["checks"]["storage"]
    assert ready == {"ok": True, "bucket": BUCKET, "ms": ready["ms"]}
    client.logout()  # anonymous callers are not told the bucket's name
    anonymous = client.get("/readyz")
    assert anonymous.json()["checks"]["storage"] == {"ok": True}
    assert BUCKET not in anonymous.content.decode()


def test_with_the_storage_unreachable_an_upload_is_refused_and_nothing_is_kept(
    manager, s3_storage, tmp_path, client
):
    endpoint, server = s3_storage
    server.kill()
    server.wait()

    response = upload(manager, write_tone(tmp_path / "tone.wav", seconds=2))
    assert response.status_code == 503
    assert response["Retry-After"]
    error = response.json()["error"]
    assert error["code"] == "storage_unavailable"
    assert "media storage cannot be reached" in error["message"]
    assert "tone.wav was not stored" in error["message"]
    assert not Song.objects.exists()

    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json()["checks"]["storage"]["ok"] is False
