"""Building the 3D map and placing new songs on it."""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import timedelta
from typing import NamedTuple

import numpy as np
from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from pgvector.django import CosineDistance

from explorer.map_file import map_file_write, map_files_delete
from explorer.models import MapPoint, MapVersion, Mix
from explorer.selectors import mix_songs
from neuralnotes.errors import DomainError
from playlists.models import Playlist
from playlists.services import playlist_create
from songs.models import EmbeddingModel, Song
from songs.selectors.similarity import embedding_model_vectors

logger = logging.getLogger(__name__)

# A build still "building" after this long lost its worker; it no longer blocks a new one.
ABANDONED_AFTER = timedelta(hours=2)
PLACEMENT_CANDIDATES = 30
MIX_SIZE = 50  # songs of a mix: its cluster's most typical ones
CATALOGUE_CHUNK = 10_000  # songs whose tags are read at a time to name the clusters
NAMING_SAMPLE = 100_000  # songs the clusters are named from, at most


class MapBuildRefused(DomainError):
    """A map cannot be built now; the message says why. Only the task and the command meet it
    today; an HTTP edge would answer a conflict with the catalogue's state."""

    status = 409
    code = "conflict"


class _Catalogue(NamedTuple):
    """What a map is built from: every analysed song of one embedding model, in id order."""

    ids: list[int]
    vectors: np.ndarray  # (n, d)


class _Naming(NamedTuple):
    """What the clusters are named from, for some of the songs (NAMING_SAMPLE at most)."""

    rows: np.ndarray  # (m,) indices of the songs into the catalogue
    msd_tags: np.ndarray  # (m, 50) MSD_TAGS probabilities; a row of NaN where a song has none
    mtt_tags: np.ndarray  # (m, 50) MTT_TAGS probabilities; NaN rows as above
    genres: list[str]  # a song's genre label, else the genre predicted for it, else ""


def _tag_rows(rows: list[list[float] | None], n_tags: int) -> np.ndarray:
    """(n, n_tags) float32; NaN rows for songs analysed before that tagging model ran."""
    missing = [np.nan] * n_tags
    tags = [row if row and len(row) == n_tags else missing for row in rows]
    return np.array(tags, np.float32).reshape(len(rows), n_tags)


def _active_catalogue(embedding_model: EmbeddingModel) -> _Catalogue:
    ids, vectors = embedding_model_vectors(embedding_model)
    return _Catalogue(ids=ids.tolist(), vectors=vectors)


def _naming(catalogue: _Catalogue, clusters: np.ndarray, seed: int) -> _Naming:
    """The tags and genres of a sample of the songs (all of them up to NAMING_SAMPLE) with at
    least one song of each cluster: a cluster's name is as clear from a hundred thousand songs
    as from a million, whose tags would take gigabytes as Python lists."""
    from ml.tags import MSD_TAGS, MTT_TAGS

    n = len(catalogue.ids)
    rows = np.arange(n)
    if n > NAMING_SAMPLE:
        sample = np.random.default_rng(seed).choice(n, NAMING_SAMPLE, replace=False)
        _, first_of_each = np.unique(clusters, return_index=True)
        rows = np.union1d(sample, first_of_each)
    found: dict[int, tuple] = {}
    for start in range(0, len(rows), CATALOGUE_CHUNK):
        chunk = [catalogue.ids[i] for i in rows[start : start + CATALOGUE_CHUNK]]
        found.update(
            (row[0], row[1:])
            for row in Song.objects.filter(id__in=chunk).values_list(
                "id", "msd_tag_probabilities", "mtt_tag_probabilities", "genre", "predicted_genre"
            )
        )
    songs = [found.get(catalogue.ids[i], (None, None, "", "")) for i in rows]
    return _Naming(
        rows=rows,
        msd_tags=_tag_rows([song[0] for song in songs], len(MSD_TAGS)),
        mtt_tags=_tag_rows([song[1] for song in songs], len(MTT_TAGS)),
        genres=[song[2] or song[3] or "" for song in songs],
    )


def _mixes(
    version: MapVersion, catalogue: _Catalogue, clusters: np.ndarray, seed: int
) -> list[Mix]:
    """One mix per cluster of the map (unsaved): its name, and its most typical songs first."""
    from ml.clusters import name_clusters, typical_order
    from ml.tags import MSD_TAGS, MTT_TAGS

    if not catalogue.ids:
        return []
    naming = _naming(catalogue, clusters, seed)
    names = name_clusters(
        clusters[naming.rows],
        tag_sets=[(naming.msd_tags, MSD_TAGS), (naming.mtt_tags, MTT_TAGS)],
        genres=naming.genres,
    )
    orders = typical_order(catalogue.vectors, clusters)
    return [
        Mix(
            map=version,
            cluster=cluster,
            name=name,
            words=words,
            song_ids=[catalogue.ids[i] for i in order[:MIX_SIZE]],
            cluster_size=len(order),
        )
        for cluster, ((name, words), order) in enumerate(zip(names, orders, strict=True))
        if len(order)
    ]


def map_build(*, method: str | None = None, seed: int | None = None) -> MapVersion:
    """Lay out every analysed song of the active embedding model and make it the active map.

    Only one build runs at a time (a database constraint): a second one is refused with
    MapBuildRefused while the first runs. The old map stays active until the new one is whole."""
    from ml.clusters import cluster_songs
    from ml.projection import layout

    embedding_model = EmbeddingModel.objects.active()
    if embedding_model is None:
        raise MapBuildRefused("No song has been analysed yet, so there is nothing to map.")
    MapVersion.objects.filter(
        state=MapVersion.State.BUILDING, created_at__lt=timezone.now() - ABANDONED_AFTER
    ).update(state=MapVersion.State.FAILED, error="abandoned: its worker stopped")
    method = method or settings.MAP_METHOD
    seed = settings.MAP_SEED if seed is None else seed
    parameters = {
        "seed": seed,
        "perplexity": settings.MAP_PERPLEXITY,
        "max_projected": settings.MAP_MAX_PROJECTED,
    }
    try:
        with transaction.atomic():
            version = MapVersion.objects.create(
                embedding_model=embedding_model, method=method, parameters=parameters
            )
    except IntegrityError as exc:
        raise MapBuildRefused(
            "A map is being built already; this one waits for the next turn."
        ) from exc

    try:
        catalogue = _active_catalogue(embedding_model)
        ids = catalogue.ids
        result = layout(
            catalogue.vectors,
            method=method,
            seed=seed,
            perplexity=settings.MAP_PERPLEXITY,
            max_projected=settings.MAP_MAX_PROJECTED,
        )
        clusters = cluster_songs(catalogue.vectors, seed=seed)
        mixes = _mixes(version, catalogue, clusters, seed)
        MapPoint.objects.bulk_create(
            (
                MapPoint(
                    map=version,
                    song_id=song_id,
                    x=x,
                    y=y,
                    z=z,
                    projected=projected,
                    cluster=cluster,
                )
                for song_id, (x, y, z), projected, cluster in zip(
                    ids,
                    result.coordinates.tolist(),
                    result.projected.tolist(),
                    clusters.tolist(),
                    strict=True,
                )
            ),
            batch_size=5000,
        )
        with transaction.atomic():
            MapVersion.objects.filter(is_active=True).update(is_active=False)
            version.state = MapVersion.State.READY
            version.is_active = True
            version.song_count = len(ids)
            version.trustworthiness = result.trustworthiness
            # The explorer's legend names clusters by their mixes' names (index = cluster).
            names = {mix.cluster: mix.name for mix in mixes}
            version.cluster_names = (
                [names.get(c, f"Cluster {c + 1}") for c in range(int(clusters.max()) + 1)]
                if ids
                else []
            )
            version.finished_at = timezone.now()
            version.save()
            Mix.objects.bulk_create(mixes)
    except Exception as exc:
        MapVersion.objects.filter(id=version.id).update(
            state=MapVersion.State.FAILED, error=str(exc)[:2000]
        )
        raise
    # Written before the first visit asks for it (the view packs the points itself until then).
    map_file_write(version_id=version.id)
    version.refresh_from_db()
    # Older maps are of no further use; their points are most of the table.
    older = MapVersion.objects.filter(
        state__in=[MapVersion.State.READY, MapVersion.State.FAILED]
    ).exclude(id=version.id)
    map_files_delete(older)
    older.delete()
    return version


def song_place_on_map(*, song: Song) -> MapPoint | None:
    """Put a newly analysed song on the active map among its nearest neighbours in the embedding
    space, at once, without recomputing the map. None when there is no map to place it on."""
    from ml.projection import place

    version = MapVersion.objects.select_related("embedding_model").active()
    if version is None:
        return None
    existing = MapPoint.objects.filter(map=version, song=song).first()
    if existing is not None:
        return existing
    space = version.embedding_model.vectors()
    own = space.filter(song=song).first()
    if own is None:
        return None
    neighbours = list(
        space.exclude(song=song)
        .order_by(CosineDistance("vector", own.vector))
        .values_list("song_id", "vector")[:PLACEMENT_CANDIDATES]
    )
    on_map = {
        point.song_id: point
        for point in MapPoint.objects.filter(
            map=version, song_id__in=[sid for sid, _ in neighbours]
        )
    }
    references = [(vector, on_map[sid]) for sid, vector in neighbours if sid in on_map]
    if references:
        coordinates = np.array([[p.x, p.y, p.z] for _, p in references], np.float32)
        vectors = np.stack([np.asarray(v, dtype=np.float32) for v, _ in references])
        x, y, z = place(np.asarray(own.vector, dtype=np.float32)[None], vectors, coordinates)[
            0
        ].tolist()
        cluster = references[0][1].cluster
    else:  # the first song of an empty map
        x = y = z = 0.0
        cluster = None
    point, _ = MapPoint.objects.get_or_create(
        map=version,
        song=song,
        defaults={"x": x, "y": y, "z": z, "projected": False, "cluster": cluster},
    )
    return point


def mixes_songs_forget(*, song_ids: Collection[int]) -> None:
    """Take songs that are being deleted out of the mixes (lists of ids, no foreign key); a mix
    left empty goes."""
    for mix in Mix.objects.select_for_update().filter(song_ids__overlap=list(song_ids)):
        mix.song_ids = [song_id for song_id in mix.song_ids if song_id not in song_ids]
        if mix.song_ids:
            mix.save(update_fields=["song_ids"])
        else:
            mix.delete()


def map_needs_rebuild() -> str | None:
    """Why a full map should be built now, or None: no map yet while songs are analysed, a new
    active embedding model, or too many songs placed rather than laid out."""
    embedding_model = EmbeddingModel.objects.active()
    if embedding_model is None:
        return None
    version = MapVersion.objects.active()
    analysed = embedding_model.vectors().filter(Song.ready_q("song")).count()
    if version is None:
        return "there is no map yet" if analysed else None
    if version.embedding_model_id != embedding_model.id:
        return "the active embedding model changed"
    placed = version.points.filter(projected=False).count()
    total = version.points.count()
    if total and placed / total > settings.MAP_REBUILD_SHARE:
        return f"{placed} of {total} songs were placed after the map was built"
    return None


def mix_save_as_playlist(*, user: User, mix: Mix, name: str | None = None) -> Playlist:
    """A new private playlist of ``user`` with the mix's songs, most typical first: the mix
    changes with the next map, the playlist stays as it is now. ``name``: the mix's if none."""
    return playlist_create(
        owner=user,
        name=name or mix.name,
        description=f"Saved from the mix “{mix.name}” of the map of {mix.map.created_at:%Y-%m-%d}.",
        songs=mix_songs(mix, fields=("id",)),
    )
