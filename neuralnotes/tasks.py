import os
import socket

from celery import shared_task
from django.db import connection


@shared_task
def worker_database_check() -> dict:
    """Run on a worker: proves the round trip web -> broker -> worker -> database -> result, and
    names the worker process that answered."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        (database,) = cursor.fetchone()
    return {"database": database, "process": f"{socket.gethostname()}:{os.getpid()}"}
