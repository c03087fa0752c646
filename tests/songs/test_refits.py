"""The catalogue's statistics follow it: refits by themselves, never on the demo once there are
real songs, while search keeps answering from the version in use."""

import numpy as np
import pytest
from django.core.files.storage import default_storage

from songs.models import BackboneEmbedding, EmbeddingModel, Song, UploadBatch
from songs.selectors.similarity import songs_similar_to
from songs.services import embeddings
from songs.services.embeddings import (
    backbone_model_ensure,
    embedding_refit,
    embedding_refit_reason,
    song_embed,
    songs_to_fit_on,
    superseded_fits_prune,
)
from songs.services.ingestion import batch_create, catalogue_get_or_create
from tests.factories import make_songs


@pytest.fixture
def fit_settings(settings):
    settings.STANDARDISE_AFTER_SONGS = 20
    settings.EMBEDDING_REFIT_SHARE = 0.25
    return settings


def embedded(songs):
    backbone_model_ensure()
    for song in songs:
        song_embed(song=song)
    return songs


def vectors_of(model):
    rows = BackboneEmbedding.objects.filter(model=model).order_by("song_id")
    return np.stack([np.asarray(v) for v in rows.values_list("vector", flat=True)])


def test_the_catalogue_growing_by_a_quarter_makes_a_new_version_while_search_answers(
    db, fit_settings, monkeypatch
):
    songs = embedded(make_songs(per_genre=8, unlabelled=0, descriptors=True))
    assert embedding_refit_reason() == "24 songs are analysed and no statistics are fitted yet"
    first = embedding_refit()
    assert (first.kind, first.is_active, first.fitted_on_songs) == ("descriptor", True, 24)
    assert first.fitted_at is not None and first.weights.name.endswith(".npz")
    assert vectors_of(first).shape == (24, 200)
    assert embedding_refit_reason() is None and embedding_refit() is None

    embedded(make_songs(per_genre=1, unlabelled=2, seed=1, descriptors=True))  # 5 < 24 / 4
    assert embedding_refit_reason() is None
    embedded(make_songs(per_genre=1, unlabelled=0, seed=2, descriptors=True))  # 8 >= 6
    assert embedding_refit_reason() == (
        f"8 songs were added and 0 removed since {first.name} was fitted on 24"
    )

    # While the new version is filled in, chunk by chunk, search answers from the first one.
    answers = []
    write = embeddings._write_vectors

    def write_and_search(model, song_ids, vectors):
        write(model, song_ids, vectors)
        answers.append(
            (EmbeddingModel.objects.get(is_active=True), songs_similar_to(song=songs[0], k=5))
        )

    monkeypatch.setattr(embeddings, "EMBED_CHUNK", 10)
    monkeypatch.setattr(embeddings, "_write_vectors", write_and_search)
    second = embedding_refit()

    assert len(answers) == 4  # 32 songs in chunks of 10
    assert all(active == first and len(found) == 5 for active, found in answers)
    first.refresh_from_db()
    assert second.is_active and not first.is_active and second.fitted_on_songs == 32
    assert vectors_of(second).shape == (32, 200)
    assert len(songs_similar_to(song=songs[0], k=5)) == 5


def test_songs_removed_count_as_change_too(db, fit_settings):
    songs = embedded(make_songs(per_genre=10, unlabelled=0, descriptors=True))
    fit = embedding_refit()
    Song.objects.filter(id__in=[s.id for s in songs[:7]]).delete()
    assert embedding_refit_reason() is None  # 7 < 30 / 4
    Song.objects.filter(id=songs[7].id).delete()
    assert embedding_refit_reason() == (
        f"0 songs were added and 8 removed since {fit.name} was fitted on 30"
    )


def test_a_large_batch_is_fitted_on_once_it_has_been_analysed(db, fit_settings):
    embedded(make_songs(per_genre=8, unlabelled=0, descriptors=True))
    embedding_refit()
    arriving = embedded(make_songs(per_genre=4, unlabelled=0, seed=1, descriptors=True))
    Song.objects.filter(id__in=[s.id for s in arriving[:6]]).update(status=Song.Status.PENDING)
    assert embedding_refit_reason() is None  # 6 of the batch are still to be analysed
    Song.objects.filter(id__in=[s.id for s in arriving[:6]]).update(status=Song.Status.READY)
    assert embedding_refit_reason().startswith("12 songs were added")


def test_the_demo_is_left_out_of_the_fit_once_there_are_enough_real_songs(db, fit_settings):
    demo_batch = batch_create(
        source=UploadBatch.Source.DEMO, catalogue=catalogue_get_or_create(name="Demo")
    )
    demo = embedded(make_songs(per_genre=10, unlabelled=0, descriptors=True, batch=demo_batch))
    demo_fit = embedding_refit()  # the demo alone may shape itself
    assert demo_fit.fitted_on_songs == 30 and not demo_fit.metrics["demo_left_out"]

    real = embedded(make_songs(per_genre=3, unlabelled=1, seed=5, descriptors=True))  # 10
    assert songs_to_fit_on(kind="descriptor").count() == 40  # too few real songs to fit on
    real += embedded(make_songs(per_genre=3, unlabelled=1, seed=6, descriptors=True))  # 20
    assert set(songs_to_fit_on(kind="descriptor")) == set(real)

    fit = embedding_refit()
    assert fit.fitted_on_songs == 20 and fit.metrics["demo_left_out"]
    # Fitted on the real songs only: their vectors are centred, the demo's are not.
    vectors = dict(BackboneEmbedding.objects.filter(model=fit).values_list("song_id", "vector"))
    assert vectors.keys() == {s.id for s in demo + real}  # every song has a vector still
    fitted_real = embeddings._space_for(fit.id, fit.weights.name)
    z = (np.stack([np.asarray(s.descriptor) for s in real]) - fitted_real.mean) / (
        fitted_real.scale
    )
    np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-4)


def test_songs_without_descriptors_are_fitted_on_their_features_until_they_have_them(
    db, fit_settings
):
    songs = embedded(make_songs(per_genre=8, unlabelled=0))
    backbone_fit = embedding_refit()
    assert backbone_fit.kind == "backbone" and backbone_fit.fitted_on_songs == 24
    np.testing.assert_allclose(vectors_of(backbone_fit).mean(axis=0), 0, atol=1e-4)

    rng = np.random.default_rng(0)
    for song in songs:
        song.descriptor = rng.normal(0, 1, 800).astype(np.float32)
        song.save(update_fields=["descriptor"])
    assert embedding_refit_reason() == "every song has its descriptor now"
    descriptor_fit = embedding_refit()
    assert descriptor_fit.kind == "descriptor" and descriptor_fit.is_active


def test_a_refit_does_not_replace_a_genre_head_that_staff_made_active(db, fit_settings):
    from songs.services.embeddings import embedding_model_activate
    from songs.services.genre_models import genre_model_train

    embedded(make_songs(per_genre=8, unlabelled=0, descriptors=True))
    head = embedding_model_activate(embedding_model=genre_model_train(seed=0, max_epochs=5))
    fit = embedding_refit()
    head.refresh_from_db()
    assert head.is_active and not fit.is_active and fit.state == "ready"


def test_versions_nothing_uses_are_pruned_but_the_raw_model_stays(db, fit_settings):
    embedded(make_songs(per_genre=8, unlabelled=0, descriptors=True))
    raw = EmbeddingModel.objects.get(name="musicnn-msd-raw")
    first = embedding_refit()
    embedded(make_songs(per_genre=3, unlabelled=0, seed=1, descriptors=True))
    second = embedding_refit()
    assert superseded_fits_prune() == 1
    assert set(EmbeddingModel.objects.all()) == {raw, second}
    assert not BackboneEmbedding.objects.filter(model_id=first.id).exists()
    assert not default_storage.exists(first.weights.name)
    assert default_storage.exists(second.weights.name)


def test_only_one_refit_runs_at_a_time(db, fit_settings):
    embedded(make_songs(per_genre=8, unlabelled=0, descriptors=True))
    EmbeddingModel.objects.create(
        kind="descriptor", name="another worker's refit", feature_mean=[0.0], feature_std=[1.0],
        fitted_on_songs=24,
    )  # fmt: skip
    assert embedding_refit() is None
    assert EmbeddingModel.objects.filter(state="ready", fitted_on_songs__gt=0).count() == 0
