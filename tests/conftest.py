"""Shared fixtures: the four kinds of account and a real Celery worker.

The suite runs against the real services of ``neuralnotes.settings.test``: its own embedded
PostgreSQL with pgvector (started once per session, data in ``var/pg-test``) and Redis database 15
of the local Redis (or an embedded one).
"""

import pytest
from django.contrib.auth.models import User

from neuralnotes.celery import app as celery_app
from songs.services.roles import user_make_catalogue_manager

PASSWORD = "a-long-test-passphrase"


@pytest.fixture
def listener(db) -> User:
    return User.objects.create_user("lena", password=PASSWORD)


@pytest.fixture
def other_listener(db) -> User:
    return User.objects.create_user("otto", password=PASSWORD)


@pytest.fixture
def manager(db) -> User:
    return user_make_catalogue_manager(user=User.objects.create_user("mia", password=PASSWORD))


@pytest.fixture
def admin_user(db) -> User:
    return User.objects.create_superuser("ada", password=PASSWORD)


# Every test that commits (transaction=True, live_server, celery_worker) also asks for a
# serialized rollback: without it, the flush after such a test re-creates content types with new
# ids, and the next serialized restore then collides with them.
@pytest.fixture
def celery_worker(transactional_db, django_db_serialized_rollback):
    """A real Celery worker consuming from the test Redis, in a thread of this process (so it
    uses the test database). Tests using it see only committed data, hence transactional_db; the
    serialized rollback puts back what migrations wrote (the catalogue managers' group)."""
    from celery.contrib.testing.worker import start_worker
    from kombu.asynchronous import set_event_loop

    celery_app.control.purge()  # messages an earlier test queued are not this test's
    # A worker takes the process's event loop if there is one, and with it the timer of the
    # first worker the suite started: this one's countdowns (a retry after an outage) would
    # never fire. A fresh loop gets this worker's own timer.
    set_event_loop(None)
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttling counts live in the cache: no test inherits another's requests."""
    from django.core.cache import cache

    cache.clear()
