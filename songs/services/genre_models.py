"""Training the genre head on the catalogue's labelled songs (transfer learning on the backbone)."""

from __future__ import annotations

import numpy as np
from django.utils import timezone

from songs.models import EmbeddingModel, Song
from songs.services.embeddings import (
    analysed_features,
    embedding_model_activate,
    embedding_model_fill,
    save_head_weights,
)


def genre_model_train(
    *, seed: int = 0, max_epochs: int = 300, activate: bool = False
) -> EmbeddingModel:
    """Train a head on every analysed song with a genre label, store it as a new version with its
    held-out metrics, and fill in its vectors for the whole catalogue.

    Raises ml.head.GenreTrainingError when the labels cannot train a model (fewer than 2 genres,
    too few songs in a genre), with a message that says what is missing.
    """
    # lazy: TensorFlow stays out of web processes
    from ml.backbone import fit_standardisation, standardise
    from ml.head import check_trainable, train_genre_head

    analysed = Song.objects.ready().filter(features__isnull=False)
    labelled = list(analysed.exclude(genre="").order_by("id").values_list("features", "genre"))
    labels = [genre for _, genre in labelled]
    check_trainable(labels)

    # Standardise with statistics of the whole catalogue, labelled or not: the head embeds it all.
    mean, std = fit_standardisation(analysed_features()[1])
    result = train_genre_head(
        standardise(np.stack([np.asarray(f) for f, _ in labelled]), mean, std),
        labels,
        seed=seed,
        max_epochs=max_epochs,
    )

    embedding_model = EmbeddingModel.objects.create(
        kind=EmbeddingModel.Kind.GENRE_HEAD,
        name=f"genre-head-{timezone.now():%Y%m%d-%H%M%S}",
        feature_mean=mean.tolist(),
        feature_std=std.tolist(),
        genres=result.genres,
        fitted_on_songs=len(labels),
        fitted_at=timezone.now(),
        metrics={
            "labelled_songs": len(labels),
            "train_songs": result.train_size,
            "validation_songs": result.validation_size,
            "accuracy": result.accuracy,
            "macro_f1": result.macro_f1,
            "confusion": result.confusion,
            "epochs": result.epochs,
            "seed": seed,
        },
    )
    save_head_weights(embedding_model, result.model)
    embedding_model_fill(embedding_model=embedding_model)
    if activate:
        embedding_model = embedding_model_activate(embedding_model=embedding_model)
    return embedding_model
