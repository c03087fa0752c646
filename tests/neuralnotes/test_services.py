"""The embedded services the platform runs on are the real thing."""

import os
import socket

import redis
from django.conf import settings
from django.db import connection

from neuralnotes.embedded import redis_py_url
from neuralnotes.tasks import worker_database_check


def test_database_has_pgvector_and_cosine_distance_works(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        assert cursor.fetchone() is not None
        cursor.execute("SELECT '[1, 0, 0]'::vector <=> '[0, 2, 0]'::vector")
        assert cursor.fetchone()[0] == 1.0
        cursor.execute("SELECT '[3, 4]'::vector <=> '[6, 8]'::vector")
        assert abs(cursor.fetchone()[0]) < 1e-9


def test_broker_is_a_real_redis():
    client = redis.Redis.from_url(redis_py_url(settings.CELERY_BROKER_URL))
    assert client.ping() is True


def test_a_task_makes_the_round_trip_through_a_real_worker(celery_worker):
    result = worker_database_check.delay()
    assert result.get(timeout=30) == {
        "database": connection.settings_dict["NAME"],
        "process": f"{socket.gethostname()}:{os.getpid()}",  # the worker runs in a thread here
    }
