"""Query by example: which catalogue songs sound like a clip a listener uploads?

The clip is analysed on a worker (where the model is loaded) while the web request waits for the
result, so web processes never load TensorFlow. The clip is deleted afterwards: it never becomes
a song.

A waiting request holds a web process, so the wait is bounded three ways: one clip per listener
at a time (a lock in the cache that expires by itself should its process die), no wait at all
when no worker answers a ping, and none past CLIP_TIMEOUT_S (after which the queued task expires
unanalysed rather than keep a worker busy for nobody).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from celery.exceptions import TimeoutError as CeleryTimeout
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import default_storage

from neuralnotes.celery import app as celery_app
from neuralnotes.errors import DomainError
from neuralnotes.outages import BROKER_DOWN_ERRORS
from songs.models import EmbeddingModel, Song
from songs.queueing import catalogue_task
from songs.selectors.similarity import songs_near_vector
from songs.services.analysis import local_file, worker_backbone, worker_tagger
from songs.services.embeddings import model_input, vectors_for
from songs.services.ingestion import RejectedFile, validate_audio_file

# How long a worker has to answer the ping before a clip is sent: one that does not is down or
# stuck, and the listener hears so at once.
WORKER_PING_TIMEOUT_S = 1.0
CLIP_LOCK_KEY = "clip-analysis:{user_id}"


class ClipServiceUnavailable(DomainError, RuntimeError):
    """No worker analysed the clip in time; the message says so."""

    status = 503
    code = "unavailable"
    retry_after_s = 60


class ClipBusy(DomainError, RuntimeError):
    """The listener's previous clip is still being analysed."""

    status = 429
    code = "busy"
    retry_after_s = 10


@contextlib.contextmanager
def _one_clip_at_a_time(user: User) -> Iterator[None]:
    """Raises ClipBusy while another clip of ``user`` is analysed. The lock outlives the longest
    wait, and expires by itself should the process holding it die."""
    key = CLIP_LOCK_KEY.format(user_id=user.pk)
    if not cache.add(key, 1, timeout=settings.CLIP_TIMEOUT_S + 30):
        raise ClipBusy("Your previous clip is still being analysed; try again when it is done.")
    try:
        yield
    finally:
        cache.delete(key)


def _a_worker_answers() -> bool:
    return bool(celery_app.control.ping(timeout=WORKER_PING_TIMEOUT_S, limit=1))


def clip_embed(*, storage_name: str) -> tuple[EmbeddingModel, np.ndarray]:
    """On a worker: the clip's vector in the active embedding model's space."""
    # lazy: librosa stays out of web processes (this runs on a worker)
    from ml.analysis import analyse_file
    from ml.audio import InvalidAudio

    embedding_model = EmbeddingModel.objects.get(is_active=True)
    try:
        with local_file(storage_name) as path:
            analysis = analyse_file(
                path, backbone=worker_backbone(), tagger=worker_tagger(), patch_budget=None
            )
    except InvalidAudio as exc:  # named by the stored name, as the caller knows it
        raise RejectedFile(str(exc).replace(path.name, Path(storage_name).name)) from exc
    vectors, _ = vectors_for(embedding_model, model_input(embedding_model, analysis)[None])
    return embedding_model, vectors[0]


def songs_like_clip(
    *, path: Path, original_name: str, user: User, k: int = 10
) -> list[tuple[Song, float]]:
    """The k catalogue songs nearest to an audio clip of at most CLIP_MAX_SECONDS, for ``user``.
    Raises RejectedFile, ClipBusy (another clip of the user's is being analysed) and
    ClipServiceUnavailable (no worker answered, or none analysed it within CLIP_TIMEOUT_S)."""
    with _one_clip_at_a_time(user):
        return _songs_like_clip(path=path, original_name=original_name, k=k)


def _songs_like_clip(*, path: Path, original_name: str, k: int) -> list[tuple[Song, float]]:
    if path.stat().st_size > settings.CLIP_MAX_BYTES:
        raise RejectedFile(
            f"{original_name}: a clip may be at most {settings.CLIP_MAX_BYTES // 2**20} MB."
        )
    info = validate_audio_file(path, original_name)
    if info.duration_s > settings.CLIP_MAX_SECONDS + 0.5:
        raise RejectedFile(
            f"{original_name}: {info.duration_s:.0f} s is longer than a clip's "
            f"{settings.CLIP_MAX_SECONDS} s."
        )
    if EmbeddingModel.objects.active() is None:
        return []
    unavailable = "No worker could analyse the clip just now; please try again in a minute."
    try:
        if not _a_worker_answers():
            raise ClipServiceUnavailable(unavailable)
    except BROKER_DOWN_ERRORS as exc:
        raise ClipServiceUnavailable(unavailable) from exc
    with path.open("rb") as handle:
        name = default_storage.save(f"clips/{uuid.uuid4().hex}{path.suffix[:8]}", File(handle))
    try:
        result = (
            catalogue_task("embed_clip")
            .apply_async(args=[name], expires=settings.CLIP_TIMEOUT_S)
            .get(timeout=settings.CLIP_TIMEOUT_S)
        )
    except (CeleryTimeout, *BROKER_DOWN_ERRORS) as exc:
        raise ClipServiceUnavailable(unavailable) from exc
    finally:
        default_storage.delete(name)
    if "error" in result:
        raise RejectedFile(result["error"].replace(Path(name).name, original_name))
    embedding_model = EmbeddingModel.objects.get(id=result["model"])
    return songs_near_vector(vector=result["vector"], embedding_model=embedding_model, k=k)
