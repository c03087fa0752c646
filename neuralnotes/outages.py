"""Errors that mean a service (the database, Redis, the broker, object storage) cannot be reached
right now, rather than a bug: pages answer 503 for them and tasks retry later."""

import botocore.exceptions
import redis
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

# Object storage that cannot be reached (or answers nothing in time).
STORAGE_DOWN_ERRORS: tuple[type[BaseException], ...] = (
    botocore.exceptions.ConnectionError,
    botocore.exceptions.HTTPClientError,
)
SERVICE_DOWN_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    redis.ConnectionError,
    redis.TimeoutError,
    BrokerError,
    *STORAGE_DOWN_ERRORS,
)


def retry_delay_s(retries: int, *, cap_s: float = 60.0) -> float:
    """Exponential backoff for the ``retries``-th retry: 1, 2, 4 … seconds, at most ``cap_s``."""
    return min(cap_s, 2.0**retries)
