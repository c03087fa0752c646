"""Songs go through a real Celery worker and the real musicnn model, and none gets lost."""

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import psycopg2
import pytest
from django.core.files.storage import default_storage
from django.db import connection

from songs.models import BackboneEmbedding, EmbeddingModel, Song, TagVector, UploadBatch
from songs.services.analysis import songs_sweep_stuck
from songs.services.ingestion import batch_create, catalogue_get_or_create, song_create_from_file
from tests.audio import write_tone
from tests.processes import BASE_DIR, session_database_url


def wait_for(song_ids, states=(Song.Status.READY, Song.Status.FAILED), timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        songs = list(Song.objects.filter(id__in=song_ids))
        if all(song.status in states for song in songs):
            return {song.id: song for song in songs}
        time.sleep(0.2)
    raise AssertionError(f"songs not finished: {[(s.id, s.status) for s in songs]}")


def upload(tmp_path, name, **tone):
    batch = UploadBatch.objects.first() or batch_create(
        source=UploadBatch.Source.IMPORT, catalogue=catalogue_get_or_create()
    )
    song, _ = song_create_from_file(
        path=write_tone(tmp_path / name, **tone), original_name=name, batch=batch
    )
    return song


def test_songs_are_analysed_by_a_real_worker(celery_worker, tmp_path):
    tone = upload(tmp_path, "tone.flac", seconds=8, sample_rate=44100, channels=2)
    clip = upload(tmp_path, "clip.wav", seconds=0.5, freq=880)
    truncated_path = write_tone(tmp_path / "cut.flac", seconds=20, freq=220)
    truncated_path.write_bytes(truncated_path.read_bytes()[: truncated_path.stat().st_size // 2])
    truncated, _ = song_create_from_file(
        path=truncated_path, original_name="cut.flac", batch=UploadBatch.objects.get()
    )
    songs = wait_for([tone.id, clip.id, truncated.id])

    for song in (songs[tone.id], songs[clip.id]):
        assert song.status == Song.Status.READY, song.error
        assert np.asarray(song.features).shape == (200,)
        assert np.asarray(song.mfcc_stats).shape == (40,)
        assert np.asarray(song.descriptor).shape == (800,)
        assert len(song.msd_tag_probabilities) == 50 and 0 <= min(song.msd_tag_probabilities) <= 1
        assert len(song.mtt_tag_probabilities) == 50 and max(song.mtt_tag_probabilities) <= 1
        # The searchable tag vector: both models' tags as log-probabilities, MSD first.
        tags = np.asarray(TagVector.objects.get(song=song).log_probabilities)
        np.testing.assert_allclose(np.exp(tags[:50]), song.msd_tag_probabilities, atol=1e-4)
        np.testing.assert_allclose(np.exp(tags[50:]), song.mtt_tag_probabilities, atol=1e-4)
        assert default_storage.open(song.spectrogram.name).read(8) == b"\x89PNG\r\n\x1a\n"
        assert song.analysed_at is not None and song.attempts == 1
    active = EmbeddingModel.objects.get(is_active=True)
    assert BackboneEmbedding.objects.filter(model=active).count() == 2

    assert songs[truncated.id].status == Song.Status.FAILED
    assert "cut.flac" in songs[truncated.id].error and "truncated" in songs[truncated.id].error


def wait_until(condition, timeout=120):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_the_worker_fits_the_embedding_and_an_older_catalogue_moves_over(
    celery_worker, tmp_path, settings
):
    """The whole embedding path through a real worker and the real checkpoints: descriptors,
    the first fit; then a catalogue analysed before descriptors existed completes its analysis
    (complete_analysis) while its old embedding serves, and is refitted on the descriptors."""
    from io import StringIO

    from django.core.management import call_command

    from songs.services.embeddings import embedding_refit, embedding_refit_reason
    from songs.tasks import keep_embedding_current

    settings.STANDARDISE_AFTER_SONGS = 3
    songs = [upload(tmp_path, f"{f}.flac", seconds=4, freq=f) for f in (220, 440, 880)]
    ids = [song.id for song in songs]
    assert all(s.status == "ready" for s in wait_for(ids).values())
    for song in Song.objects.filter(id__in=ids):
        assert np.asarray(song.descriptor).shape == (800,)
        np.testing.assert_allclose(song.descriptor[:200], song.features, rtol=1e-5, atol=1e-5)
    wait_until(lambda: EmbeddingModel.objects.filter(is_active=True, kind="descriptor").exists())
    fit = EmbeddingModel.objects.get(is_active=True)
    assert fit.fitted_on_songs == 3
    assert BackboneEmbedding.objects.filter(model=fit).count() == 3

    # As a catalogue analysed by the previous version has it: no descriptors, no MTT tags, the
    # MSD features standardised.
    Song.objects.update(descriptor=None, mtt_tag_probabilities=None)
    TagVector.objects.all().delete()
    EmbeddingModel.objects.filter(id=fit.id).delete()
    old = embedding_refit()
    assert old.kind == "backbone" and old.is_active

    out = StringIO()
    call_command("complete_analysis", stdout=out)
    assert "3 songs queued" in out.getvalue() and "3/3 completed." in out.getvalue()
    for song in Song.objects.filter(id__in=ids):
        assert np.asarray(song.descriptor).shape == (800,) and len(song.mtt_tag_probabilities)
    assert TagVector.objects.filter(song_id__in=ids).count() == 3
    assert EmbeddingModel.objects.get(is_active=True) == old  # still serving
    assert embedding_refit_reason() == "every song has its descriptor now"
    keep_embedding_current.delay()
    wait_until(lambda: EmbeddingModel.objects.filter(is_active=True, kind="descriptor").exists())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_song_whose_worker_was_killed_is_analysed_again(tmp_path, settings):
    """Kill a worker process in the middle of a song: the song is not lost, nor half-written."""
    settings.ANALYSIS_PATCH_BUDGET = None  # the whole song: long enough to kill the worker in it
    song = None
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "neuralnotes.settings.test",
        "TEST_DATABASE_URL": session_database_url(),
        "ANALYSIS_PATCH_BUDGET": "full",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "neuralnotes",
            "worker",
            "-P",
            "solo",
            "-l",
            "WARNING",
        ],
        cwd=BASE_DIR,
        env=env,
        start_new_session=True,
    )
    try:
        song = upload(tmp_path, "long.wav", seconds=600, sample_rate=16000, noise=0.2)
        wait_for([song.id], states=(Song.Status.PROCESSING,), timeout=120)
        time.sleep(1)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    song.refresh_from_db()
    assert song.status == Song.Status.PROCESSING and song.features is None

    settings.ANALYSIS_STALE_AFTER_S = 0  # as if the timeout had passed
    assert songs_sweep_stuck()["stale"] == 1
    settings.ANALYSIS_PATCH_BUDGET = 10
    from celery.contrib.testing.worker import start_worker

    from neuralnotes.celery import app

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        song = wait_for([song.id])[song.id]
    assert song.status == Song.Status.READY and song.attempts == 2


UPLOAD_WITH_BROKER_DOWN = """
import sys
from pathlib import Path
from songs.models import UploadBatch
from songs.services.ingestion import batch_create, catalogue_get_or_create, song_create_from_file
batch = batch_create(source=UploadBatch.Source.IMPORT, catalogue=catalogue_get_or_create())
song, created = song_create_from_file(path=Path(sys.argv[1]), original_name="x.wav", batch=batch)
print(song.id, created)
"""


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_the_broker_down_the_upload_succeeds_and_the_sweep_queues_it_later(tmp_path):
    path = write_tone(tmp_path / "offline.wav")
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + UPLOAD_WITH_BROKER_DOWN, path],
        cwd=BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "neuralnotes.settings.test",
            "TEST_DATABASE_URL": session_database_url(),
            "TEST_REDIS_URL": "redis://127.0.0.1:9/0",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "True"
    assert "broker unreachable, song left for the sweep" in result.stderr
    song = Song.objects.get()
    assert song.status == Song.Status.PENDING and song.queued_at is None

    assert songs_sweep_stuck() == {"orphaned": 0, "stale": 0, "lost": 1}  # the broker is back
    song.refresh_from_db()
    assert song.queued_at is not None


class DatabaseCutAfterCommit(logging.Handler):
    """Cuts the test database off the moment a song's analysis has committed ("song analysed" is
    logged right after the results transaction): new connections are refused and every open one
    but the test's own is ended, for ``seconds``; then it is let back."""

    def __init__(self, *, keep_pid: int, seconds: float) -> None:
        super().__init__()
        self.name = connection.settings_dict["NAME"]
        # The same server, from the database postgres: a database cannot refuse connections
        # from inside itself.
        self.server = {**connection.get_connection_params(), "dbname": "postgres"}
        self.server.pop("cursor_factory", None)
        self.keep_pid, self.seconds = keep_pid, seconds
        self.cut_song: int | None = None

    def _admin(self, *statements: tuple[str, list]) -> None:
        with contextlib.closing(psycopg2.connect(**self.server)) as admin:
            admin.autocommit = True
            with admin.cursor() as cursor:
                for sql, params in statements:
                    cursor.execute(sql, params)

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage() != "song analysed" or self.cut_song is not None:
            return
        self.cut_song = record.song_id
        self._admin(
            (f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false', []),
            (
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> %s",
                [self.name, self.keep_pid],
            ),
        )
        threading.Timer(self.seconds, self.restore).start()

    def restore(self) -> None:
        self._admin((f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true', []))


def test_a_database_cut_just_after_the_analysis_commits_still_puts_the_song_on_the_map(
    celery_worker, tmp_path, settings, caplog
):
    """Issue 21: the map placement used to run inside analyse_song after the commit; an outage
    there sent the analysis into its retry, which found the song ready and returned, so the song
    never reached the map. Now each follow-up is its own task, retried on its own."""
    from explorer.models import MapPoint
    from explorer.services import map_build

    settings.STANDARDISE_AFTER_SONGS = 1000  # no fit: the map and the new song share one model
    first = [upload(tmp_path, f"{f}.wav", seconds=4, freq=f) for f in (220, 440, 880)]
    assert all(s.status == "ready" for s in wait_for([s.id for s in first]).values())
    version = map_build()
    assert version.song_count == 3

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (own_pid,) = cursor.fetchone()
    cut = DatabaseCutAfterCommit(keep_pid=own_pid, seconds=3)
    analysis_log = logging.getLogger("songs.services.analysis")
    analysis_log.addHandler(cut)
    caplog.set_level(logging.INFO, logger="songs.services.analysis")  # its "song analysed"
    caplog.set_level(logging.WARNING, logger="neuralnotes.outages")
    try:
        newcomer = upload(tmp_path, "newcomer.wav", seconds=4, freq=330)
        wait_until(lambda: MapPoint.objects.filter(map=version, song=newcomer).exists(), 60)
    finally:
        analysis_log.removeHandler(cut)
        cut.restore()  # whatever happened, the next tests get their database
    assert cut.cut_song == newcomer.id  # the cut came right after this song's commit
    point = MapPoint.objects.get(map=version, song=newcomer)
    assert point.projected is False
    newcomer.refresh_from_db()
    assert newcomer.status == Song.Status.READY and newcomer.attempts == 1
    retried = {
        r.task for r in caplog.records if r.getMessage() == "service unreachable, task retried"
    }
    assert "explorer.tasks.place_song_on_map" in retried  # the placement met the outage itself
