"""Songs made directly in the database, for tests of what comes after analysis."""

import secrets

import numpy as np
from django.utils import timezone

from ml.tags import MSD_TAGS, MTT_TAGS
from songs.models import Song
from songs.models.catalogue import BACKBONE_DIM, DESCRIPTOR_DIM
from songs.services.ingestion import catalogue_get_or_create

GENRES = ["folk", "metal", "techno"]


def make_songs(
    per_genre: int = 12,
    unlabelled: int = 3,
    seed: int = 0,
    spread: float = 1.0,
    *,
    descriptors: bool = False,
    batch=None,
) -> list[Song]:
    """Analysed songs whose features (and with ``descriptors`` their descriptors) form one
    cluster per genre (plus a few unlabelled), in ``batch`` if given."""
    rng = np.random.default_rng(seed)
    centres = {genre: rng.normal(0, 1, BACKBONE_DIM) * 3 for genre in GENRES}
    descriptor_rng = np.random.default_rng(seed + 1)
    descriptor_centres = {g: descriptor_rng.normal(0, 1, DESCRIPTOR_DIM) * 3 for g in GENRES}
    catalogue = batch.catalogue if batch is not None else catalogue_get_or_create()
    songs = []
    rows = [(g, centres[g]) for g in GENRES for _ in range(per_genre)]
    rows += [("", centres[GENRES[i % 3]]) for i in range(unlabelled)]
    for i, (genre, centre) in enumerate(rows):
        descriptor = None
        if descriptors:
            centre_d = descriptor_centres[genre or GENRES[i % 3]]
            noise = spread * descriptor_rng.normal(0, 1, DESCRIPTOR_DIM)
            descriptor = (centre_d + noise).astype(np.float32)
        songs.append(
            Song(
                catalogue=catalogue, batch=batch, title=f"s{i}", genre=genre,
                original_name=f"s{i}.wav", content_sha256=secrets.token_hex(32), size_bytes=1,
                status=Song.Status.READY, analysed_at=timezone.now(),
                features=(centre + spread * rng.normal(0, 1, BACKBONE_DIM)).astype("float32"),
                descriptor=descriptor,
                msd_tag_probabilities=rng.uniform(0, 1, 50).tolist(),
                mfcc_stats=rng.normal(0, 1, 40).astype(np.float32),
            )
        )  # fmt: skip
    return Song.objects.bulk_create(songs)


def make_embedded_songs(**kwargs) -> list[Song]:
    """make_songs, with vectors in the (active) raw backbone embedding model."""
    from songs.services.embeddings import backbone_model_ensure, song_embed

    songs = make_songs(**kwargs)
    backbone_model_ensure()
    for song in songs:
        song_embed(song=song)
    return songs


def make_song(n: int, status: str, **fields) -> Song:
    """Song number ``n`` in ``status``, with no audio: for counts and lists by state."""
    return Song.objects.create(
        **{
            "catalogue": catalogue_get_or_create(),
            "title": f"song {n}",
            "original_name": f"song-{n}.mp3",
            "content_sha256": f"{n:064x}",
            "size_bytes": 1,
            "status": status,
            **fields,
        }
    )


def give_tags(song: Song, **probabilities: float) -> Song:
    """Tag probabilities of 0.05 everywhere but the named tags (either model's, by name;
    ``_`` for a space), and the song's tag vector for word search."""
    from songs.services.analysis import song_tag_vector_store

    msd = np.full(len(MSD_TAGS), 0.05)
    mtt = np.full(len(MTT_TAGS), 0.05)
    for name, p in probabilities.items():
        name = name.replace("_", " ")
        for tags, values in ((MSD_TAGS, msd), (MTT_TAGS, mtt)):
            for i, tag in enumerate(tags):
                if tag.lower() == name.lower():
                    values[i] = p
    song.msd_tag_probabilities, song.mtt_tag_probabilities = msd.tolist(), mtt.tolist()
    song.save(update_fields=["msd_tag_probabilities", "mtt_tag_probabilities"])
    song_tag_vector_store(song=song)
    return song
