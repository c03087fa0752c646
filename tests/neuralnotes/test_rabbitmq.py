"""RabbitMQ as the broker (``BROKER_URL=amqp://…``): a song uploaded through it is analysed by a
worker consuming from it, and the readiness check and queue depths read it. Results and the cache
stay on Redis. Uses the RabbitMQ these machines run on 127.0.0.1:5672 (guest/guest)."""

import json
import os
import subprocess
import sys
import time

import pytest

from songs.models import Song
from tests.audio import write_tone
from tests.processes import BASE_DIR, run_django, session_database_url

AMQP = "amqp://guest:guest@127.0.0.1:5672//"

UPLOAD_AND_CHECK = """
import json, time
from pathlib import Path
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
from neuralnotes.broker import queue_depths
from neuralnotes.celery import app
from songs.models import UploadBatch
from songs.services.ingestion import batch_create, catalogue_get_or_create, song_create_from_file
app.control.purge()
batch = batch_create(source=UploadBatch.Source.IMPORT, catalogue=catalogue_get_or_create())
song, _ = song_create_from_file(path=Path(AUDIO), original_name="r.wav", batch=batch)
for _ in range(90):  # the worker loads its model first
    ready = Client().get("/readyz?deep=1", HTTP_AUTHORIZATION="Bearer rabbit-monitor")
    if ready.status_code == 200:
        break
    time.sleep(1)
print(json.dumps({"song": song.id, "depths": queue_depths(), "ready": ready.status_code,
                  "checks": ready.json()["checks"], "broker": app.conf.broker_url}))
"""


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_song_goes_through_rabbitmq_to_a_worker(tmp_path):
    env = {
        "TEST_DATABASE_URL": session_database_url(),
        "BROKER_URL": AMQP,
        "METRICS_TOKEN": "rabbit-monitor",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "neuralnotes", "worker", "-P", "solo",
         "-n", f"amqp-{os.getpid()}@%h", "-l", "WARNING"],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "neuralnotes.settings.test", **env},
        start_new_session=True,
    )  # fmt: skip
    try:
        audio = write_tone(tmp_path / "r.wav", seconds=4)
        result = run_django(f"AUDIO = {str(audio)!r}\n" + UPLOAD_AND_CHECK, **env)
        assert result.returncode == 0, result.stderr
        answer = json.loads(result.stdout.strip().splitlines()[-1])
        assert answer["broker"].startswith("amqp://")
        assert answer["ready"] == 200, answer["checks"]
        assert answer["checks"]["task"]["database"]  # the round trip went through RabbitMQ
        assert set(answer["depths"]) == {"celery", "health"}

        song = Song.objects.get(id=answer["song"])
        deadline = time.monotonic() + 120
        while song.status != Song.Status.READY and time.monotonic() < deadline:
            time.sleep(0.5)
            song.refresh_from_db()
        assert song.status == Song.Status.READY, song.error
    finally:
        worker.terminate()
        worker.wait(30)
