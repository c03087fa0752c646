"""Playlists follows the catalogue (songs.signals says when each is sent and why)."""

from django.dispatch import receiver

from playlists.song_changes import listener_rows_forget, listener_rows_move
from songs.signals import songs_deleting, songs_merging


@receiver(songs_merging, dispatch_uid="playlists.listener_rows_move")
def _songs_merging(sender, *, keep, drop, **_: object) -> dict[str, int]:
    return listener_rows_move(keep=keep, drop=drop)


@receiver(songs_deleting, dispatch_uid="playlists.listener_rows_forget")
def _songs_deleting(sender, *, song_ids, **_: object) -> dict[str, int]:
    return listener_rows_forget(song_ids=song_ids)
