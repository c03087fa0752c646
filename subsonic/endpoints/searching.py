"""The first search method (Subsonic 1.0, deprecated since 1.4 but still called by old clients):
songs by artist, album, title or any field, paged, with the total number of hits."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db.models import QuerySet

from songs.models import Song
from songs.selectors.catalogue import songs_matching
from subsonic.library import child_songs, library_songs, song_children
from subsonic.protocol import SubsonicError
from subsonic.registry import Call, endpoint

MAX_COUNT = 500


def _containing(songs: QuerySet[Song], field: str, text: str) -> QuerySet[Song]:
    """Songs whose ``field`` contains every word of ``text`` (as search2 matches words)."""
    for word in text.split()[:8]:
        songs = songs.filter(**{f"{field}__icontains": word})
    return songs


def _newer_than(raw: str) -> datetime:
    try:
        return datetime.fromtimestamp(int(raw) / 1000, tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise SubsonicError(
            SubsonicError.GENERIC, f"newerThan is milliseconds since 1970, not {raw!r}."
        ) from None


@endpoint("search")
def search(call: Call) -> dict:
    """Every criterion given must match; none given matches the whole library (what the
    empty query of search2 does)."""
    params = call.params
    songs = library_songs()
    for field in ("artist", "album", "title"):
        if params.get(field):
            songs = _containing(songs, field, params.get(field))
    if params.get("any"):
        songs = songs_matching(songs, params.get("any"))
    if params.get("newerThan"):
        songs = songs.filter(created_at__gt=_newer_than(params.get("newerThan")))
    count = params.integer("count", 20, maximum=MAX_COUNT)
    offset = params.integer("offset", 0)
    total = songs.count()
    page = (
        list(child_songs(songs).order_by("title", "id")[offset : offset + count]) if count else []
    )
    return {
        "searchResult": {
            "offset": offset,
            "totalHits": total,
            "match": song_children(call.user, page),
        }
    }
