"""Analysing a song on a worker: claim it, run ml/ on its audio, store what was found at once.

A song is claimed with one guarded UPDATE, so two workers never analyse it together; results are
written in one transaction, so a worker that dies mid-song leaves it "processing" with nothing
half-written, and the sweep (or the broker's redelivery) hands it to another worker later.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Case, F, Q, QuerySet, When
from django.utils import timezone

from ml.tags import tag_log_probabilities
from songs.models import Song, TagVector
from songs.services.embeddings import backbone_model_ensure, song_embed
from songs.services.ingestion import song_enqueue
from songs.signals import song_analysed

logger = logging.getLogger(__name__)


def song_claim_for_analysis(
    *, song_id: int, worker: str = "", claim: uuid.UUID | None = None
) -> Song | None:
    """Mark the song "processing" for the caller under a new claim token, or None when it is not
    the caller's to analyse: already analysed or failed, or being analysed by a worker that is
    still alive. ``claim`` is the caller's own earlier claim (a retry after an outage), which it
    may take up again; ``worker`` names the Celery worker, for the sweep's liveness check."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.ANALYSIS_STALE_AFTER_S)
    claimable = Q(status=Song.Status.PENDING) | Q(
        status=Song.Status.PROCESSING, processing_started_at__lt=stale
    )
    if claim is not None:
        claimable |= Q(status=Song.Status.PROCESSING, claim=claim)
    taken_up_again = Q(claim=claim) if claim is not None else Q(pk__in=[])
    claimed = Song.objects.filter(claimable, id=song_id).update(
        status=Song.Status.PROCESSING,
        processing_started_at=now,
        # A retry after an outage is the same attempt; a worker that died is counted.
        attempts=Case(When(taken_up_again, then=F("attempts")), default=F("attempts") + 1),
        error="",
        claim=uuid.uuid4(),
        claimed_by=worker,
    )
    if not claimed:
        return None
    song = Song.objects.get(id=song_id)
    if song.attempts > settings.ANALYSIS_MAX_ATTEMPTS:
        return song_mark_failed(
            song=song,
            reason=f"Analysis was interrupted {song.attempts - 1} times (its worker stopped "
            "each time); the file may be too large or damaged.",
        )
    return song


def song_mark_failed(*, song: Song, reason: str) -> Song:
    song.status = Song.Status.FAILED
    song.error = reason
    song.save(update_fields=["status", "error", "updated_at"])
    logger.warning("song analysis failed", extra={"song_id": song.id, "error": reason})
    return song


@contextlib.contextmanager
def local_file(name: str) -> Iterator[Path]:
    """A local file with the stored file ``name``: the file itself on a local disk, else a
    temporary copy (object storage: the worker may be on any host)."""
    try:
        yield Path(default_storage.path(name))
        return
    except NotImplementedError:
        pass
    with (
        tempfile.NamedTemporaryFile(suffix=Path(name).suffix) as copy,
        default_storage.open(name) as src,
    ):
        shutil.copyfileobj(src, copy)
        copy.flush()
        yield Path(copy.name)


def worker_backbone():
    """The musicnn backbone of this process, loaded on first use and kept."""
    from ml.backbone import load_backbone  # lazy: TensorFlow stays out of web processes

    return load_backbone(intra_op_threads=settings.ANALYSIS_TF_THREADS, inter_op_threads=1)


def worker_tagger():
    """The MagnaTagATune model of this process (its tags, and half the descriptor), loaded on
    first use and kept."""
    from ml.backbone import load_mtt_tagger  # lazy: TensorFlow stays out of web processes

    return load_mtt_tagger(intra_op_threads=settings.ANALYSIS_TF_THREADS, inter_op_threads=1)


def worker_analyse_file(path: Path):
    """ml.analysis.analyse_file with this process's models and the settings' patch budgets."""
    from ml.analysis import analyse_file  # lazy: librosa stays out of web processes

    return analyse_file(
        path,
        backbone=worker_backbone(),
        patch_budget=settings.ANALYSIS_PATCH_BUDGET,
        tagger=worker_tagger(),
    )


def worker_warm_up() -> None:
    """What a new worker process does before its first task: load the models and run a first
    analysis (ml.analysis.warm_up)."""
    from ml.analysis import warm_up  # lazy: librosa stays out of web processes

    warm_up(
        worker_backbone(),
        patch_budget=settings.ANALYSIS_PATCH_BUDGET,
        tagger=worker_tagger(),
    )


def song_claim_and_analyse(
    *, song_id: int, worker: str = "", claim: uuid.UUID | None = None
) -> Song | None:
    """Analyse one song if it is the caller's to analyse (see song_claim_for_analysis). Unusable
    audio ends in "failed" with the reason; any other error propagates with the song left
    "processing" under its claim, in ``AnalysisInterrupted`` (the task retries or fails it)."""
    from ml.audio import InvalidAudio  # lazy: librosa stays out of web processes

    song = song_claim_for_analysis(song_id=song_id, worker=worker, claim=claim)
    if song is None and claim is not None:
        return _song_stored_under(song_id=song_id, claim=claim)
    if song is None or song.status != Song.Status.PROCESSING:
        return song
    try:
        with local_file(song.audio.name) as path:
            analysis = worker_analyse_file(path)
    except InvalidAudio as exc:
        # The message names the stored file; the user knows the file by the name they gave it.
        reason = str(exc).replace(path.name, song.original_name)
        return song_mark_failed(song=song, reason=reason)
    except Exception as exc:
        raise AnalysisInterrupted(claim=song.claim) from exc
    try:
        return song_store_analysis(song=song, analysis=analysis)
    except Song.DoesNotExist:
        return None  # deleted while it was analysed
    except Exception as exc:
        raise AnalysisInterrupted(claim=song.claim) from exc


def _song_stored_under(*, song_id: int, claim: uuid.UUID) -> Song | None:
    """The song if its result was stored under ``claim`` after all: the database committed it
    while its answer was lost on the way (the connection broke at COMMIT)."""
    song = Song.objects.ready().filter(id=song_id, claim=claim).first()
    if song is not None:
        logger.info(
            "song analysed",
            extra={"song_id": song.id, "claim": str(claim), "confirmed_after_retry": True},
        )
        # The hooks of the commit whose answer was lost never ran: queue the follow-ups now
        # (each is idempotent, so a second copy does no harm).
        song_analysed.send(sender=Song, song_id=song.id)
    return song


class AnalysisInterrupted(Exception):
    """An analysis stopped by an error after its song was claimed; ``claim`` lets a retry take
    the song up again instead of waiting for the sweep. The cause is ``__cause__``."""

    def __init__(self, *, claim: uuid.UUID) -> None:
        super().__init__(str(claim))
        self.claim = claim


def song_store_analysis(*, song: Song, analysis) -> Song:
    """Write everything analysis found and the song's vectors, all at once, and mark it ready;
    announce it (songs.signals.song_analysed) in the same transaction."""
    from ml.thumbnail import thumbnail_png  # lazy: librosa stays out of web processes

    # Storage is not transactional: a content-addressed name makes a rewrite harmless.
    name = f"spectrograms/{song.content_sha256[:2]}/{song.content_sha256}.png"
    default_storage.delete(name)
    default_storage.save(name, ContentFile(thumbnail_png(analysis.thumbnail)))
    backbone_model_ensure()
    with transaction.atomic():
        locked = Song.objects.select_for_update().get(id=song.id)
        if locked.status != Song.Status.PROCESSING or locked.claim != song.claim:
            # Another worker took the song over meanwhile (this one was presumed dead), or it
            # was retried or analysed: the result is theirs to write, exactly once.
            logger.info("analysis result dropped: claim lost", extra={"song_id": song.id})
            return locked
        locked.features = analysis.embedding
        locked.descriptor = analysis.descriptor
        locked.msd_tag_probabilities = analysis.msd_tag_probabilities.tolist()
        if analysis.mtt_tag_probabilities is not None:
            locked.mtt_tag_probabilities = analysis.mtt_tag_probabilities.tolist()
        locked.mfcc_stats = analysis.mfcc_stats
        locked.duration_s = analysis.duration_s
        locked.sample_rate = analysis.sample_rate
        locked.channels = analysis.channels
        locked.spectrogram.name = name
        locked.status = Song.Status.READY
        locked.analysed_at = timezone.now()
        locked.save()
        song_embed(song=locked)
        song_tag_vector_store(song=locked)
        # Its receivers queue the follow-ups (map, near-duplicates, first fit) on commit.
        song_analysed.send(sender=Song, song_id=locked.id)
    # Counted by the cluster harness: one such line per song, or a result was written twice.
    logger.info("song analysed", extra={"song_id": locked.id, "claim": str(locked.claim)})
    return locked


def songs_incomplete() -> QuerySet[Song]:
    """Analysed songs that lack what a newer analysis gives: the MagnaTagATune tags (word search)
    or the descriptor (the embedding's input), from before those existed."""
    return Song.objects.ready().filter(
        Q(mtt_tag_probabilities__isnull=True) | Q(descriptor__isnull=True)
    )


def song_complete_analysis(*, song_id: int) -> Song | None:
    """Analyse a song of songs_incomplete again and add what it lacks (its tags and tag vector,
    its descriptor and the vectors made from it), changing nothing else; None when the song is
    not such a song (any more)."""
    song = songs_incomplete().filter(id=song_id).first()
    if song is None:
        return None
    with local_file(song.audio.name) as path:
        analysis = worker_analyse_file(path)
    with transaction.atomic():
        song = songs_incomplete().select_for_update().filter(id=song_id).first()
        if song is None:
            return None  # deleted or completed meanwhile
        song.mtt_tag_probabilities = song.mtt_tag_probabilities or (
            analysis.mtt_tag_probabilities.tolist()
        )
        if song.descriptor is None:
            song.descriptor = analysis.descriptor
        song.save(update_fields=["mtt_tag_probabilities", "descriptor"])
        song_tag_vector_store(song=song)
        song_embed(song=song)
    return song


def song_tag_vector_store(*, song: Song) -> TagVector | None:
    """Write the song's searchable tag vector from its two models' tags (None while one of them
    is missing: songs analysed before the MagnaTagATune tagger, until `complete_analysis`)."""
    if song.msd_tag_probabilities is None or song.mtt_tag_probabilities is None:
        return None
    vector = tag_log_probabilities(song.msd_tag_probabilities, song.mtt_tag_probabilities)
    # Replaced, not updated: the new row's revision tells the word search's in-memory copies.
    with transaction.atomic():
        TagVector.objects.filter(song=song).delete()
        tags = TagVector.objects.create(song=song, log_probabilities=vector)
    return tags


def song_retry(*, song: Song) -> Song:
    """Send a failed (or stuck) song back to analysis."""
    Song.objects.filter(id=song.id).exclude(Song.ready_q()).update(
        status=Song.Status.PENDING, error="", attempts=0, processing_started_at=None
    )
    song.refresh_from_db()
    if song.status == Song.Status.PENDING:
        transaction.on_commit(lambda: song_enqueue(song_id=song.id))
    return song


def songs_sweep_stuck(
    *, live_workers: set[str] | None = None, queue_depth: int | None = None
) -> dict[str, int]:
    """Queue again the songs whose analysis was lost, and say how many for each reason:

    - "orphaned": "processing" by a worker that no longer answers (``live_workers``, the names
      that answered a ping; None when that could not be asked);
    - "stale": "processing" past the stale timeout, whoever holds it;
    - "lost": "pending" but never queued (the broker was down), queued long ago, or queued a
      while ago while the broker's queue is empty (``queue_depth`` 0): a restarted broker
      forgot its messages. A song queued twice is harmless: only one claim succeeds.
    """
    now = timezone.now()
    processing = Song.objects.filter(status=Song.Status.PROCESSING)
    stale = processing.filter(
        processing_started_at__lt=now - timedelta(seconds=settings.ANALYSIS_STALE_AFTER_S)
    )
    orphaned = Song.objects.none()
    if live_workers is not None:
        orphaned = processing.exclude(claimed_by__in=live_workers).exclude(claimed_by="")
    lost_after = timedelta(
        seconds=settings.ANALYSIS_LOST_AFTER_S
        if queue_depth == 0
        else settings.ANALYSIS_REQUEUE_AFTER_S
    )
    lost = Song.objects.filter(status=Song.Status.PENDING).filter(
        Q(queued_at__isnull=True) | Q(queued_at__lt=now - lost_after)
    )
    counts = {"orphaned": 0, "stale": 0, "lost": 0}
    for reason, songs in (("orphaned", orphaned), ("stale", stale)):
        for song in songs.only("id", "claim", "claimed_by"):
            # Guarded by the claim: a song its worker finished meanwhile stays as it is.
            handed_on = Song.objects.filter(
                id=song.id, status=Song.Status.PROCESSING, claim=song.claim
            ).update(status=Song.Status.PENDING, claim=None, claimed_by="")
            if handed_on:
                logger.warning(
                    "analysis handed on",
                    extra={"song_id": song.id, "reason": reason, "worker": song.claimed_by},
                )
                song_enqueue(song_id=song.id)
                counts[reason] += 1
    for song_id in lost.values_list("id", flat=True):
        song_enqueue(song_id=song_id)
        counts["lost"] += 1
    return counts
