"""Embedding model versions and the vectors they give each song.

What analysis found is kept on the song (its descriptor, and the MSD model's features); every
EmbeddingModel turns that into a vector of its own: the descriptor in a space fitted on the
catalogue, the standardised MSD features, or a genre head's bottleneck. A new version is filled
in for the whole catalogue while the old one stays active, then activated in one transaction, so
search and the map never see a half-filled space.

Statistics fitted on the catalogue follow it: when the songs they were fitted on have changed by
EMBEDDING_REFIT_SHARE, embedding_refit fits a new version by itself (songs.tasks.refit_embedding,
after the first songs and every minute from beat), never on the demo once there are real songs.
"""

from __future__ import annotations

import functools
import io
import logging
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from ml.descriptor import DescriptorSpace, embed, fit_space
from neuralnotes.errors import DomainError
from songs.models import EmbeddingModel, Song
from songs.models.catalogue import BACKBONE_DIM
from songs.services.demo import demo_songs

logger = logging.getLogger(__name__)

EMBED_CHUNK = 1000
# A refit still "embedding" after this long lost its worker: it no longer blocks the next one.
FIT_ABANDONED_AFTER = timedelta(hours=2)


class EmbeddingModelError(DomainError, ValueError):
    """An embedding model cannot be made or activated; the message says why."""


def analysed_features(songs=None) -> tuple[list[int], np.ndarray]:
    """Ids and raw features (n, 200) of analysed songs (all of them, or of the queryset given)."""
    songs = Song.objects.ready().filter(features__isnull=False) if songs is None else songs
    return _inputs(songs, "features")


def _inputs(songs, field: str) -> tuple[list[int], np.ndarray]:
    rows = list(songs.order_by("id").values_list("id", field))
    if not rows:
        return [], np.zeros((0, BACKBONE_DIM), np.float32)
    return [song_id for song_id, _ in rows], np.stack([np.asarray(f) for _, f in rows])


@functools.lru_cache(maxsize=4)
def _head_for(model_id: int, weights_name: str):
    from ml.head import load_head  # lazy: TensorFlow stays out of web processes

    with default_storage.open(weights_name) as stored, tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "head.keras"
        path.write_bytes(stored.read())
        return load_head(path)


@functools.lru_cache(maxsize=4)
def _space_for(model_id: int, weights_name: str):
    with default_storage.open(weights_name) as stored:
        saved = np.load(io.BytesIO(stored.read()))
    return DescriptorSpace(mean=saved["mean"], scale=saved["scale"], projection=saved["projection"])


def vectors_for(
    embedding_model: EmbeddingModel, inputs: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None]:
    """The model's vectors for (n, d) inputs (its ``input_field`` of n songs), and for genre
    heads the genre probabilities (n, n_genres) as well."""
    from ml.backbone import standardise  # lazy: TensorFlow stays out of web processes

    inputs = np.asarray(inputs, dtype=np.float32)
    if embedding_model.kind == EmbeddingModel.Kind.DESCRIPTOR:
        return embed(inputs, _space_for(embedding_model.id, embedding_model.weights.name)), None
    mean = np.asarray(embedding_model.feature_mean, dtype=np.float32)
    z = standardise(inputs, mean, np.asarray(embedding_model.feature_std, dtype=np.float32))
    if embedding_model.kind == EmbeddingModel.Kind.BACKBONE:
        return z, None
    from ml.head import predict_head  # lazy: TensorFlow stays out of web processes

    probabilities, embedding = predict_head(
        _head_for(embedding_model.id, embedding_model.weights.name), z
    )
    return embedding, probabilities


def model_input(embedding_model: EmbeddingModel, analysis) -> np.ndarray | None:
    """What ``embedding_model`` makes a vector from, out of an ml.analysis.SongAnalysis."""
    return (
        analysis.descriptor if embedding_model.input_field == "descriptor" else analysis.embedding
    )


def _write_vectors(
    embedding_model: EmbeddingModel, song_ids: list[int], vectors: np.ndarray
) -> None:
    table = embedding_model.vector_table
    table.objects.bulk_create(
        [
            table(model=embedding_model, song_id=sid, vector=v)
            for sid, v in zip(song_ids, vectors, strict=True)
        ],
        update_conflicts=True,
        unique_fields=["model", "song"],
        update_fields=["vector"],
    )


def genre_source_model() -> EmbeddingModel | None:
    """The head whose predictions label songs: the active one, else the newest ready one."""
    heads = EmbeddingModel.objects.filter(kind=EmbeddingModel.Kind.GENRE_HEAD)
    return heads.active() or heads.filter(state="ready").first()


def song_embed(*, song: Song) -> None:
    """Write the song's vector for every embedding model it has the input of, and its predicted
    genre."""
    labeller = genre_source_model()
    for embedding_model in EmbeddingModel.objects.all():
        inputs = getattr(song, embedding_model.input_field)
        if inputs is None:
            continue  # analysed before descriptors existed: see complete_analysis
        vectors, probabilities = vectors_for(embedding_model, np.asarray(inputs)[None])
        _write_vectors(embedding_model, [song.id], vectors)
        if labeller is not None and embedding_model.id == labeller.id:
            _set_predicted_genre(song, embedding_model, probabilities[0])
            song.save(update_fields=["predicted_genre", "predicted_genre_probability"])


def embedding_model_fill(*, embedding_model: EmbeddingModel) -> EmbeddingModel:
    """Write the model's vectors for every analysed song, then mark it ready.

    Songs analysed meanwhile get their vectors from song_embed, which covers models being filled.
    """
    field = embedding_model.input_field
    songs = Song.objects.ready().filter(**{f"{field}__isnull": False})
    songs = songs.order_by("id")
    labels_head = (
        embedding_model.kind == EmbeddingModel.Kind.GENRE_HEAD
        and genre_source_model()
        in (
            None,
            embedding_model,
        )
    )
    last_id = 0
    while chunk := list(songs.filter(id__gt=last_id).values_list("id", field)[:EMBED_CHUNK]):
        ids = [song_id for song_id, _ in chunk]
        vectors, probabilities = vectors_for(embedding_model, np.stack([f for _, f in chunk]))
        with transaction.atomic():
            _write_vectors(embedding_model, ids, vectors)
            if labels_head:
                _label_songs(embedding_model, ids, probabilities)
        last_id = ids[-1]
    embedding_model.state = EmbeddingModel.State.READY
    embedding_model.save(update_fields=["state"])
    return embedding_model


def _set_predicted_genre(
    song: Song, embedding_model: EmbeddingModel, probabilities: np.ndarray
) -> None:
    """The most probable of a genre head's genres, from its (n_genres,) probabilities."""
    best = int(probabilities.argmax())
    song.predicted_genre = embedding_model.genres[best]
    song.predicted_genre_probability = float(probabilities[best])


def _label_songs(
    embedding_model: EmbeddingModel, song_ids: list[int], probabilities: np.ndarray
) -> None:
    songs = Song.objects.in_bulk(song_ids)
    for song_id, row in zip(song_ids, probabilities, strict=True):
        _set_predicted_genre(songs[song_id], embedding_model, row)
    Song.objects.bulk_update(songs.values(), ["predicted_genre", "predicted_genre_probability"])


@transaction.atomic
def embedding_model_activate(*, embedding_model: EmbeddingModel) -> EmbeddingModel:
    """Make ``embedding_model`` the one that search and the map use."""
    embedding_model = EmbeddingModel.objects.select_for_update().get(id=embedding_model.id)
    if embedding_model.state != EmbeddingModel.State.READY:
        raise EmbeddingModelError(
            f"{embedding_model.name} is still being filled in; activate it when ready."
        )
    EmbeddingModel.objects.filter(is_active=True).exclude(id=embedding_model.id).update(
        is_active=False
    )
    embedding_model.is_active = True
    embedding_model.save(update_fields=["is_active"])
    return embedding_model


def backbone_model_ensure() -> EmbeddingModel:
    """The raw backbone model (the songs' MSD features as they are), made on the first analysed
    song. It is active until there are enough songs to fit statistics on (embedding_refit), and
    is kept after that: near-duplicates are found in its space (songs.services.duplicates)."""
    embedding_model = EmbeddingModel.objects.filter(
        kind=EmbeddingModel.Kind.BACKBONE, is_fitted=False
    ).first()
    if embedding_model is not None:
        return embedding_model
    with transaction.atomic():
        embedding_model, created = EmbeddingModel.objects.get_or_create(
            name="musicnn-msd-raw",
            defaults={
                "kind": EmbeddingModel.Kind.BACKBONE,
                "feature_mean": [0.0] * BACKBONE_DIM,
                "feature_std": [1.0] * BACKBONE_DIM,
                "state": EmbeddingModel.State.READY,
            },
        )
        if created and EmbeddingModel.objects.active() is None:
            embedding_model.is_active = True
            embedding_model.save(update_fields=["is_active"])
    return embedding_model


def catalogue_fits() -> QuerySet[EmbeddingModel]:
    """Versions whose statistics were fitted on the catalogue by embedding_refit (not the raw
    model, not the genre heads that staff train), newest first."""
    return (
        EmbeddingModel.objects.filter(is_fitted=True)
        .exclude(kind=EmbeddingModel.Kind.GENRE_HEAD)
        .order_by("-fitted_at", "-id")
    )


def fitted_kind() -> str:
    """The kind a new fit is of: descriptor once every analysed song has its descriptor; before
    (a catalogue analysed by an older version, until complete_analysis has run), backbone."""
    lacking = Song.objects.ready().filter(descriptor__isnull=True)
    return EmbeddingModel.Kind.BACKBONE if lacking.exists() else EmbeddingModel.Kind.DESCRIPTOR


def songs_to_fit_on(*, kind: str) -> QuerySet[Song]:
    """The songs a new version of ``kind`` is fitted on: the analysed songs that have its input,
    less the demo catalogue's once there are STANDARDISE_AFTER_SONGS others (a real library is
    never shaped by synthetic songs; the demo alone may shape itself)."""
    field = EmbeddingModel.input_field_of(kind)
    analysed = Song.objects.ready().filter(**{f"{field}__isnull": False})
    real = analysed.exclude(id__in=demo_songs())
    return real if real.count() >= settings.STANDARDISE_AFTER_SONGS else analysed


def embedding_refit_reason() -> str | None:
    """Why the catalogue's statistics should be fitted again now, or None.

    - none are fitted yet and STANDARDISE_AFTER_SONGS songs are analysed;
    - every song has a descriptor now and the statistics are of the older backbone kind;
    - the songs to fit on changed (added since the fit, or gone) by EMBEDDING_REFIT_SHARE of the
      songs the fit was made on, and no batch that large is still being analysed (a large
      import is fitted on once, when it is done, not at every step).
    """
    kind = fitted_kind()
    songs = songs_to_fit_on(kind=kind)
    count = songs.count()
    if count < settings.STANDARDISE_AFTER_SONGS:
        return None
    fit = catalogue_fits().filter(state=EmbeddingModel.State.READY).first()
    if fit is None:
        return f"{count} songs are analysed and no statistics are fitted yet"
    if fit.kind != kind:
        return "every song has its descriptor now"
    added = songs.filter(analysed_at__gt=fit.fitted_at).count()
    gone = max(0, fit.fitted_on_songs - (count - added))
    share = settings.EMBEDDING_REFIT_SHARE
    if added + gone < share * fit.fitted_on_songs:
        return None
    waiting = Song.objects.filter(status__in=[Song.Status.PENDING, Song.Status.PROCESSING])
    if waiting.count() >= share * fit.fitted_on_songs:
        return None
    return (
        f"{added} songs were added and {gone} removed since {fit.name} was fitted on "
        f"{fit.fitted_on_songs}"
    )


def embedding_refit() -> EmbeddingModel | None:
    """Fit the statistics again on the catalogue if embedding_refit_reason says so: a new
    version, filled in for every song while the old one keeps answering, then made active in
    one transaction (unless a genre head, chosen by staff, is active). None when no refit was
    due, or another worker is refitting."""
    reason = embedding_refit_reason()
    if reason is None:
        return None
    EmbeddingModel.objects.filter(
        state=EmbeddingModel.State.EMBEDDING,
        is_fitted=True,
        created_at__lt=timezone.now() - FIT_ABANDONED_AFTER,
    ).exclude(kind=EmbeddingModel.Kind.GENRE_HEAD).delete()
    kind = fitted_kind()
    songs = songs_to_fit_on(kind=kind)
    fitted_at = timezone.now()  # songs analysed from now on count as added
    _, inputs = _inputs(songs, EmbeddingModel.input_field_of(kind))
    mean, std, space = _fit(kind, inputs)
    try:
        with transaction.atomic():
            embedding_model = EmbeddingModel.objects.create(
                kind=kind,
                name=f"fitting-{uuid.uuid4().hex}",
                feature_mean=mean.tolist(),
                feature_std=std.tolist(),
                fitted_on_songs=len(inputs),
                fitted_at=fitted_at,
                metrics={"reason": reason, "demo_left_out": _demo_left_out(songs)},
            )
    except IntegrityError:
        return None  # another worker is refitting
    embedding_model.name = f"musicnn-{kind}-v{embedding_model.id}"
    embedding_model.save(update_fields=["name"])
    if space is not None:
        _save_space(embedding_model, space)
    embedding_model_fill(embedding_model=embedding_model)
    active = EmbeddingModel.objects.active()
    if active is None or active.kind != EmbeddingModel.Kind.GENRE_HEAD:
        embedding_model = embedding_model_activate(embedding_model=embedding_model)
    logger.info(
        "embedding statistics refitted",
        extra={"model": embedding_model.name, "songs": len(inputs), "reason": reason},
    )
    return embedding_model


def _demo_left_out(songs: QuerySet[Song]) -> bool:
    return demo_songs().exists() and not songs.filter(id__in=demo_songs()).exists()


def _fit(kind: str, inputs: np.ndarray):
    """(mean, std, descriptor space or None) fitted on (n, d) inputs."""
    from ml.backbone import fit_standardisation  # lazy: TensorFlow stays out of web processes

    if kind == EmbeddingModel.Kind.BACKBONE:
        return *fit_standardisation(inputs), None
    space = fit_space(inputs)
    return space.mean, space.scale, space


def _save_space(embedding_model: EmbeddingModel, space) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, mean=space.mean, scale=space.scale, projection=space.projection)
    embedding_model.weights.save(
        f"models/{embedding_model.name}.npz", ContentFile(buffer.getvalue()), save=False
    )
    embedding_model.save(update_fields=["weights"])


def superseded_fits_prune() -> int:
    """Delete the catalogue fits that nothing uses any more (not active, no map drawn from
    them, not the newest): each keeps a vector per song, and song_embed writes to all of them."""
    newest = catalogue_fits().filter(state=EmbeddingModel.State.READY).first()
    unused = catalogue_fits().filter(
        state=EmbeddingModel.State.READY, is_active=False, maps__isnull=True
    )
    if newest is not None:
        unused = unused.exclude(id=newest.id)
    doomed = {
        embedding_model.id: embedding_model.weights.name
        for embedding_model in unused.only("id", "weights")
    }
    EmbeddingModel.objects.filter(id__in=doomed).delete()
    for name in filter(None, doomed.values()):
        default_storage.delete(name)
    return len(doomed)


def save_head_weights(embedding_model: EmbeddingModel, keras_model) -> None:
    from ml.head import save_head  # lazy: TensorFlow stays out of web processes

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "head.keras"
        save_head(keras_model, path)
        with path.open("rb") as handle:
            embedding_model.weights.save(
                f"models/{embedding_model.name}.keras", File(handle), save=False
            )
    embedding_model.save(update_fields=["weights"])
