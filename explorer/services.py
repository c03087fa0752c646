"""Building the 3D map and placing new songs on it."""

from __future__ import annotations

import logging
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from pgvector.django import CosineDistance

from explorer.models import MapPoint, MapVersion
from songs.models import EmbeddingModel, Song

logger = logging.getLogger(__name__)

# A build still "building" after this long lost its worker; it no longer blocks a new one.
ABANDONED_AFTER = timedelta(hours=2)
PLACEMENT_CANDIDATES = 30


class MapBuildRefused(Exception):
    """A map cannot be built now; the message says why."""


def _active_vectors(model: EmbeddingModel) -> tuple[list[int], np.ndarray, np.ndarray]:
    """Ids, vectors (n, d) and tag probabilities (n, 50) of every analysed song in ``model``."""
    rows = list(
        model.vector_table.objects.filter(model=model, song__status=Song.Status.READY)
        .order_by("song_id")
        .values_list("song_id", "vector", "song__tag_probabilities")
    )
    if not rows:
        return [], np.zeros((0, model.dimension), np.float32), np.zeros((0, 50), np.float32)
    ids = [song_id for song_id, _, _ in rows]
    vectors = np.stack([np.asarray(vector, dtype=np.float32) for _, vector, _ in rows])
    tags = np.array([t or [0.0] * 50 for _, _, t in rows], dtype=np.float32)
    return ids, vectors, tags


def map_build(*, method: str | None = None, seed: int | None = None) -> MapVersion:
    """Lay out every analysed song of the active embedding model and make it the active map.

    Only one build runs at a time (a database constraint): a second one is refused with
    MapBuildRefused while the first runs. The old map stays active until the new one is whole."""
    from ml.backbone import MSD_TAGS
    from ml.clusters import cluster_songs, describe_clusters
    from ml.projection import layout

    model = EmbeddingModel.objects.filter(is_active=True).first()
    if model is None:
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
                embedding_model=model, method=method, parameters=parameters
            )
    except IntegrityError as exc:
        raise MapBuildRefused(
            "A map is being built already; this one waits for the next turn."
        ) from exc

    try:
        ids, vectors, tags = _active_vectors(model)
        result = layout(
            vectors,
            method=method,
            seed=seed,
            perplexity=settings.MAP_PERPLEXITY,
            max_projected=settings.MAP_MAX_PROJECTED,
        )
        clusters = cluster_songs(vectors, seed=seed)
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
            version.cluster_names = describe_clusters(clusters, tags, list(MSD_TAGS)) if ids else []
            version.finished_at = timezone.now()
            version.save()
    except Exception as exc:
        MapVersion.objects.filter(id=version.id).update(
            state=MapVersion.State.FAILED, error=str(exc)[:2000]
        )
        raise
    # Older maps are of no further use; their points are most of the table.
    MapVersion.objects.filter(state__in=[MapVersion.State.READY, MapVersion.State.FAILED]).exclude(
        id=version.id
    ).delete()
    return version


def song_place_on_map(*, song: Song) -> MapPoint | None:
    """Put a newly analysed song on the active map among its nearest neighbours in the embedding
    space, at once, without recomputing the map. None when there is no map to place it on."""
    from ml.projection import place

    version = MapVersion.objects.filter(is_active=True).select_related("embedding_model").first()
    if version is None:
        return None
    existing = MapPoint.objects.filter(map=version, song=song).first()
    if existing is not None:
        return existing
    table = version.embedding_model.vector_table
    own = table.objects.filter(model=version.embedding_model, song=song).first()
    if own is None:
        return None
    neighbours = list(
        table.objects.filter(model=version.embedding_model)
        .exclude(song=song)
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


def map_needs_rebuild() -> str | None:
    """Why a full map should be built now, or None: no map yet while songs are analysed, a new
    active embedding model, or too many songs placed rather than laid out."""
    model = EmbeddingModel.objects.filter(is_active=True).first()
    if model is None:
        return None
    version = MapVersion.objects.filter(is_active=True).first()
    analysed = model.vector_table.objects.filter(
        model=model, song__status=Song.Status.READY
    ).count()
    if version is None:
        return "there is no map yet" if analysed else None
    if version.embedding_model_id != model.id:
        return "the active embedding model changed"
    placed = version.points.filter(projected=False).count()
    total = version.points.count()
    if total and placed / total > settings.MAP_REBUILD_SHARE:
        return f"{placed} of {total} songs were placed after the map was built"
    return None
