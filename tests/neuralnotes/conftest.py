"""Fixtures of the operations tests (metrics, the operations page)."""

import pytest
import redis
from django.conf import settings

from neuralnotes import task_events
from neuralnotes.celery import app as celery_app
from neuralnotes.embedded import redis_py_url

CLOSED_PORT = "127.0.0.1:9"  # the discard port: nothing listens there on these machines


@pytest.fixture
def no_task_events():
    """No task failures or retries counted by an earlier test, nor left for a later one."""
    client = redis.Redis.from_url(redis_py_url(settings.REDIS_URL))
    keys = [task_events.FAILURES_KEY, task_events.RETRIES_KEY, task_events.RECENT_FAILURES_KEY]
    client.delete(*keys)
    yield
    client.delete(*keys)
    client.close()


@pytest.fixture
def broker_down():
    """Celery's broker address pointed at a port where nothing listens, for this test only."""
    original = celery_app.conf.broker_url
    celery_app.conf.update(CELERY_BROKER_URL=f"redis://{CLOSED_PORT}/0")
    yield
    celery_app.conf.update(CELERY_BROKER_URL=original)
