"""Embedding model versions: standardisation, the genre head, activation, evaluation."""

from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from ml.head import GenreTrainingError
from songs.models import BackboneEmbedding, EmbeddingModel, GenreHeadEmbedding, Song
from songs.models.catalogue import BACKBONE_DIM, HEAD_DIM
from songs.services.embeddings import (
    EmbeddingModelError,
    backbone_model_ensure,
    embedding_model_activate,
    embedding_refit,
    embedding_refit_reason,
    song_embed,
)
from songs.services.genre_models import genre_model_train
from tests.factories import GENRES, make_songs


def test_model_dimensions_match_the_ml_library():
    from ml.backbone import EMBEDDING_DIM as ml_backbone_dim
    from ml.head import EMBEDDING_DIM as ml_head_dim

    assert (ml_backbone_dim, ml_head_dim) == (BACKBONE_DIM, HEAD_DIM)


def test_the_raw_backbone_model_is_active_until_the_first_fit_replaces_it(db, settings):
    songs = make_songs(per_genre=4, unlabelled=0)
    raw = backbone_model_ensure()
    assert raw.is_active and raw.fitted_on_songs == 0
    for song in songs:
        song_embed(song=song)
    assert BackboneEmbedding.objects.filter(model=raw).count() == len(songs)

    settings.STANDARDISE_AFTER_SONGS = len(songs) + 1
    assert embedding_refit_reason() is None
    settings.STANDARDISE_AFTER_SONGS = len(songs)
    fitted = embedding_refit()
    raw.refresh_from_db()
    assert fitted.is_active and not raw.is_active
    assert fitted.fitted_on_songs == len(songs)
    vectors = np.stack(
        [
            np.asarray(v)
            for v in BackboneEmbedding.objects.filter(model=fitted).values_list("vector", flat=True)
        ]
    )
    assert vectors.shape == (len(songs), BACKBONE_DIM)
    assert np.allclose(vectors.mean(axis=0), 0, atol=1e-4)  # z-scored on these very songs
    assert embedding_refit_reason() is None
    assert backbone_model_ensure() == raw  # kept: near-duplicates are found in its space


def test_only_one_model_is_ever_active(db):
    backbone_model_ensure()
    with pytest.raises(IntegrityError):
        EmbeddingModel.objects.create(
            kind="backbone", name="second", feature_mean=[0.0], feature_std=[1.0],
            state="ready", is_active=True,
        )  # fmt: skip


def test_a_genre_head_is_trained_evaluated_and_labels_unlabelled_songs(db):
    make_songs()
    backbone_model_ensure()
    head = genre_model_train(seed=3, max_epochs=40)
    assert head.kind == "genre_head" and head.state == "ready" and not head.is_active
    assert head.genres == GENRES
    m = head.metrics
    assert m["labelled_songs"] == 36 and m["train_songs"] + m["validation_songs"] == 36
    assert m["accuracy"] >= 0.8 and 0 <= m["macro_f1"] <= 1
    assert np.asarray(m["confusion"]).sum() == m["validation_songs"]
    assert head.weights.name.endswith(".keras")
    assert GenreHeadEmbedding.objects.filter(model=head).count() == Song.objects.count()
    unlabelled = Song.objects.filter(genre="")
    assert all(s.predicted_genre in GENRES for s in unlabelled)

    embedding_model_activate(embedding_model=head)
    assert EmbeddingModel.objects.get(is_active=True) == head


def test_training_the_same_data_with_the_same_seed_gives_the_same_model(db):
    make_songs(per_genre=6, unlabelled=0)
    first = genre_model_train(seed=1, max_epochs=10)
    second = genre_model_train(seed=1, max_epochs=10)
    vectors = [
        np.stack(
            [
                np.asarray(v)
                for v in GenreHeadEmbedding.objects.filter(model=m)
                .order_by("song_id")
                .values_list("vector", flat=True)
            ]
        )
        for m in (first, second)
    ]
    assert np.array_equal(*vectors)


@pytest.mark.parametrize(
    ("per_genre", "message"),
    [(3, "Each genre needs at least 5 labelled songs: 'folk' has 3"), (0, "found none")],
)
def test_training_refuses_when_labels_are_missing(db, per_genre, message):
    make_songs(per_genre=per_genre, unlabelled=2)
    with pytest.raises(GenreTrainingError, match=message):
        genre_model_train()
    with pytest.raises(CommandError, match=message):
        call_command("train_genre_model")


def test_a_model_being_filled_cannot_be_activated(db):
    model = EmbeddingModel.objects.create(
        kind="backbone", name="filling", feature_mean=[0.0], feature_std=[1.0]
    )
    with pytest.raises(EmbeddingModelError, match="still being filled in"):
        embedding_model_activate(embedding_model=model)


def test_evaluate_embeddings_prints_the_models_beside_the_mfcc_baseline(db):
    songs = make_songs(per_genre=8, unlabelled=0)
    backbone_model_ensure()
    for song in songs:
        song_embed(song=song)
    out = StringIO()
    call_command("evaluate_embeddings", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "24 labelled songs, 3 genres, k=5, cosine distance"
    table = {line.split("  ")[0].strip(): line.split()[-2:] for line in lines[2:]}
    assert set(table) == {"MFCC statistics (baseline)", "musicnn-msd-raw (active)"}
    # The features cluster by genre and the MFCC statistics are noise.
    assert float(table["musicnn-msd-raw (active)"][0]) == 1.0
    assert float(table["MFCC statistics (baseline)"][1]) < 0.6
