"""What the broker says, whichever broker it is (Redis or RabbitMQ): reachable, and how many
messages wait in each queue. Through kombu, so the same code reads both."""

from __future__ import annotations

from neuralnotes.celery import app as celery_app

CONNECT_TIMEOUT_S = 1.0


def broker_ping() -> None:
    """Raise unless the broker accepts a connection within about a second."""
    with celery_app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, timeout=CONNECT_TIMEOUT_S)


def queue_depths() -> dict[str, int]:
    """Messages ready in each of the app's queues (taken by no worker yet), by queue name."""
    depths: dict[str, int] = {}
    with celery_app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, timeout=CONNECT_TIMEOUT_S)
        channel = connection.default_channel
        for queue in celery_app.amqp.queues.values():
            try:
                # Passive: counts without creating. RabbitMQ closes the channel when the queue
                # does not exist yet, which means nothing waits in it.
                depths[queue.name] = channel.queue_declare(queue.name, passive=True).message_count
            except connection.channel_errors:
                depths[queue.name] = 0
                channel = connection.channel()
    return depths
