"""Lists and searches: album lists of every type, random songs, songs by genre, search2/3.

Every list is one page (size/count and offset, clamped) read by a few grouped queries. The
empty search is how clients copy the whole library, a page at a time: it is read in id order
with no count and no filtering, so each page costs an index range and nothing more.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Avg, Count, Max, Q, QuerySet
from django.db.models.functions import Lower

from playlists.models import LibraryStar, Play, Rating
from playlists.selectors import library_stars
from songs.models import Song
from subsonic.endpoints.browsing import (
    album_child,
    folder_songs,
    music_folder,
    starred_albums,
    starred_artists,
)
from subsonic.library import (
    album_payload,
    albums,
    artist_folder,
    artist_payload,
    child_songs,
    library_songs,
    song_children,
)
from subsonic.protocol import SubsonicError
from subsonic.registry import Call, endpoint
from subsonic.search import search_albums, search_artists, search_songs

MAX_SIZE = 500


def _genre(songs: QuerySet[Song], genre: str) -> QuerySet[Song]:
    """Songs of the genre: the label someone gave or, without one, the predicted genre."""
    return songs.filter(Q(genre=genre) | Q(genre="", predicted_genre=genre))


def _years(songs_or_rows: QuerySet, low: int | None, high: int | None) -> QuerySet:
    if low is not None:
        songs_or_rows = songs_or_rows.filter(year__gte=low)
    if high is not None:
        songs_or_rows = songs_or_rows.filter(year__lte=high)
    return songs_or_rows


def _ranked_albums(
    songs: QuerySet[Song], ranking: tuple, offset: int, size: int, *, user: User
) -> list:
    """One page of albums, best score first: ``ranking`` is a model of rows about songs (plays,
    ratings) and the aggregate that scores an album by them. Only ``user``'s own rows count:
    everybody's would tell, on a small server, what another listener just played or rated.
    Two queries."""
    model, score = ranking
    keys = list(
        model.objects.filter(user=user, song__in=songs.values("id"))
        .values("song__album_key")
        .annotate(score=score)
        .order_by("-score", "song__album_key")
        .values_list("song__album_key", flat=True)[offset : offset + size]
    )
    rows = {row["album_key"]: row for row in albums(songs.filter(album_key__in=keys))}
    return [rows[key] for key in keys if key in rows]


def _album_rows(call: Call) -> list[dict]:
    """The page of albums the call's type asks for (Navidrome's types and errors)."""
    params = call.params
    kind = params.required("type")
    size = params.integer("size", 10, maximum=MAX_SIZE)
    offset = params.integer("offset", 0)
    songs = folder_songs(call)
    rows = albums(songs)
    if kind == "random":
        return list(rows.order_by("?")[:size])
    if kind == "newest":
        rows = rows.order_by("-created", "album_key")
    elif kind == "alphabeticalByName":
        rows = rows.order_by(Lower("name"), "album_key")
    elif kind == "alphabeticalByArtist":
        rows = rows.order_by(Lower("artist_name"), Lower("name"), "album_key")
    elif kind == "byYear":
        low = params.integer("fromYear")
        high = params.integer("toYear")
        if low is None or high is None:
            raise SubsonicError(SubsonicError.MISSING_PARAMETER, "byYear needs fromYear, toYear.")
        if low > high:  # a descending range is listed newest first
            rows = _years(rows, high, low).order_by("-year", Lower("name"), "album_key")
        else:
            rows = _years(rows, low, high).order_by("year", Lower("name"), "album_key")
    elif kind == "byGenre":
        genre = params.required("genre")
        rows = albums(songs.filter(album_key__in=_genre(songs, genre).values("album_key")))
        rows = rows.order_by(Lower("name"), "album_key")
    elif kind == "starred":  # the albums the user starred, newest star first (getStarred2's)
        stars = library_stars(call.user, LibraryStar.Kind.ALBUM)
        keys = sorted(stars, key=lambda key: (stars[key], key), reverse=True)
        found = {row["album_key"]: row for row in rows.filter(album_key__in=keys)}
        return [found[key] for key in keys if key in found][offset : offset + size]
    elif kind in RANKINGS:
        return _ranked_albums(songs, RANKINGS[kind], offset, size, user=call.user)
    else:
        raise SubsonicError(SubsonicError.GENERIC, f"Album list type {kind!r} is not known.")
    return list(rows[offset : offset + size])


RANKINGS = {
    "highest": (Rating, Avg("stars")),
    "frequent": (Play, Count("id")),
    "recent": (Play, Max("played_at")),
}


@endpoint("getAlbumList")
def get_album_list(call: Call) -> dict:
    stars = starred_albums(call)
    rows = _album_rows(call)
    return {
        "albumList": {"album": [album_child(r, starred=stars.get(r["album_key"])) for r in rows]}
    }


@endpoint("getAlbumList2")
def get_album_list2(call: Call) -> dict:
    stars = starred_albums(call)
    rows = _album_rows(call)
    return {
        "albumList2": {"album": [album_payload(r, starred=stars.get(r["album_key"])) for r in rows]}
    }


@endpoint("getRandomSongs")
def get_random_songs(call: Call) -> dict:
    params = call.params
    size = params.integer("size", 10, maximum=MAX_SIZE)
    songs = folder_songs(call)
    if genre := params.get("genre"):
        songs = _genre(songs, genre)
    songs = _years(songs, params.integer("fromYear"), params.integer("toYear"))
    # Shuffle ids only, then read the few songs drawn: random order over whole rows is dear.
    ids = list(songs.order_by("?").values_list("id", flat=True)[:size])
    found = child_songs(songs).in_bulk(ids)
    drawn = [found[i] for i in ids if i in found]
    return {"randomSongs": {"song": song_children(call.user, drawn)}}


@endpoint("getSongsByGenre")
def get_songs_by_genre(call: Call) -> dict:
    params = call.params
    genre = params.required("genre")
    count = params.integer("count", 10, maximum=MAX_SIZE)
    offset = params.integer("offset", 0)
    songs = child_songs(_genre(folder_songs(call), genre)).order_by("title", "id")
    return {
        "songsByGenre": {"song": song_children(call.user, list(songs[offset : offset + count]))}
    }


def _page(call: Call, name: str, default: int = 20) -> slice:
    count = call.params.integer(f"{name}Count", default, maximum=MAX_SIZE)
    offset = call.params.integer(f"{name}Offset", 0)
    return slice(offset, offset + count)


def _search(call: Call) -> tuple[list[dict], list[dict], list[Song]]:
    """Artist rows, album rows and songs for the query (subsonic.search). The empty query ("" or
    '""') is everything, in id order: the page-through clients sync the library with."""
    query = call.params.get("query")
    if query is None:
        raise SubsonicError(SubsonicError.MISSING_PARAMETER, "Required parameter is missing: query")
    query = query.strip().strip('"').strip()
    folder = music_folder(call)
    songs = library_songs(folder)
    return (
        search_artists(songs, folder, query, _page(call, "artist")),
        search_albums(songs, folder, query, _page(call, "album")),
        search_songs(songs, query, _page(call, "song")),
    )


@endpoint("search2")
def search2(call: Call) -> dict:
    artist_rows, album_rows, songs = _search(call)
    artist_stars, album_stars = starred_artists(call), starred_albums(call)
    return {
        "searchResult2": {
            "artist": [
                artist_folder(r, starred=artist_stars.get(r["artist_key"])) for r in artist_rows
            ],
            "album": [album_child(r, starred=album_stars.get(r["album_key"])) for r in album_rows],
            "song": song_children(call.user, songs),
        }
    }


@endpoint("search3")
def search3(call: Call) -> dict:
    artist_rows, album_rows, songs = _search(call)
    artist_stars, album_stars = starred_artists(call), starred_albums(call)
    return {
        "searchResult3": {
            "artist": [
                artist_payload(r, starred=artist_stars.get(r["artist_key"])) for r in artist_rows
            ],
            "album": [
                album_payload(r, starred=album_stars.get(r["album_key"])) for r in album_rows
            ],
            "song": song_children(call.user, songs),
        }
    }
