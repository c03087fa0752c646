"""Query by example: a listener's clip, analysed by a real worker, finds songs that sound alike."""

import pytest
from rest_framework.test import APIClient

from songs.models import Song, UploadBatch
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
