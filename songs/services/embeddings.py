"""Embedding model versions and the vectors they give each song.

The backbone's raw features are kept on the song; every EmbeddingModel turns them into a vector of
its own (standardised backbone features, or a genre head's bottleneck). A new version is filled in
for the whole catalogue while the old one stays active, then activated in one transaction, so
search and the map never see a half-filled space.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import numpy as np
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction

from songs.models import EmbeddingModel, Song
from songs.models.catalogue import BACKBONE_DIM

EMBED_CHUNK = 1000


class EmbeddingModelError(ValueError):
    """An embedding model cannot be made or activated; the message says why."""


def standardised(features: np.ndarray, model: EmbeddingModel) -> np.ndarray:
    """(n, 200) raw backbone features -> (n, 200) float32 z-scores with the model's statistics."""
    from ml.backbone import standardise

    return standardise(
        np.asarray(features, dtype=np.float32),
        np.asarray(model.feature_mean, dtype=np.float32),
        np.asarray(model.feature_std, dtype=np.float32),
    )


def analysed_features(songs=None) -> tuple[list[int], np.ndarray]:
    """Ids and raw features (n, 200) of analysed songs (all of them, or of the queryset given)."""
    songs = (
        Song.objects.filter(status=Song.Status.READY, features__isnull=False)
        if songs is None
        else songs
    )
    rows = list(songs.order_by("id").values_list("id", "features"))
    if not rows:
        return [], np.zeros((0, BACKBONE_DIM), np.float32)
    return [song_id for song_id, _ in rows], np.stack([np.asarray(f) for _, f in rows])


@functools.lru_cache(maxsize=4)
def _head_for(model_id: int, weights_name: str):
    from ml.head import load_head

    with default_storage.open(weights_name) as stored, tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "head.keras"
        path.write_bytes(stored.read())
        return load_head(path)


def vectors_for(
    model: EmbeddingModel, features: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None]:
    """The model's vectors for (n, 200) raw features, and for genre heads the genre
    probabilities (n, n_genres) as well."""
    z = standardised(features, model)
    if model.kind == EmbeddingModel.Kind.BACKBONE:
        return z, None
    from ml.head import predict_head

    probabilities, embedding = predict_head(_head_for(model.id, model.weights.name), z)
    return embedding, probabilities


def _write_vectors(model: EmbeddingModel, song_ids: list[int], vectors: np.ndarray) -> None:
    table = model.vector_table
    table.objects.bulk_create(
        [
            table(model=model, song_id=sid, vector=v)
            for sid, v in zip(song_ids, vectors, strict=True)
        ],
        update_conflicts=True,
        unique_fields=["model", "song"],
        update_fields=["vector"],
    )


def genre_source_model() -> EmbeddingModel | None:
    """The head whose predictions label songs: the active one, else the newest ready one."""
    heads = EmbeddingModel.objects.filter(kind=EmbeddingModel.Kind.GENRE_HEAD)
    return heads.filter(is_active=True).first() or heads.filter(state="ready").first()


def song_embed(*, song: Song) -> None:
    """Write the song's vector for every embedding model, and its predicted genre."""
    features = np.asarray(song.features, dtype=np.float32)[None]
    labeller = genre_source_model()
    for model in EmbeddingModel.objects.all():
        vectors, probabilities = vectors_for(model, features)
        _write_vectors(model, [song.id], vectors)
        if labeller is not None and model.id == labeller.id:
            _set_predicted_genre(song, model, probabilities[0])
            song.save(update_fields=["predicted_genre", "predicted_genre_probability"])


def embedding_model_fill(*, model: EmbeddingModel) -> EmbeddingModel:
    """Write the model's vectors for every analysed song, then mark it ready.

    Songs analysed meanwhile get their vectors from song_embed, which covers models being filled.
    """
    songs = Song.objects.filter(status=Song.Status.READY, features__isnull=False).order_by("id")
    labels_head = model.kind == EmbeddingModel.Kind.GENRE_HEAD and genre_source_model() in (
        None,
        model,
    )
    last_id = 0
    while chunk := list(songs.filter(id__gt=last_id).values_list("id", "features")[:EMBED_CHUNK]):
        ids = [song_id for song_id, _ in chunk]
        vectors, probabilities = vectors_for(model, np.stack([f for _, f in chunk]))
        with transaction.atomic():
            _write_vectors(model, ids, vectors)
            if labels_head:
                _label_songs(model, ids, probabilities)
        last_id = ids[-1]
    model.state = EmbeddingModel.State.READY
    model.save(update_fields=["state"])
    return model


def _set_predicted_genre(song: Song, model: EmbeddingModel, probabilities: np.ndarray) -> None:
    """The most probable of a genre head's genres, from its (n_genres,) probabilities."""
    best = int(probabilities.argmax())
    song.predicted_genre = model.genres[best]
    song.predicted_genre_probability = float(probabilities[best])


def _label_songs(model: EmbeddingModel, song_ids: list[int], probabilities: np.ndarray) -> None:
    songs = Song.objects.in_bulk(song_ids)
    for song_id, row in zip(song_ids, probabilities, strict=True):
        _set_predicted_genre(songs[song_id], model, row)
    Song.objects.bulk_update(songs.values(), ["predicted_genre", "predicted_genre_probability"])


@transaction.atomic
def embedding_model_activate(*, model: EmbeddingModel) -> EmbeddingModel:
    """Make ``model`` the one that search and the map use."""
    model = EmbeddingModel.objects.select_for_update().get(id=model.id)
    if model.state != EmbeddingModel.State.READY:
        raise EmbeddingModelError(f"{model.name} is still being filled in; activate it when ready.")
    EmbeddingModel.objects.filter(is_active=True).exclude(id=model.id).update(is_active=False)
    model.is_active = True
    model.save(update_fields=["is_active"])
    return model


def backbone_model_ensure() -> EmbeddingModel:
    """The first backbone model, made on the first analysed song: unstandardised (mean 0, std 1)
    until there are enough songs to fit statistics on (backbone_model_standardise)."""
    model = EmbeddingModel.objects.filter(kind=EmbeddingModel.Kind.BACKBONE).first()
    if model is not None:
        return model
    with transaction.atomic():
        model, created = EmbeddingModel.objects.get_or_create(
            name="musicnn-msd-raw",
            defaults={
                "kind": EmbeddingModel.Kind.BACKBONE,
                "feature_mean": [0.0] * BACKBONE_DIM,
                "feature_std": [1.0] * BACKBONE_DIM,
                "state": EmbeddingModel.State.READY,
                "metrics": {"fitted_on_songs": 0},
            },
        )
        if created and not EmbeddingModel.objects.filter(is_active=True).exists():
            model.is_active = True
            model.save(update_fields=["is_active"])
    return model


def backbone_model_standardise() -> EmbeddingModel:
    """The backbone model standardised on every analysed song, filled in and made active (if a
    backbone model was active). Made once: a second call returns the first one's model."""
    from ml.backbone import fit_standardisation

    _, features = analysed_features()
    mean, std = fit_standardisation(features)
    model, created = EmbeddingModel.objects.get_or_create(
        name="musicnn-msd-standardised",
        defaults={
            "kind": EmbeddingModel.Kind.BACKBONE,
            "feature_mean": mean.tolist(),
            "feature_std": std.tolist(),
            "metrics": {"fitted_on_songs": len(features)},
        },
    )
    if not created:
        return model
    embedding_model_fill(model=model)
    active = EmbeddingModel.objects.filter(is_active=True).first()
    if active is None or active.kind == EmbeddingModel.Kind.BACKBONE:
        model = embedding_model_activate(model=model)
    return model


def backbone_needs_standardising() -> bool:
    """True when no backbone model is fitted yet and enough songs are analysed to fit one."""
    from django.conf import settings

    fitted = EmbeddingModel.objects.filter(
        kind=EmbeddingModel.Kind.BACKBONE, metrics__fitted_on_songs__gt=0
    )
    if fitted.exists():
        return False
    ready = Song.objects.filter(status=Song.Status.READY).count()
    return ready >= settings.STANDARDISE_AFTER_SONGS


def save_head_weights(model: EmbeddingModel, keras_model) -> None:
    from ml.head import save_head

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "head.keras"
        save_head(keras_model, path)
        with path.open("rb") as handle:
            model.weights.save(f"models/{model.name}.keras", File(handle), save=False)
    model.save(update_fields=["weights"])
