"""What search2 and search3 find for a query: artists, albums and songs, a page of each.

Artists and albums contain every word of the query in their names (album or artist name, for an
album), read from this process's copy of the names (subsonic.name_index). Songs are too many for
that: a word of their title, artist or album starts with each word of the query, which the
search document's index answers (songs.selectors.catalogue.name_words_query), listed by
title. The empty query is everything, in id order: the page-through clients sync the library
with.
"""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Value
from django.db.models.functions import Concat

from songs.models import Song
from songs.selectors.catalogue import name_words_query, query_words
from subsonic.library import albums, artists, child_songs
from subsonic.name_index import folder_albums, folder_artists

# A common word's songs are found by walking the songs in title order (the song_title_id index)
# until the page is full; a rare word's through the search index, then sorted. The walk is tried
# first, over WALK_PER_SONG songs per song of the page and its offset, at least PROBE_MINIMUM
# (about 5 ms): a word that one song in 50 has fills its page, and a word the walk does not fill
# a page with is rare enough (at a million songs, some thousands) to sort.
WALK_PER_SONG = 50
PROBE_MINIMUM = 5_000


def _rows(rows, bounds: slice) -> list:
    return list(rows[bounds]) if bounds.stop > bounds.start else []


def search_artists(songs: QuerySet[Song], folder: int | None, query: str, bounds: slice) -> list:
    """A page of subsonic.library.artists() rows: every artist when ``query`` is empty (by key),
    else those whose name contains every word of it, without case (by name)."""
    if not query:
        return _rows(artists(songs).order_by("artist_key"), bounds)
    return folder_artists(folder).containing(_words(query))[bounds]


def search_albums(songs: QuerySet[Song], folder: int | None, query: str, bounds: slice) -> list:
    """A page of subsonic.library.albums() rows: every album when ``query`` is empty (by key),
    else those whose album or artist name contains each word of it (by lower-cased name)."""
    if not query:
        return _rows(albums(songs).order_by("album_key"), bounds)
    if bounds.stop <= bounds.start:
        return []
    keys = folder_albums(folder).containing(_words(query))[bounds]
    rows = {row["album_key"]: row for row in albums(songs.filter(album_key__in=keys))}
    return [rows[key] for key in keys if key in rows]


def search_songs(songs: QuerySet[Song], query: str, bounds: slice) -> list[Song]:
    """A page of ``songs`` loaded for a Child: all of them in id order when ``query`` is empty,
    else those with a word starting with each word of it, by title."""
    if bounds.stop <= bounds.start:
        return []
    if not query:
        return list(child_songs(songs).order_by("id")[bounds])
    words = name_words_query(query)
    if words is None:
        return []
    # The first songs by title, and whether each matches: when enough of them do, the page is
    # among them (every later match sorts after them all).
    walked = max(PROBE_MINIMUM, WALK_PER_SONG * bounds.stop)
    first = list(
        songs.annotate(hit=ExpressionWrapper(Q(search_document=words), BooleanField()))
        .order_by("title", "id")
        .values_list("id", "hit")[:walked]
    )
    hits = [song_id for song_id, hit in first if hit]
    if len(hits) >= bounds.stop or len(first) < walked:  # the page, or every song, was walked
        found = child_songs(songs).in_bulk(hits[bounds])
        return [found[song_id] for song_id in hits[bounds]]
    # Rare, then: sorted after the search index has found them all. Ordered by an expression
    # (in the same order as title) that song_title_id cannot give, or the planner, which cannot
    # tell how many songs a prefix matches, would walk that index through the whole table.
    found = songs.filter(search_document=words).order_by(Concat("title", Value("")), "id")
    return list(child_songs(found)[bounds])


def _words(query: str) -> list[str]:
    return [word.lower() for word in query_words(query)]
