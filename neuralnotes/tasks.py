from celery import shared_task
from django.db import connection


@shared_task
def worker_database_check() -> dict:
    """Run on a worker: proves the round trip web -> broker -> worker -> database -> result."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        (database,) = cursor.fetchone()
    return {"database": database}
