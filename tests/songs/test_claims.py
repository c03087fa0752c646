"""Claims: a song is analysed by one worker at a time and its result is written exactly once,
whatever the broker delivers twice and whichever worker dies or comes back."""

import logging
import uuid

import pytest
from django.utils import timezone

from songs.models import Song, UploadBatch
from songs.services.analysis import (
    song_claim_and_analyse,
    song_claim_for_analysis,
    song_store_analysis,
    songs_sweep_stuck,
    worker_analyse_file,
)
from songs.services.ingestion import batch_create, catalogue_get_or_create, song_create_from_file
from tests.audio import write_tone

pytestmark = pytest.mark.django_db


@pytest.fixture
def song(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    batch = batch_create(source=UploadBatch.Source.IMPORT, catalogue=catalogue_get_or_create())
    song, _ = song_create_from_file(
        path=write_tone(tmp_path / "tone.wav", seconds=4), original_name="tone.wav", batch=batch
    )
    return song


@pytest.fixture(scope="module")
def tone_analysis(tmp_path_factory):
    """One real analysis of a tone by the real models, shared by the tests that store one."""
    return worker_analyse_file(write_tone(tmp_path_factory.mktemp("a") / "t.wav", seconds=4))


def test_a_second_delivery_of_the_same_song_gets_no_claim(song):
    first = song_claim_for_analysis(song_id=song.id, worker="celery@a")
    assert first.status == Song.Status.PROCESSING and first.claimed_by == "celery@a"
    assert song_claim_for_analysis(song_id=song.id, worker="celery@b") is None
    first.refresh_from_db()
    assert first.claimed_by == "celery@a" and first.attempts == 1


def test_a_retry_after_an_outage_takes_its_own_claim_up_again_as_the_same_attempt(song):
    first = song_claim_for_analysis(song_id=song.id, worker="celery@a")
    again = song_claim_for_analysis(song_id=song.id, worker="celery@a", claim=first.claim)
    assert again.status == Song.Status.PROCESSING
    assert again.claim != first.claim and again.attempts == 1
    # Someone else's token is no key.
    assert song_claim_for_analysis(song_id=song.id, worker="celery@b", claim=uuid.uuid4()) is None


def test_a_worker_that_lost_its_claim_cannot_write_a_second_result(song, tone_analysis, caplog):
    dead = song_claim_for_analysis(song_id=song.id, worker="celery@dead")
    # The sweep finds its worker gone and hands the song on; another worker claims it.
    assert songs_sweep_stuck(live_workers={"celery@alive"}) == {
        "orphaned": 1,
        "stale": 0,
        "lost": 0,
    }
    alive = song_claim_for_analysis(song_id=song.id, worker="celery@alive")
    assert alive.attempts == 2

    caplog.set_level(logging.INFO, logger="songs.services.analysis")
    stored = song_store_analysis(song=alive, analysis=tone_analysis)
    assert stored.status == Song.Status.READY
    # The presumed-dead worker was only slow: its late result is dropped, not written again.
    late = song_store_analysis(song=dead, analysis=tone_analysis)
    assert late.claim == alive.claim
    analysed = [r for r in caplog.records if r.getMessage() == "song analysed"]
    dropped = [r for r in caplog.records if r.getMessage() == "analysis result dropped: claim lost"]
    assert [r.song_id for r in analysed] == [song.id] and len(dropped) == 1


def test_the_sweep_leaves_songs_of_live_workers_and_finished_songs_alone(song):
    claimed = song_claim_for_analysis(song_id=song.id, worker="celery@alive")
    assert songs_sweep_stuck(live_workers={"celery@alive"})["orphaned"] == 0
    # Unknown liveness (the ping could not be sent) hands nothing on.
    assert songs_sweep_stuck(live_workers=None)["orphaned"] == 0
    Song.objects.filter(id=song.id).update(status=Song.Status.READY)
    assert songs_sweep_stuck(live_workers=set())["orphaned"] == 0
    claimed.refresh_from_db()
    assert claimed.status == Song.Status.READY


def test_an_empty_queue_means_the_broker_forgot_pending_songs(song, settings):
    settings.ANALYSIS_LOST_AFTER_S = 0
    Song.objects.filter(id=song.id).update(status=Song.Status.PENDING, queued_at=timezone.now())
    # Messages still wait in the queue: a pending song is simply waiting its turn.
    assert songs_sweep_stuck(queue_depth=5)["lost"] == 0
    assert songs_sweep_stuck(queue_depth=0)["lost"] == 1


def test_a_result_committed_while_its_answer_was_lost_is_taken_as_written(
    song, tone_analysis, caplog
):
    """The connection broke at COMMIT, after the database had committed: the task's retry finds
    its own result stored and goes on with it (map, near-duplicates), writing nothing again."""
    claimed = song_claim_for_analysis(song_id=song.id, worker="celery@a")
    song_store_analysis(song=claimed, analysis=tone_analysis)
    caplog.set_level(logging.INFO, logger="songs.services.analysis")
    caplog.clear()
    again = song_claim_and_analyse(song_id=song.id, worker="celery@a", claim=claimed.claim)
    assert again is not None and again.status == Song.Status.READY
    assert again.attempts == 1
    (line,) = [r for r in caplog.records if r.getMessage() == "song analysed"]
    assert line.song_id == song.id and line.confirmed_after_retry
    # Someone else's claim finds nothing of its own there.
    assert song_claim_and_analyse(song_id=song.id, worker="celery@b", claim=uuid.uuid4()) is None
