"""How a catalogue service queues one of the catalogue's tasks without importing songs.tasks.

Tasks look their object up and call a service, so songs.tasks imports the services; a service
that must queue a task (a new song's analysis, a folder's re-import, the clip a request waits
for) would close a cycle by importing songs.tasks back. It takes the task from Celery's registry
by name instead: the very task object that ``from songs.tasks import …`` would give (a
``shared_task`` is looked up in the current app's registry the same way), with its options and
eager mode. songs.tasks is registered in every Django process: SongsConfig.ready imports
songs.receivers, which imports it.
"""

from celery import Task, current_app


def catalogue_task(name: str) -> Task:
    """The task ``songs.tasks.<name>``; KeyError for a name that is no task there."""
    return current_app.tasks[f"songs.tasks.{name}"]
