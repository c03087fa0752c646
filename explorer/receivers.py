"""The explorer follows the catalogue (songs.signals says when each is sent and why)."""

from django.db import transaction
from django.dispatch import receiver

from explorer.selectors import active_map
from explorer.services import mixes_songs_forget
from explorer.tasks import map_file_changed, place_song_on_map
from songs.signals import song_analysed, songs_deleting, songs_merging


@receiver(song_analysed, dispatch_uid="explorer.place_song_on_map")
def _song_analysed(sender, *, song_id: int, **_: object) -> None:
    # On the map within seconds, not after a rebuild; keep_map_current places any song whose
    # task was lost (the broker down at the commit).
    transaction.on_commit(lambda: place_song_on_map.delay(song_id))


@receiver(songs_deleting, dispatch_uid="explorer.mixes_songs_forget")
def _songs_deleting(sender, *, song_ids, **_: object) -> None:
    mixes_songs_forget(song_ids=song_ids)
    _points_going()


@receiver(songs_merging, dispatch_uid="explorer.map_file_merging")
def _songs_merging(sender, **_: object) -> None:
    _points_going()


def _points_going() -> None:
    # The songs' points go with them by cascade: the map's file is written again without them.
    version = active_map()
    if version is not None:
        map_file_changed(version.id)
