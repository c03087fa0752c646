"""Sharing: public, read-only links to songs or an album (playlists.models.Share), for people
without an account. A user sees and changes only their own shares; another's is "not found".

Ids: a number is a song (as everywhere in this API) and ``al-…`` an album, whose songs are
shared as they are now. A playlist cannot be shared by its id here: playlist ids are numbers
too, so "12" is song 12; a client shares a playlist's songs by their ids.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.urls import reverse

from playlists import selectors, services
from playlists.models import Share
from songs.models import Song
from subsonic.library import (
    ALBUM_PREFIX,
    child_songs,
    iso,
    key_from_id,
    library_songs,
    song_children,
    songs_by_ids,
)
from subsonic.protocol import Params, SubsonicError
from subsonic.registry import Call, endpoint


def _songs_to_share(raw_ids: list[str]) -> list[Song]:
    """The songs of these ids in their order, an album's in track order; any unknown id is 70."""
    numbered = songs_by_ids([raw for raw in raw_ids if not raw.startswith(ALBUM_PREFIX)])
    by_id = {str(song.id): song for song in numbered}
    songs: list[Song] = []
    for raw in raw_ids:
        if not raw.startswith(ALBUM_PREFIX):
            songs.append(by_id[raw])
            continue
        key = key_from_id(raw, ALBUM_PREFIX, "Album")
        album = list(library_songs().filter(album_key=key).order_by("track_number", "title", "id"))
        if not album:
            raise SubsonicError(SubsonicError.NOT_FOUND, "Album not found.")
        songs.extend(album)
    return songs


def _expires(params: Params) -> datetime | None:
    """``expires`` in milliseconds since 1970; absent or 0: never."""
    milliseconds = params.integer("expires", 0)
    return datetime.fromtimestamp(milliseconds / 1000, tz=UTC) if milliseconds else None


def share_payload(call: Call, share: Share) -> dict:
    """A share as the spec's Share element; ``url`` is the absolute public link."""
    songs = list(child_songs(selectors.share_songs(share)))
    return {
        "id": str(share.id),
        "url": call.request.build_absolute_uri(reverse("playlists:share", args=[share.token])),
        "description": share.description or None,
        "username": share.owner.username,
        "created": iso(share.created_at),
        "expires": iso(share.expires_at) if share.expires_at else None,
        "lastVisited": iso(share.last_visited_at) if share.last_visited_at else None,
        "visitCount": share.visit_count,
        "entry": song_children(call.user, songs),
    }


def _own_share(call: Call) -> Share:
    raw = call.params.required("id")
    share = selectors.shares_of(call.user).filter(id=int(raw)).first() if raw.isdigit() else None
    if share is None:
        raise SubsonicError(SubsonicError.NOT_FOUND, "Share not found.")
    return share


@endpoint("getShares")
def get_shares(call: Call) -> dict:
    return {"shares": {"share": [share_payload(call, s) for s in selectors.shares_of(call.user)]}}


@endpoint("createShare")
def create_share(call: Call) -> dict:
    raw_ids = call.params.list("id")
    if not raw_ids:
        raise SubsonicError(SubsonicError.MISSING_PARAMETER, "Required parameter is missing: id")
    share = services.share_create(
        owner=call.user,
        songs=_songs_to_share(raw_ids),
        description=call.params.get("description", ""),
        expires_at=_expires(call.params),
    )
    share = selectors.shares_of(call.user).get(id=share.id)
    return {"shares": {"share": [share_payload(call, share)]}}


@endpoint("updateShare")
def update_share(call: Call) -> dict:
    share = _own_share(call)
    changes = {}
    if call.params.get("expires") not in (None, ""):
        changes["expires_at"] = _expires(call.params)
    services.share_update(share=share, description=call.params.get("description"), **changes)
    return {}


@endpoint("deleteShare")
def delete_share(call: Call) -> dict:
    services.share_delete(share=_own_share(call))
    return {}
