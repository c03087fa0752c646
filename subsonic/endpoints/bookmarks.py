"""The play queue and bookmarks (the spec's "Bookmarks" methods), with OpenSubsonic's
indexBasedQueue: a user's own queue and bookmarks (subsonic.services and selectors), never
anyone else's. Positions are milliseconds; a queue's current song is an id in getPlayQueue and a
0-based index in getPlayQueueByIndex, which tells apart two copies of one song."""

from __future__ import annotations

from django.contrib.auth.models import User

from subsonic.library import (
    UserAnnotations,
    iso,
    song_by_id,
    song_child,
    song_children,
)
from subsonic.protocol import SubsonicError
from subsonic.registry import Call, endpoint
from subsonic.selectors import SavedQueue, library_song_ids, saved_queue, user_bookmarks
from subsonic.services import (
    CurrentNotInQueue,
    bookmark_delete,
    bookmark_set,
    play_queue_save,
)

MAX_MS = 2**63 - 1  # what the database keeps: a position past it is clamped, not a crash


def _invalid(message: str) -> SubsonicError:
    # The spec answers 10 for a currentIndex outside the queue; a current id outside it is the
    # same mistake made by id.
    return SubsonicError(SubsonicError.MISSING_PARAMETER, message)


def _save(call: Call, *, by_index: bool) -> dict:
    """savePlayQueue(ByIndex): ``id`` per song, in order (none: clear the queue), ``current``
    (an id in the queue) or ``currentIndex`` (0-based), ``position`` in ms (absent: 0)."""
    params = call.params
    song_ids = library_song_ids(params.list("id"))
    if not song_ids:
        if by_index and params.get("currentIndex", "") != "":
            raise _invalid("currentIndex must not be set when the queue is cleared.")
        current_index = None
    elif by_index:
        raw = params.required("currentIndex")
        if not raw.lstrip("-").isdigit():
            raise _invalid(f"currentIndex is an index into the queue, not {raw!r}.")
        current_index = int(raw)
    else:
        current = params.required("current")
        ids = [str(song_id) for song_id in song_ids]
        if current not in ids:
            raise _invalid(f"The current song {current!r} is not in the queue.")
        current_index = ids.index(current)
    try:
        play_queue_save(
            user=call.user,
            song_ids=song_ids,
            current_index=current_index,
            position_ms=params.integer("position", 0, minimum=0, maximum=MAX_MS),
            client=call.client,
        )
    except CurrentNotInQueue as error:
        raise _invalid(str(error)) from None
    return {}


def _queue_payload(user: User, saved: SavedQueue) -> dict:
    """The fields PlayQueue and PlayQueueByIndex share. A queue never saved is an empty one,
    changed when the account was made: older than anything a client holds, so none restores it."""
    queue = saved.queue
    return {
        "position": queue.position_ms if queue and saved.current else None,
        "username": user.username,
        "changed": iso(queue.changed_at if queue else user.date_joined),
        "changedBy": queue.changed_by if queue else "",
        "entry": song_children(user, saved.songs),
    }


@endpoint("savePlayQueue")
def save_play_queue(call: Call) -> dict:
    return _save(call, by_index=False)


@endpoint("savePlayQueueByIndex")
def save_play_queue_by_index(call: Call) -> dict:
    return _save(call, by_index=True)


@endpoint("getPlayQueue")
def get_play_queue(call: Call) -> dict:
    saved = saved_queue(call.user)
    current = saved.current
    return {
        "playQueue": {
            "current": str(current.id) if current else None,
            **_queue_payload(call.user, saved),
        }
    }


@endpoint("getPlayQueueByIndex")
def get_play_queue_by_index(call: Call) -> dict:
    saved = saved_queue(call.user)
    return {
        "playQueueByIndex": {
            "currentIndex": saved.current_index,
            **_queue_payload(call.user, saved),
        }
    }


@endpoint("getBookmarks")
def get_bookmarks(call: Call) -> dict:
    bookmarks = user_bookmarks(call.user)
    annotations = UserAnnotations.of(call.user, [b.song.id for b in bookmarks])
    return {
        "bookmarks": {
            "bookmark": [
                {
                    "position": b.position_ms,
                    "username": call.user.username,
                    "comment": b.comment,
                    "created": iso(b.created_at),
                    "changed": iso(b.changed_at),
                    "entry": {
                        **song_child(b.song, annotations),
                        "bookmarkPosition": b.position_ms,
                    },
                }
                for b in bookmarks
            ]
        }
    }


@endpoint("createBookmark")
def create_bookmark(call: Call) -> dict:
    song = song_by_id(call.params.required("id"))
    call.params.required("position")
    bookmark_set(
        user=call.user,
        song=song,
        position_ms=call.params.integer("position", minimum=0, maximum=MAX_MS),
        comment=call.params.get("comment") or "",
    )
    return {}


@endpoint("deleteBookmark")
def delete_bookmark(call: Call) -> dict:
    song = song_by_id(call.params.required("id"))
    if not bookmark_delete(user=call.user, song=song):
        raise SubsonicError(SubsonicError.NOT_FOUND, "You have no bookmark in this song.")
    return {}
