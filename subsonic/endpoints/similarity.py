"""Similar songs and sonic paths: the platform's own similarity (the active embedding model,
searched through pgvector exactly as the explorer and the REST API do), never a second copy.

The sonicSimilarity extension answers a top-level ``sonicMatch`` array of ``{entry, similarity}``,
``entry`` a Child and ``similarity`` normalised to [0, 1] (1 the same song, 0 the most
different). Cosine distance lies in [0, 2], so similarity is 1 minus half of it.
"""

from __future__ import annotations

from django.db.models import Subquery
from pgvector.django import CosineDistance

from playlists.selectors import songs_path_between
from songs.models import Song
from songs.selectors.similarity import active_embedding_model, songs_similar_to
from subsonic.library import (
    ALBUM_PREFIX,
    ARTIST_PREFIX,
    CHILD_FIELDS,
    key_from_id,
    library_songs,
    song_by_id,
    song_children,
)
from subsonic.protocol import SubsonicError
from subsonic.registry import Call, endpoint

MAX_COUNT = 500


def _similarity(distance: float) -> float:
    """The spec's similarity of a cosine distance: 1 the same direction, 0 the opposite."""
    return round(1 - min(max(float(distance) / 2, 0.0), 1.0), 6)


def _sonic_matches(call: Call, scored: list[tuple]) -> list[dict]:
    """``sonicMatch`` items for (song, cosine distance) pairs, in their order."""
    children = song_children(call.user, [song for song, _ in scored])
    return [
        {"entry": child, "similarity": _similarity(distance)}
        for child, (_, distance) in zip(children, scored, strict=True)
    ]


def _similar_songs(call: Call) -> list[dict]:
    """Songs that sound like the song (for an artist or album id: like its first song)."""
    raw = call.params.required("id")
    count = call.params.integer("count", 50, minimum=1, maximum=MAX_COUNT)
    if raw.startswith(ARTIST_PREFIX):
        seeds = library_songs().filter(artist_key=key_from_id(raw, ARTIST_PREFIX, "Artist"))
    elif raw.startswith(ALBUM_PREFIX):
        seeds = library_songs().filter(album_key=key_from_id(raw, ALBUM_PREFIX, "Album"))
    elif raw.isdigit():
        seeds = library_songs().filter(id=int(raw))
    else:
        seeds = Song.objects.none()
    first = seeds.only("id").order_by("id").first()  # the search needs its id, nothing more
    if first is None:
        raise SubsonicError(SubsonicError.NOT_FOUND, "Not found.")
    similar = songs_similar_to(song=first, k=count, fields=CHILD_FIELDS)
    return song_children(call.user, [song for song, _ in similar])


@endpoint("getSimilarSongs")
def get_similar_songs(call: Call) -> dict:
    return {"similarSongs": {"song": _similar_songs(call)}}


@endpoint("getSimilarSongs2")
def get_similar_songs2(call: Call) -> dict:
    return {"similarSongs2": {"song": _similar_songs(call)}}


@endpoint("getSonicSimilarTracks")
def get_sonic_similar_tracks(call: Call) -> dict:
    song = song_by_id(call.params.required("id"), fields=("id",))  # the search needs no more
    count = call.params.integer("count", 10, minimum=1, maximum=MAX_COUNT)
    similar = songs_similar_to(song=song, k=count, fields=CHILD_FIELDS)
    return {"sonicMatch": _sonic_matches(call, similar)}


@endpoint("findSonicPath")
def find_sonic_path(call: Call) -> dict:
    """A path from the start song to the end song through the embedding space (the playlists'
    path between two songs); each song's similarity is to the start song."""
    start = song_by_id(call.params.required("startSongId"))
    end = song_by_id(call.params.required("endSongId"))
    count = call.params.integer("count", 25, minimum=2, maximum=MAX_COUNT)
    path = songs_path_between(start=start, end=end, length=count)
    embedding_model = active_embedding_model()
    distances = {start.id: 0.0}
    if embedding_model is not None and path:
        own = embedding_model.vectors().filter(song_id=start.id).values("vector")[:1]
        distances.update(
            embedding_model.vectors()
            .filter(song_id__in=[s.id for s in path])
            .annotate(distance=CosineDistance("vector", Subquery(own)))
            .values_list("song_id", "distance")
        )
    scored = [(song, distances[song.id]) for song in path]  # the path walks vectors
    return {"sonicMatch": _sonic_matches(call, scored)}


@endpoint("getSong")
def get_song(call: Call) -> dict:
    song = song_by_id(call.params.required("id"))
    return {"song": song_children(call.user, [song])[0]}
