"""Celery tasks of the catalogue: look the object up by id, call a service, nothing else.

Every task is idempotent: a duplicated or redelivered message finds the work done (or being done)
and leaves it alone.
"""

import logging
import uuid

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_process_init

from neuralnotes.broker import queue_depths
from neuralnotes.celery import app as celery_app
from neuralnotes.outages import SERVICE_DOWN_ERRORS, retry_after_outage, retry_delay_s
from songs.models import Song
from songs.services import analysis, duplicates, embeddings, genre_models, rescan
from songs.services.clips import clip_embed
from songs.services.ingestion import RejectedFile

logger = logging.getLogger(__name__)


# Retries while a service is down: 1, 2, 4 … 60 s apart, for about 15 minutes; after that the
# song waits for the sweep, still not failed.
ANALYSIS_OUTAGE_RETRIES = 20
# A worker that does not answer the sweep's ping within this is taken for dead; a busy worker's
# main process still answers at once.
SWEEP_PING_TIMEOUT_S = 1.0


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def analyse_song(self, song_id: int, claim: str | None = None) -> str | None:
    """Analyse the song. ``claim`` is set on a retry after an outage, so the retry takes its own
    song up again at once (analysis.song_claim_for_analysis). What follows an analysis (the map,
    near-duplicates, the first fit) is queued by the receivers of songs.signals.song_analysed
    once the result has committed, each its own task, retried on its own."""
    try:
        song = analysis.song_claim_and_analyse(
            song_id=song_id,
            worker=self.request.hostname or "",
            claim=uuid.UUID(claim) if claim else None,
        )
    except analysis.AnalysisInterrupted as interrupted:
        cause = interrupted.__cause__
        if isinstance(cause, SERVICE_DOWN_ERRORS):
            _retry_after_outage(self, song_id=song_id, claim=interrupted.claim, cause=cause)
        failed = Song.objects.filter(
            id=song_id, status=Song.Status.PROCESSING, claim=interrupted.claim
        ).first()
        if failed is not None:
            reason = f"Analysis stopped on an unexpected error: {type(cause).__name__}: {cause}"
            if isinstance(cause, SoftTimeLimitExceeded):
                reason = (
                    f"Analysis took longer than its limit of {self.soft_time_limit or 0:.0f} s "
                    "(CELERY_TASK_SOFT_TIME_LIMIT_S): the file may be very long or damaged."
                )
            analysis.song_mark_failed(song=failed, reason=reason)
        raise cause from None
    except SERVICE_DOWN_ERRORS as exc:  # before the claim, or after the result was stored
        _retry_after_outage(self, song_id=song_id, claim=claim, cause=exc)
    return song.status if song is not None else None


def _retry_after_outage(task, *, song_id: int, claim, cause: BaseException) -> None:
    logger.warning(
        "service unreachable, analysis retried",
        extra={"song_id": song_id, "retries": task.request.retries, "error": repr(cause)},
    )
    raise task.retry(
        args=[song_id],
        kwargs={"claim": str(claim) if claim else None},
        countdown=retry_delay_s(task.request.retries),
        max_retries=ANALYSIS_OUTAGE_RETRIES,
        exc=cause,
    )


@shared_task(acks_late=True, reject_on_worker_lost=True)
def complete_analysis(song_id: int) -> None:
    analysis.song_complete_analysis(song_id=song_id)


@shared_task(bind=True, acks_late=True)
def find_near_duplicates(self, song_id: int) -> int:
    """Queued when a song is analysed (songs.receivers): store the near-duplicate pairs it makes,
    so that managers are offered them at once. Storing a pair twice changes nothing; an outage
    retries this step alone. The number of pairs."""
    try:
        song = Song.objects.ready().filter(id=song_id).first()
        return len(duplicates.near_duplicates_find_for(song=song)) if song is not None else 0
    except SERVICE_DOWN_ERRORS as exc:
        raise retry_after_outage(self, exc) from exc


@shared_task(bind=True, acks_late=True)
def fit_embedding_if_first(self) -> bool:
    """Queued when a song is analysed (songs.receivers): the catalogue's first fit at once, as
    soon as enough songs are in; later refits come from beat (keep_embedding_current). An outage
    retries this step alone. True if a fit was queued."""
    try:
        if embeddings.catalogue_fits().exists() or not embeddings.embedding_refit_reason():
            return False
        refit_embedding.delay()
        return True
    except SERVICE_DOWN_ERRORS as exc:
        raise retry_after_outage(self, exc) from exc


@shared_task(acks_late=True)
def refit_embedding() -> int | None:
    model = embeddings.embedding_refit()
    return model.id if model is not None else None


@shared_task
def keep_embedding_current() -> str | None:
    """Periodic: refit the catalogue's statistics when it has changed enough, and drop the
    versions that nothing uses any more."""
    embeddings.superseded_fits_prune()
    reason = embeddings.embedding_refit_reason()
    if reason is not None:
        refit_embedding.delay()
    return reason


@shared_task(acks_late=True, reject_on_worker_lost=True)
def rescan_folder(batch_id: int) -> int:
    """Import again one folder that import_music imported (a Subsonic client's startScan)."""
    return rescan.folder_rescan(batch_id=batch_id)


@shared_task(acks_late=True)
def scan_near_duplicates() -> int:
    return duplicates.near_duplicates_scan()


@shared_task(acks_late=True)
def train_genre_model(seed: int = 0, activate: bool = False) -> int:
    return genre_models.genre_model_train(seed=seed, activate=activate).id


@shared_task
def sweep_stuck_songs() -> dict[str, int]:
    try:
        replies = celery_app.control.ping(timeout=SWEEP_PING_TIMEOUT_S)
        live_workers = {name for reply in replies for name in reply} or None
        queue_depth = queue_depths()["celery"]
    except SERVICE_DOWN_ERRORS:
        live_workers = queue_depth = None  # unknown: hand on only by the stale timeout
    return analysis.songs_sweep_stuck(live_workers=live_workers, queue_depth=queue_depth)


@worker_process_init.connect
def _warm_up(**_: object) -> None:
    """Load the backbone and run a first analysis when a worker process starts, so that its
    first song is no slower than the rest."""
    analysis.worker_warm_up()


@shared_task(acks_late=True)
def embed_clip(storage_name: str) -> dict:
    """A listener's clip, as a vector of the active embedding model (query by example)."""
    try:
        model, vector = clip_embed(storage_name=storage_name)
    except RejectedFile as exc:  # an answer for the listener, not a failure of the task
        return {"error": str(exc)}
    return {"model": model.id, "vector": vector.tolist()}
