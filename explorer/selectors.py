"""The active map, packed for the browser (100,000 songs in about 1.2 MB), and its mixes."""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence

import numpy as np
from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet

from explorer.models import MapPoint, MapVersion, Mix
from neuralnotes.binary_copy import copy_rows, float4, int2, int4
from songs.models import Song
from songs.selectors.catalogue import SONG_LIST_FIELDS

NO_INDEX = 255  # in the genre and cluster arrays: the song has none
COORDINATE_SCALE = 32767  # coordinates in [-1, 1] are sent as int16
MAP_LAYOUT = "b2"  # of map_points_packed's message: 2, blocks of points in a random order
# Points per block; the first block is what a browser draws while the rest arrive (main.js).
MAP_BLOCK = 32_768


def active_map() -> MapVersion | None:
    return MapVersion.objects.select_related("embedding_model").active()


def map_points_summary(version: MapVersion) -> str:
    """What the map's points are now and how they are packed, cheaply: "<layout>-<number>-<newest
    id>". A placement adds a point with a higher id, a deleted song takes its point away; either
    changes this, and so does a new MAP_LAYOUT (files of the old one are then written again)."""
    summary = version.points.aggregate(n=Count("id"), last=Max("id"))
    return f"{MAP_LAYOUT}-{summary['n']}-{summary['last'] or 0}"


def map_etag(version: MapVersion) -> str:
    """Changes whenever a point is added to or removed from the map (or the map is replaced)."""
    return f'"map-{version.id}-{map_points_summary(version)}"'


def map_points_version(version: MapVersion) -> str | None:
    """The version of the map's stored points, as their address names it (?v=: their ETag
    without quotes), or None while they have no file."""
    return version.points_etag.strip('"') or None


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
        blocks of MAP_BLOCK points (the last one shorter), each
            int32 song_id[m] | int16 xyz[3m] (coordinate * 32767) | uint8 genre[m] |
            uint8 cluster[m]

    The header holds n, the block size, the map's summary, and the genre names the genre
    indices point into (a song's own genre label, else the genre the genre model predicted;
    255: none). The points are in a random order (seeded by the version: the same points give
    the same bytes), so that every prefix of the message is an even sample of the map: a
    browser draws the first blocks while the rest arrive, and a subset while the camera moves.
    Blocks keep each field in a run of its own, which compresses better than whole records."""
    genres = _map_genres(version)
    rows = _map_rows(version, genres)
    n = len(rows)
    rows = rows[np.random.default_rng(version.id).permutation(n)]
    xyz = np.stack([rows["x"], rows["y"], rows["z"]], axis=1).astype(np.float32)
    coordinates = np.round(np.clip(xyz, -1, 1) * COORDINATE_SCALE).astype("<i2")
    header = json.dumps(
        {"count": n, "block": MAP_BLOCK, "genres": genres, "map": map_summary(version)}
    ).encode()
    header += b" " * (-len(header) % 4)
    parts = [struct.pack("<I", len(header)), header]
    for start in range(0, n, MAP_BLOCK):
        block = slice(start, start + MAP_BLOCK)
        parts += [rows["id"][block].astype("<i4").tobytes(), coordinates[block].tobytes(),
                  rows["genre"][block].astype(np.uint8).tobytes(),
                  rows["cluster"][block].astype(np.uint8).tobytes()]  # fmt: skip
    return b"".join(parts)


# A point's genre: its song's own label, else the genre predicted for it; NULL when neither.
_POINT_GENRE = "COALESCE(NULLIF(s.genre, ''), NULLIF(s.predicted_genre, ''))"
_POINTS_OF_MAP = (
    f"FROM {MapPoint._meta.db_table} p JOIN {Song._meta.db_table} s ON s.id = p.song_id "
    "WHERE p.map_id = %s"
)


def _map_genres(version: MapVersion) -> list[str]:
    """The genres of the map's songs, sorted (at most 255: the index is a byte)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT {_POINT_GENRE} {_POINTS_OF_MAP}", [version.id])
        return sorted(genre for (genre,) in cursor.fetchall() if genre)[:NO_INDEX]


def _map_rows(version: MapVersion, genres: list[str]) -> np.ndarray:
    """Every point of the map in song id order as a structured array (id, x, y, z, genre index,
    cluster; 255 for none), read with one binary COPY (neuralnotes.binary_copy): at a million
    points, building a Python tuple per row took most of the seconds the map cost."""
    return copy_rows(
        "SELECT p.song_id::int4, p.x::float4, p.y::float4, p.z::float4, "
        f"COALESCE(array_position(%s::text[], {_POINT_GENRE}) - 1, {NO_INDEX})::int2, "
        f"LEAST(COALESCE(p.cluster, {NO_INDEX}), {NO_INDEX})::int2 "
        f"{_POINTS_OF_MAP} ORDER BY p.song_id",
        [genres, version.id],
        [int4("id"), float4("x"), float4("y"), float4("z"), int2("genre"), int2("cluster")],
    )


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
