"""Query by example: which catalogue songs sound like a clip a listener uploads?

The clip is analysed on a worker (where the model is loaded) while the web request waits for the
result, so web processes never load TensorFlow. The clip is deleted afterwards: it never becomes
a song.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np
from celery.exceptions import TimeoutError as CeleryTimeout
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from kombu.exceptions import OperationalError

from songs.models import EmbeddingModel, Song
from songs.selectors import songs_near_vector
from songs.services.ingestion import RejectedFile, validate_audio_file


class ClipServiceUnavailable(RuntimeError):
    """No worker analysed the clip in time; the message says so."""


def clip_embed(*, storage_name: str) -> tuple[EmbeddingModel, np.ndarray]:
    """On a worker: the clip's vector in the active embedding model's space."""
    from ml.analysis import analyse_file
    from ml.audio import InvalidAudio
    from songs.services.analysis import local_file, worker_backbone, worker_tagger
    from songs.services.embeddings import model_input, vectors_for

    model = EmbeddingModel.objects.get(is_active=True)
    try:
        with local_file(storage_name) as path:
            analysis = analyse_file(
                path, backbone=worker_backbone(), tagger=worker_tagger(), patch_budget=None
            )
    except InvalidAudio as exc:  # named by the stored name, as the caller knows it
        raise RejectedFile(str(exc).replace(path.name, Path(storage_name).name)) from exc
    vectors, _ = vectors_for(model, model_input(model, analysis)[None])
    return model, vectors[0]


def songs_like_clip(*, path: Path, original_name: str, k: int = 10) -> list[tuple[Song, float]]:
    """The k catalogue songs nearest to an audio clip of at most CLIP_MAX_SECONDS."""
    from songs.tasks import embed_clip

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
    if not EmbeddingModel.objects.filter(is_active=True).exists():
        return []
    with path.open("rb") as handle:
        name = default_storage.save(f"clips/{uuid.uuid4().hex}{path.suffix[:8]}", File(handle))
    try:
        result = embed_clip.apply_async(args=[name]).get(timeout=settings.CLIP_TIMEOUT_S)
    except (CeleryTimeout, OperationalError) as exc:
        raise ClipServiceUnavailable(
            "No worker could analyse the clip just now; please try again in a minute."
        ) from exc
    finally:
        default_storage.delete(name)
    if "error" in result:
        raise RejectedFile(result["error"].replace(Path(name).name, original_name))
    model = EmbeddingModel.objects.get(id=result["model"])
    return songs_near_vector(vector=result["vector"], model=model, k=k)
