"""Every song's tag vector in this process's memory, for word search.

An exact scan of 100,000 tag vectors in PostgreSQL took about 40 ms (tuple by tuple, whatever the
vector type or the parallel workers), and pgvector's HNSW index cannot serve these queries: a
query weighs only the few tags its words name, and an approximate inner-product search over the
graph found a tenth of the true top 50 (bench/discovery.py). In memory, 100,000 x 100 half-precision
floats are 20 MB (200 MB at a million songs, in each web process), and ranking them by a few
weighted columns takes about a millisecond. Half precision keeps a log-probability to three
significant digits, more than the tagging models' own precision; the weighted sum is taken in
single precision.

The copy stays fresh cheaply: every written tag vector gets the next revision from a sequence
that never repeats (songs.models.TagVector), so a search first asks the database for the newest
and the oldest revision (two ends of an index) and reads only the rows written since. A revision
is taken when a row is inserted but seen when its transaction commits, so rows a little older than
the newest seen are read again (REREAD_REVISIONS). When the oldest revision is not the copy's
oldest any more (its row was deleted, or the table emptied and filled again), the whole copy is
read again. Rows of other deleted songs linger: callers drop songs that are no longer there.
"""

from __future__ import annotations

import threading

import numpy as np
from django.db.models import Max, Min

from neuralnotes.binary_copy import copy_rows, int4, vector
from songs.models import TagVector
from songs.models.catalogue import TAG_COUNT

REREAD_REVISIONS = 100  # more than the tag vectors being written at one moment


class TagMatrix:
    """song ids (n,) and their log-probability tag vectors (n, 100) float16."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self.ids = np.zeros(0, np.int64)
        self.rows = np.zeros((0, 2 * TAG_COUNT), np.float16)
        # Song id -> its row + 1 (0: none). Song ids are dense (a sequence), so an array indexed
        # by id is a few bytes a song, where a dict took a hundred.
        self.position = np.zeros(0, np.int32)
        self.revision = 0  # the newest revision read
        self.oldest = 0  # the oldest revision in the table when it was read whole

    def refresh(self) -> None:
        """Read what was written since the last look (everything, the first time)."""
        with self._lock:
            state = TagVector.objects.aggregate(newest=Max("revision"), oldest=Min("revision"))
            newest, oldest = state["newest"] or 0, state["oldest"] or 0
            if oldest != self.oldest:
                self._reset()
                self._merge(_read(0))
                self.oldest = oldest
            elif newest > self.revision:
                self._merge(_read(self.revision - REREAD_REVISIONS))
            self.revision = newest

    def _merge(self, read: tuple[np.ndarray, np.ndarray]) -> None:
        ids, vectors = read
        if not len(ids):
            return
        if ids.max() >= len(self.position):
            grown = np.zeros(max(int(ids.max()) + 1, 2 * len(self.position)), np.int32)
            grown[: len(self.position)] = self.position
            self.position = grown
        at = self.position[ids] - 1
        known = at >= 0
        self.rows[at[known]] = vectors[known]
        fresh = ids[~known]
        if len(fresh):
            start = len(self.ids)
            self.ids = np.concatenate([self.ids, fresh])
            # Column-major: a query reads a few whole columns (its tags) of every row.
            self.rows = np.asfortranarray(np.concatenate([self.rows, vectors[~known]]))
            self.position[fresh] = np.arange(start + 1, start + 1 + len(fresh), dtype=np.int32)

    def best(
        self, weights: dict[int, float], k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """The k songs with the highest weighted sum of the weighted tags' log-probabilities,
        best first (equal scores by song id): (song id, score) pairs. ``allowed``: song ids the
        answer must come from, or None for every song."""
        self.refresh()
        with self._lock:
            ids, rows = self.ids, self.rows
        columns = np.fromiter(weights, np.int64, len(weights))
        scores = rows[:, columns] @ np.fromiter(weights.values(), np.float32, len(weights))
        if allowed is not None:
            scores = np.where(np.isin(ids, allowed), scores, -np.inf)
        k = min(k, int(np.isfinite(scores).sum()))
        if k <= 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        order = np.lexsort((ids[top], -scores[top]))
        return [(int(ids[top[i]]), float(scores[top[i]])) for i in order]


def _read(since: int) -> tuple[np.ndarray, np.ndarray]:
    """(song ids, tag vectors (n, 100) float16) with a revision above ``since``, read with one
    binary COPY (neuralnotes.binary_copy): a vector object per row made a process's first
    search take ten seconds at a million songs and left a gigabyte behind."""
    rows = copy_rows(
        f"SELECT song_id::int4, log_probabilities FROM {TagVector._meta.db_table} "
        "WHERE revision > %s",
        [since],
        [int4("id"), vector("tags", 2 * TAG_COUNT)],
    )
    return rows["id"].astype(np.int64), rows["tags"].astype(np.float16)


tag_matrix = TagMatrix()
