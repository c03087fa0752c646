"""The catalogue's own follow-ups of an analysis, each its own task (songs.signals says why)."""

from django.db import transaction
from django.dispatch import receiver

from songs.signals import song_analysed
from songs.tasks import find_near_duplicates, fit_embedding_if_first


@receiver(song_analysed, dispatch_uid="songs.find_near_duplicates")
def _near_duplicates(sender, *, song_id: int, **_: object) -> None:
    transaction.on_commit(lambda: find_near_duplicates.delay(song_id))  # offered to managers


@receiver(song_analysed, dispatch_uid="songs.fit_embedding_if_first")
def _first_fit(sender, *, song_id: int, **_: object) -> None:
    transaction.on_commit(fit_embedding_if_first.delay)
