"""The Celery application. Tasks live in each app's ``tasks.py`` and are autodiscovered."""

import functools
import inspect
import logging
import os

from celery import Celery, Task, signals

from neuralnotes import task_events  # noqa: F401 - counts task failures and retries in Redis
from neuralnotes.structured_logging import song_id_var, task_id_var

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "neuralnotes.settings.local")

app = Celery("neuralnotes")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger("neuralnotes.tasks")


@functools.cache
def _takes_song_id(task: Task) -> bool:
    return list(inspect.signature(task.run).parameters)[:1] == ["song_id"]


def task_song_id(task: Task | None, args, kwargs) -> int | None:
    """The song a task (its name unknown: None) is about: its ``song_id`` keyword, or the first
    argument of a task whose first parameter is ``song_id``; None for other tasks."""
    song_id = (kwargs or {}).get("song_id")
    if song_id is None and args and isinstance(args[0], int) and task and _takes_song_id(task):
        song_id = args[0]
    return song_id


@signals.task_prerun.connect
def _bind_task_id(task_id: str, task: Task, args=(), kwargs=None, **_: object) -> None:
    """Every line a task logs names the task, and the song for tasks about one song."""
    task_id_var.set(task_id)
    song_id_var.set(task_song_id(task, args, kwargs))


@signals.task_postrun.connect
def _unbind_task_id(**_: object) -> None:
    task_id_var.set(None)
    song_id_var.set(None)


@signals.task_failure.connect
def _log_task_failure(sender, task_id, exception, args, kwargs, **_: object) -> None:
    """Every failing task leaves one line naming the task, its arguments (a song id, say) and the
    error, whatever the task itself logged."""
    logger.error(
        "task failed",
        extra={
            "task": sender.name,
            "task_args": list(args or ()),
            "task_kwargs": dict(kwargs or {}),
            "error": f"{type(exception).__name__}: {exception}",
        },
    )
