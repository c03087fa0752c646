"""The health round trip is answered even while a long queue of songs waits."""

from neuralnotes.celery import app
from neuralnotes.tasks import worker_database_check
from songs.tasks import analyse_song


def test_the_health_task_has_its_own_queue_that_workers_consume():
    assert app.amqp.router.route({}, analyse_song.name)["queue"].name == "celery"
    route = app.amqp.router.route({}, worker_database_check.name)
    assert route["queue"].name == "health"
    assert {q.name for q in app.amqp.queues.values()} == {"celery", "health"}


def test_a_round_trip_passes_a_backlog_of_songs(celery_worker):
    # A backlog of songs that do not exist (each is a quick no-op for the worker) ahead of it.
    for song_id in range(10_000_000, 10_000_300):
        analyse_song.delay(song_id)
    result = worker_database_check.delay()
    assert result.get(timeout=20)["database"]
