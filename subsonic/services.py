"""Writes of the Subsonic app's own data: a user's play queue and bookmarks. Each function is one
transaction; callers pass songs they have already looked up in the library."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from songs.models import Song
from subsonic.models import Bookmark, PlayQueue, PlayQueueEntry


class CurrentNotInQueue(ValueError):
    """The song said to be playing is not one of the queue's."""


@transaction.atomic
def play_queue_save(
    *,
    user: User,
    song_ids: Sequence[int],
    current_index: int | None,
    position_ms: int,
    client: str,
) -> PlayQueue:
    """Replace ``user``'s queue with the songs of ``song_ids`` (in the library: the caller has
    looked them up) in this order, the same song as often as it comes, ``current_index``
    (0-based) playing at ``position_ms`` milliseconds. No songs clears the queue. Four
    statements however long the queue: clients save it at every skip."""
    if song_ids and (current_index is None or not 0 <= current_index < len(song_ids)):
        raise CurrentNotInQueue(f"The current index must be from 0 to {len(song_ids) - 1}.")
    queue, _ = PlayQueue.objects.select_for_update().update_or_create(
        user=user,
        defaults={
            "current_position": current_index if song_ids else None,
            "position_ms": position_ms if song_ids else 0,
            "changed_at": timezone.now(),
            "changed_by": client,
        },
    )
    PlayQueueEntry.objects.filter(queue=queue).delete()
    if song_ids:
        # One INSERT from an array: building hundreds of model instances for bulk_create costs
        # more than the database does for the whole write.
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {PlayQueueEntry._meta.db_table} (queue_id, song_id, position) "
                "SELECT %s, song_id, ordinality - 1 "
                "FROM unnest(%s::bigint[]) WITH ORDINALITY AS queue(song_id, ordinality)",
                [queue.id, list(song_ids)],
            )
    return queue


@transaction.atomic
def bookmark_set(*, user: User, song: Song, position_ms: int, comment: str = "") -> Bookmark:
    """Create ``user``'s bookmark in ``song``, or move the one they have (one per song)."""
    bookmark, _ = Bookmark.objects.update_or_create(
        user=user, song=song, defaults={"position_ms": position_ms, "comment": comment}
    )
    return bookmark


@transaction.atomic
def bookmark_delete(*, user: User, song: Song) -> bool:
    """Remove ``user``'s bookmark in ``song``; False when they had none."""
    deleted, _ = Bookmark.objects.filter(user=user, song=song).delete()
    return deleted > 0
