"""The catalogue's own follow-ups of an analysis, each its own task (songs.signals says why), and
of every save and delete of a song: the library's version rises (songs.library_version)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from songs.library_version import library_changed
from songs.models import Song
from songs.signals import song_analysed
from songs.tasks import find_near_duplicates, fit_embedding_if_first


@receiver(song_analysed, dispatch_uid="songs.find_near_duplicates")
def _near_duplicates(sender, *, song_id: int, **_: object) -> None:
    transaction.on_commit(lambda: find_near_duplicates.delay(song_id))  # offered to managers


@receiver(song_analysed, dispatch_uid="songs.fit_embedding_if_first")
def _first_fit(sender, *, song_id: int, **_: object) -> None:
    transaction.on_commit(fit_embedding_if_first.delay)


@receiver(post_save, sender=Song, dispatch_uid="songs.library_changed_on_save")
@receiver(post_delete, sender=Song, dispatch_uid="songs.library_changed_on_delete")
def _library_changed(sender, **_: object) -> None:
    library_changed()  # what processes keep from every song is read again (library_version)
