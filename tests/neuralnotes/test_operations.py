"""/operations/: staff see the workers, the queues, songs by state and the latest failures, even
while the broker or Redis is down."""

import threading
from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from neuralnotes import task_events
from neuralnotes.celery import app as celery_app
from songs.models import Song
from tests.factories import make_song

CLOSED_PORT = "127.0.0.1:9"  # the discard port: nothing listens there on these machines

pytestmark = pytest.mark.usefixtures("no_task_events")

HELD_SONG_ID = 424242

started, release = threading.Event(), threading.Event()


@celery_app.task(name="tests.operations.hold_song")
def hold_song(song_id: int) -> None:
    """Runs until the test releases it: a task the page can catch running."""
    started.set()
    release.wait(timeout=30)


@pytest.fixture
def threads_worker(transactional_db, django_db_serialized_rollback):
    """A real worker whose tasks run in threads of their own, so that it answers the page's
    questions while a task runs (the solo pool of ``celery_worker`` answers between tasks only)."""
    from celery.contrib.testing.worker import start_worker

    celery_app.control.purge()
    started.clear()
    release.clear()
    with start_worker(
        celery_app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=30
    ):
        yield
        release.set()


def test_staff_only(client, listener, manager, admin_user):
    url = reverse("operations")
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(listener)
    assert client.get(url).status_code == 403
    for staff in (manager, admin_user):
        client.force_login(staff)
        assert client.get(url).status_code == 200


def test_the_navigation_links_to_it_for_staff_only(client, listener, manager):
    client.force_login(listener)
    assert reverse("operations") not in client.get(reverse("account")).content.decode()
    client.force_login(manager)
    assert reverse("operations") in client.get(reverse("account")).content.decode()


def test_songs_by_state_and_the_latest_failures(client, manager):
    for n in range(2):
        make_song(n, Song.Status.PENDING)
    make_song(2, Song.Status.READY, analysed_at=timezone.now() - timedelta(minutes=1))
    old = make_song(3, Song.Status.FAILED, error="The file holds no audio stream.")
    new = make_song(4, Song.Status.FAILED, error="Analysis stopped on an unexpected error.")
    Song.objects.filter(id=old.id).update(updated_at=timezone.now() - timedelta(hours=1))
    task_events.task_failure_record(
        task_name="songs.tasks.analyse_song",
        task_id="task-77",
        args=[new.id],
        error="RuntimeError: the model file is missing",
        worker="celery@analysis-1",
    )

    client.force_login(manager)
    response = client.get(reverse("operations"))
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    assert response.context["states"] == [
        ("Pending", 2),
        ("Processing", 0),
        ("Ready", 1),
        ("Failed", 2),
    ]
    assert [song.id for song in response.context["failed_songs"]] == [new.id, old.id]
    page = response.content.decode()
    assert "The file holds no audio stream." in page
    assert reverse("admin:songs_song_change", args=[new.id]) in page
    assert "RuntimeError: the model file is missing" in page and "celery@analysis-1" in page
    assert response.context["task_counts"] == [("songs.tasks.analyse_song", 1, 0)]


def test_embedding_versions_show_when_and_on_how_many_songs_they_were_fitted(
    client, manager, settings
):
    from songs.services.embeddings import embedding_refit
    from tests.factories import make_embedded_songs

    settings.STANDARDISE_AFTER_SONGS = 20
    make_embedded_songs(per_genre=8, unlabelled=0, descriptors=True)
    fit = embedding_refit()
    make_embedded_songs(per_genre=3, unlabelled=0, seed=1, descriptors=True)

    client.force_login(manager)
    response = client.get(reverse("operations"))
    page = response.content.decode()
    assert f"<td>{fit.name} (active)</td>" in page
    assert f"<td>{fit.fitted_at:%Y-%m-%d %H:%M:%S}</td><td>24</td>" in page
    assert "24 songs are analysed and no statistics are fitted yet" in page  # why it was made
    assert response.context["refit_reason"] == (
        f"9 songs were added and 0 removed since {fit.name} was fitted on 24"
    )
    assert "Due to be refitted: 9 songs were added" in page


def test_a_running_worker_is_listed_with_its_queues(client, manager, celery_worker):
    (name,) = [name for reply in celery_app.control.ping(timeout=1) for name in reply]
    client.force_login(manager)
    response = client.get(reverse("operations"))
    (worker,) = response.context["workers"]
    assert worker["name"] == name
    assert worker["pool"] == "solo" and worker["concurrency"] == 1
    assert worker["uptime"] is not None and worker["active"] == []
    assert response.context["queues"] == {"celery": 0, "health": 0}
    page = response.content.decode()
    assert name in page and "Idle." in page and "unreachable" not in page


def test_a_task_running_on_a_song_is_shown_with_its_song(client, manager, threads_worker):
    hold_song.delay(HELD_SONG_ID)
    assert started.wait(timeout=10)
    client.force_login(manager)
    response = client.get(reverse("operations"))
    (worker,) = response.context["workers"]
    (task,) = worker["active"]
    assert task["name"] == hold_song.name and task["song_id"] == HELD_SONG_ID
    assert abs(task["started"] - timezone.now()) < timedelta(seconds=30)
    page = response.content.decode()
    assert reverse("admin:songs_song_change", args=[HELD_SONG_ID]) in page


@override_settings(REDIS_URL=f"redis://{CLOSED_PORT}/0")
def test_it_renders_with_the_broker_and_redis_down(client, manager, broker_down):
    make_song(1, Song.Status.FAILED, error="The file holds no audio stream.")
    client.force_login(manager)
    response = client.get(reverse("operations"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Broker unreachable" in page and "Connection refused" in page
    assert "Redis unreachable" in page
    assert "The file holds no audio stream." in page
