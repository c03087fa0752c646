"""The active map, packed for the browser (100,000 songs in about 1.2 MB), and its mixes."""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence

import numpy as np
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet

from explorer.models import MapPoint, MapVersion, Mix
from songs.models import Song
from songs.selectors.catalogue import SONG_LIST_FIELDS

NO_INDEX = 255  # in the genre and cluster arrays: the song has none
COORDINATE_SCALE = 32767  # coordinates in [-1, 1] are sent as int16


def active_map() -> MapVersion | None:
    return MapVersion.objects.select_related("embedding_model").active()


def map_etag(version: MapVersion) -> str:
    """Changes whenever a point is added to or removed from the map (or the map is replaced)."""
    summary = version.points.aggregate(n=Count("id"), last=Max("id"))
    return f'"map-{version.id}-{summary["n"]}-{summary["last"] or 0}"'


def map_summary(version: MapVersion) -> dict:
    counts = version.points.aggregate(
        total=Count("id"), placed=Count("id", filter=Q(projected=False))
    )
    return {
        "id": version.id,
        "method": version.method,
        "parameters": version.parameters,
        "embedding_model": version.embedding_model.name,
        "songs": counts["total"],
        "placed_since_built": counts["placed"],
        "trustworthiness": version.trustworthiness,
        "created_at": version.created_at.isoformat(),
        "clusters": version.cluster_names,
    }


def map_points_packed(version: MapVersion) -> bytes:
    """The map as one binary message, little-endian:

        uint32 header_length | header (UTF-8 JSON, padded with spaces to a multiple of 4) |
        int32 song_id[n] | int16 xyz[3n] (coordinate * 32767) | uint8 genre[n] | uint8 cluster[n]

    The header holds n, the map's summary, and the genre names the genre indices point into
    (a song's own genre label, else the genre the genre model predicted; 255: none)."""
    rows = list(
        MapPoint.objects.filter(map=version)
        .order_by("song_id")
        .values_list("song_id", "x", "y", "z", "cluster", "song__genre", "song__predicted_genre")
    )
    genres = sorted({own or predicted for *_, own, predicted in rows if own or predicted})[
        :NO_INDEX
    ]
    genre_index = {genre: i for i, genre in enumerate(genres)}
    n = len(rows)
    ids = np.fromiter((r[0] for r in rows), np.int32, n)
    xyz = np.array([r[1:4] for r in rows], np.float32).reshape(n, 3)
    coordinates = np.round(np.clip(xyz, -1, 1) * COORDINATE_SCALE).astype("<i2")
    genre = np.fromiter((genre_index.get(r[5] or r[6], NO_INDEX) for r in rows), np.uint8, n)
    cluster = np.fromiter(
        (NO_INDEX if r[4] is None else min(r[4], NO_INDEX) for r in rows), np.uint8, n
    )
    header = json.dumps({"count": n, "genres": genres, "map": map_summary(version)}).encode()
    header += b" " * (-len(header) % 4)
    return b"".join(
        [struct.pack("<I", len(header)), header, ids.astype("<i4").tobytes(), coordinates.tobytes(),
         genre.tobytes(), cluster.tobytes()]
    )  # fmt: skip


def mixes_active() -> QuerySet[Mix]:
    """The mixes of the active map, by cluster. A mix of an older map is none of them: its
    songs were chosen from a layout the explorer no longer shows."""
    return Mix.objects.filter(map__is_active=True).order_by("cluster")


def mixes_songs(
    mixes: Sequence[Mix], *, fields: Sequence[str] = SONG_LIST_FIELDS
) -> dict[int, list[Song]]:
    """Each mix's songs (by mix id) in the mix's order, the most typical first: only those still
    in the catalogue and analysed. One query for all of them, with ``fields`` loaded."""
    wanted = {song_id for mix in mixes for song_id in mix.song_ids}
    songs = Song.objects.ready().only(*fields).in_bulk(wanted)
    return {mix.id: [songs[i] for i in mix.song_ids if i in songs] for mix in mixes}


def mix_songs(mix: Mix, *, fields: Sequence[str] = SONG_LIST_FIELDS) -> list[Song]:
    """The mix's still-existing analysed songs, the most typical first."""
    return mixes_songs([mix], fields=fields)[mix.id]


def songs_missing_from_map(*, limit: int) -> list[int]:
    """Ready songs of the active map's embedding model that have no point on it (at most
    ``limit``, oldest first): a placement lost with the broker, whose task was never queued."""
    version = MapVersion.objects.select_related("embedding_model").active()
    if version is None:
        return []
    embedding_model = version.embedding_model
    on_map = MapPoint.objects.filter(map=version, song_id=OuterRef("song_id"))
    return list(
        embedding_model.vectors()
        .filter(Song.ready_q("song"))
        .exclude(Exists(on_map))
        .order_by("song_id")
        .values_list("song_id", flat=True)[:limit]
    )
