"""Celery tasks of the catalogue: look the object up by id, call a service, nothing else.

Every task is idempotent: a duplicated or redelivered message finds the work done (or being done)
and leaves it alone.
"""

from celery import shared_task
from celery.signals import worker_process_init

from explorer.services import song_place_on_map
from songs.models import EmbeddingModel, Song
from songs.services import analysis, duplicates, embeddings, genre_models


@shared_task(acks_late=True, reject_on_worker_lost=True)
def analyse_song(song_id: int) -> str | None:
    try:
        song = analysis.song_analyse(song_id=song_id)
    except Song.DoesNotExist:
        return None  # deleted while queued
    except Exception as exc:
        failed = Song.objects.filter(id=song_id, status=Song.Status.PROCESSING).first()
        if failed is not None:
            analysis.song_mark_failed(
                song=failed,
                reason=f"Analysis stopped on an unexpected error: {type(exc).__name__}: {exc}",
            )
        raise
    if song is not None and song.status == Song.Status.READY:
        song_place_on_map(song=song)  # on the map within seconds, not after a rebuild
        duplicates.near_duplicates_find_for(song=song)  # offered to managers at once
        if embeddings.backbone_needs_standardising():
            standardise_backbone.delay()
    return song.status if song is not None else None


@shared_task(acks_late=True, reject_on_worker_lost=True)
def add_mtt_tags(song_id: int) -> None:
    analysis.song_add_mtt_tags(song_id=song_id)


@shared_task(acks_late=True)
def standardise_backbone() -> None:
    if embeddings.backbone_needs_standardising():
        embeddings.backbone_model_standardise()


@shared_task(acks_late=True)
def scan_near_duplicates() -> int:
    return duplicates.near_duplicates_scan()


@shared_task(acks_late=True)
def train_genre_model(seed: int = 0, activate: bool = False) -> int:
    return genre_models.genre_model_train(seed=seed, activate=activate).id


@shared_task(acks_late=True)
def fill_embedding_model(model_id: int) -> None:
    model = EmbeddingModel.objects.get(id=model_id)
    embeddings.embedding_model_fill(model=model)


@shared_task
def sweep_stuck_songs() -> dict[str, int]:
    return analysis.songs_sweep_stuck()


@worker_process_init.connect
def _warm_up(**_: object) -> None:
    """Load the backbone and run a first analysis when a worker process starts, so that its
    first song is no slower than the rest."""
    analysis.worker_warm_up()


@shared_task(acks_late=True)
def embed_clip(storage_name: str) -> dict:
    """A listener's clip, as a vector of the active embedding model (query by example)."""
    from songs.services.clips import clip_embed
    from songs.services.ingestion import RejectedFile

    try:
        model, vector = clip_embed(storage_name=storage_name)
    except RejectedFile as exc:  # an answer for the listener, not a failure of the task
        return {"error": str(exc)}
    return {"model": model.id, "vector": vector.tolist()}
