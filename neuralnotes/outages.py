"""Errors that mean a service (the database, Redis, the broker, object storage) cannot be reached
right now, rather than a bug: pages answer 503 for them and tasks retry later."""

import logging

import botocore.exceptions
import redis
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)

# Object storage that cannot be reached (or answers nothing in time).
STORAGE_DOWN_ERRORS: tuple[type[BaseException], ...] = (
    botocore.exceptions.ConnectionError,
    botocore.exceptions.HTTPClientError,
)
# The broker (Redis) that cannot be reached: kombu's wrapper, or Redis's own error where kombu
# lets it through. A message that cannot be sent is left for a sweep or answered "try later".
BROKER_DOWN_ERRORS: tuple[type[BaseException], ...] = (BrokerError, redis.ConnectionError)
# Every error that means "a service is down": the one list pages, the API and tasks use.
SERVICE_DOWN_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    redis.TimeoutError,
    *BROKER_DOWN_ERRORS,
    *STORAGE_DOWN_ERRORS,
)


def retry_delay_s(retries: int, *, cap_s: float = 60.0) -> float:
    """Exponential backoff for the ``retries``-th retry: 1, 2, 4 … seconds, at most ``cap_s``."""
    return min(cap_s, 2.0**retries)


# Retries of a task while a service is down: 1, 2, 4 … 60 s apart, about 15 minutes in all.
OUTAGE_RETRIES = 20


def retry_after_outage(task, cause: BaseException, **options) -> Exception:
    """Retry the bound Celery ``task`` later because ``cause`` (one of SERVICE_DOWN_ERRORS) says
    a service is down: backed off by retry_delay_s, OUTAGE_RETRIES times, then ``cause`` is
    raised. ``options`` go to ``task.retry`` (args, kwargs). Raises; written ``raise
    retry_after_outage(self, exc)`` so that the caller reads as leaving."""
    logger.warning(
        "service unreachable, task retried",
        extra={"task": task.name, "retries": task.request.retries, "error": repr(cause)},
    )
    return task.retry(
        countdown=retry_delay_s(task.request.retries),
        max_retries=OUTAGE_RETRIES,
        exc=cause,
        **options,
    )
