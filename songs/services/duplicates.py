"""Near-duplicates: finding two files of one recording from their embeddings, and merging them.

A pair is looked for when a song becomes ready (one k-nearest query through the HNSW index, in
the raw backbone space) and over the whole catalogue on demand; ml.duplicates decides. A manager
then merges the pair, keeping one song, or dismisses it. The apps that keep data on songs move
theirs to the song kept when the merge announces itself (songs.signals.songs_merging): playlists
moves the entries, favourites, ratings and plays.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Subquery
from django.utils import timezone

from ml.duplicates import is_near_duplicate
from neuralnotes.errors import DomainError
from songs.models import EmbeddingModel, NearDuplicate, Song
from songs.selectors.similarity import songs_near_vector
from songs.signals import replies_merged, songs_merging

logger = logging.getLogger(__name__)

# Neighbours looked at per song: more copies of one recording than this are rare, and each
# merge looks again.
NEIGHBOURS = 10
SCAN_BATCH = 500


class MergeError(DomainError, ValueError):
    """Two songs cannot be merged; the message says why."""


def duplicate_space() -> EmbeddingModel | None:
    """The embedding model duplicates are looked for in: the unstandardised backbone model,
    whose vectors are the songs' raw features (ml.duplicates says why that space), made with the
    first analysed song and filled in for every song since, whichever model is active."""
    return (
        EmbeddingModel.objects.filter(
            kind=EmbeddingModel.Kind.BACKBONE,
            state=EmbeddingModel.State.READY,
            is_fitted=False,
        )
        .only("id", "kind", "name")
        .order_by("created_at", "id")
        .first()
    )


def _store_pairs(found: list[tuple[int, int, float]]) -> list[NearDuplicate]:
    """Write (song id, song id, distance) pairs, each once with the lower id first; a pair seen
    before gets the new distance and keeps its dismissal."""
    rows = {}
    for a, b, distance in found:
        if a != b:
            rows[(min(a, b), max(a, b))] = distance
    return NearDuplicate.objects.bulk_create(
        [NearDuplicate(song_id=a, other_id=b, distance=d) for (a, b), d in sorted(rows.items())],
        update_conflicts=True,
        unique_fields=["song", "other"],
        update_fields=["distance", "found_at"],
    )


def near_duplicates_find_for(*, song: Song) -> list[NearDuplicate]:
    """Store the pairs ``song`` makes with its nearest songs that the rule calls near-duplicates
    (one HNSW query); returns them. Nothing before the first song is analysed."""
    embedding_model = duplicate_space()
    if embedding_model is None:
        return []
    own = embedding_model.vectors().filter(song_id=song.id).values("vector")[:1]
    # The nearest NEIGHBOURS, kept below the distance here: asked of the index as a filter,
    # its iterative scan would go on through up to 20,000 vectors for a song that has no
    # copy, most songs (50 ms of the database's time a song, which set an import's pace).
    nearest = songs_near_vector(
        vector=Subquery(own),
        embedding_model=embedding_model,
        k=NEIGHBOURS,
        exclude=song,
        fields=("id",),
    )
    return _store_pairs(
        [
            (song.id, other.id, distance)
            for other, distance in nearest
            if is_near_duplicate(distance, max_distance=settings.NEAR_DUPLICATE_MAX_DISTANCE)
        ]
    )


def _nearest_in_batch(
    embedding_model: EmbeddingModel, song_ids: list[int]
) -> list[tuple[int, int, float]]:
    """(song, neighbour, distance) for each song's NEIGHBOURS nearest analysed songs within the
    threshold, one HNSW search per song in one statement."""
    table = embedding_model.vector_table._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT mine.song_id, near.song_id, near.distance
            FROM {table} AS mine
            CROSS JOIN LATERAL (
                SELECT other.song_id, other.vector <=> mine.vector AS distance
                FROM {table} AS other
                WHERE other.model_id = %s AND other.song_id <> mine.song_id
                ORDER BY other.vector <=> mine.vector
                LIMIT %s
            ) AS near
            WHERE mine.model_id = %s AND mine.song_id = ANY(%s) AND near.distance <= %s
            """,
            [
                embedding_model.id,
                NEIGHBOURS,
                embedding_model.id,
                song_ids,
                settings.NEAR_DUPLICATE_MAX_DISTANCE,
            ],
        )
        return cursor.fetchall()


def near_duplicates_scan() -> int:
    """Look for near-duplicates over the whole catalogue, SCAN_BATCH songs at a time, and store
    them in place of what earlier searches found (dismissals stay). Returns the number of pairs
    found."""
    embedding_model = duplicate_space()
    if embedding_model is None:
        return 0
    started = timezone.now()
    ready = Song.objects.ready()
    found = 0
    last_id = 0
    while batch := list(
        ready.filter(id__gt=last_id).order_by("id").values_list("id", flat=True)[:SCAN_BATCH]
    ):
        last_id = batch[-1]
        pairs = _nearest_in_batch(embedding_model, batch)
        ready_ids = set(ready.filter(id__in={b for _, b, _ in pairs}).values_list("id", flat=True))
        kept = [
            (a, b, d)
            for a, b, d in pairs
            if b in ready_ids
            and is_near_duplicate(d, max_distance=settings.NEAR_DUPLICATE_MAX_DISTANCE)
        ]
        found += len({(min(a, b), max(a, b)) for a, b, _ in kept})
        _store_pairs(kept)
    # What earlier searches found and this one did not (another threshold, another space) goes;
    # a pair stored meanwhile by a song's own search has a newer found_at and stays.
    NearDuplicate.objects.filter(dismissed=False, found_at__lt=started).delete()
    logger.info("near-duplicate scan", extra={"pairs": found, "model": embedding_model.name})
    return found


def near_duplicate_dismiss(*, pair: NearDuplicate) -> NearDuplicate:
    """A manager says the two are different songs: the pair stays stored (a later scan finds it
    again and must not offer it again) but is no longer shown."""
    pair.dismissed = True
    pair.save(update_fields=["dismissed"])
    return pair


def better_file(a: Song, b: Song) -> Song:
    """The one of two copies to keep by default: the higher sample rate, then the bigger file
    (more bits per second of the same music), then the longer one, then the older song."""

    def quality(song: Song) -> tuple:
        return (song.sample_rate or 0, song.size_bytes or 0, song.duration_s or 0, -song.id)

    return a if quality(a) >= quality(b) else b


@dataclass(frozen=True)
class MergeOutcome:
    """What a merge moved to the song kept, and what it had to drop (the song twice in a list
    that does not allow it; a listener's two ratings). The counts are filled in by the receivers
    of songs.signals.songs_merging, by these names."""

    kept: Song
    dropped: int  # the id the deleted song had
    entries_moved: int = 0
    entries_dropped: int = 0
    ratings_moved: int = 0
    ratings_dropped: int = 0
    plays_moved: int = 0


def songs_merge(*, keep: Song, drop: Song) -> MergeOutcome:
    """Make ``drop`` part of ``keep`` and delete it, in one transaction.

    With both songs locked, songs_merging lets each app move what it keeps about ``drop`` to
    ``keep`` (playlists: playlists.song_changes.listener_rows_move) before ``drop`` is deleted.
    ``drop``'s files are deleted once the transaction commits.
    """
    if keep.id == drop.id:
        raise MergeError("A song cannot be merged into itself.")
    with transaction.atomic():
        locked = {
            s.id: s for s in Song.objects.select_for_update().filter(id__in=[keep.id, drop.id])
        }
        if len(locked) != 2:
            raise MergeError("One of the two songs is no longer in the catalogue.")
        keep, drop = locked[keep.id], locked[drop.id]
        counts = replies_merged(songs_merging.send(sender=Song, keep=keep, drop=drop))
        files = [drop.audio.name, drop.spectrogram.name]
        cover = drop.cover.name
        drop_id = drop.id
        drop.delete()  # its vectors, map points and near-duplicate pairs go with it
        if cover and not Song.objects.filter(cover=cover).exists():
            files.append(cover)
        transaction.on_commit(lambda: delete_files([name for name in files if name]))
        near_duplicates_find_for(song=keep)  # the dropped song's other copies are keep's now
    outcome = MergeOutcome(kept=keep, dropped=drop_id, **counts)
    logger.info(
        "songs merged",
        extra={
            "kept": keep.id,
            "dropped": drop_id,
            "entries": outcome.entries_moved,
            "plays": outcome.plays_moved,
        },
    )
    return outcome


def delete_files(names: list[str]) -> None:
    """Delete stored files of songs that are gone. A library indexed in place is only linked to:
    deleting the link leaves the library's own file alone."""
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("could not delete a deleted song's file", extra={"file": name})


def near_duplicate_merge(*, pair: NearDuplicate, keep: Song | None = None) -> MergeOutcome:
    """Merge the two songs of ``pair``; ``keep`` (one of the two) or by default the better
    file (better_file) is the one that stays."""
    a, b = pair.song, pair.other
    if keep is None:
        keep = better_file(a, b)
    if keep.id not in (a.id, b.id):
        raise MergeError("The song to keep must be one of the pair.")
    return songs_merge(keep=keep, drop=b if keep.id == a.id else a)
