"""Reads of the Subsonic app's own data: a user's play queue and bookmarks, holding only songs
that are in the library (ready), each with what a Child needs and nothing more."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import F

from songs.models import Song
from subsonic.library import CHILD_FIELDS, child_songs, library_songs
from subsonic.models import Bookmark, PlayQueue
from subsonic.protocol import SubsonicError

SONG_CHILD_FIELDS = tuple(f"song__{field}" for field in CHILD_FIELDS)


@dataclass
class SavedQueue:
    """A play queue as a client restores it: its songs in order and which one plays."""

    queue: PlayQueue | None  # None: never saved
    songs: list[Song]
    current_index: int | None  # 0-based, into songs; None when nothing is playing

    @property
    def current(self) -> Song | None:
        return None if self.current_index is None else self.songs[self.current_index]


def library_song_ids(raw_ids: Sequence[str]) -> list[int]:
    """The song ids of ``raw_ids``, in the order given (repeats kept), after one query that
    checks every one is in the library; any other is error 70. Ids only: a queue being saved
    needs no song loaded."""
    if not all(raw.isdigit() for raw in raw_ids):
        raise SubsonicError(SubsonicError.NOT_FOUND, "Song not found.")
    wanted = [int(raw) for raw in raw_ids]
    found = set(library_songs().filter(id__in=set(wanted)).values_list("id", flat=True))
    if len(found) != len(set(wanted)):
        raise SubsonicError(SubsonicError.NOT_FOUND, "Song not found.")
    return wanted


def saved_queue(user: User) -> SavedQueue:
    """``user``'s play queue in two queries, whatever its length. Songs that have left the
    library since it was saved are left out, and the index points at the same entry still
    (or at nothing, when the playing song itself has left)."""
    queue = PlayQueue.objects.filter(user=user).first()
    if queue is None:
        return SavedQueue(None, [], None)
    # Songs joined to their entries: one row (and one Song) per entry, in the queue's order,
    # with no PlayQueueEntry objects built.
    songs = list(
        child_songs(library_songs())
        .filter(subsonic_queue_entries__queue=queue)
        .annotate(queue_position=F("subsonic_queue_entries__position"))
        .order_by("subsonic_queue_entries__position")
    )
    current_index = next(
        (i for i, song in enumerate(songs) if song.queue_position == queue.current_position),
        None,
    )
    return SavedQueue(queue, songs, current_index)


def user_bookmarks(user: User) -> list[Bookmark]:
    """``user``'s bookmarks in library songs, the most recently changed first (one query)."""
    return list(
        Bookmark.objects.filter(user=user, song__in=library_songs())
        .select_related("song")
        .only("position_ms", "comment", "created_at", "changed_at", "song", *SONG_CHILD_FIELDS)
    )
