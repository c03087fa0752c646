"""Reads made from a listener's own listening history: songs like what they play, songs new to
them, and where on the map their listening lives. Each answer is computed from the history's rows
when asked (nothing is stored), so a deleted play is forgotten at once, and only the user's own
plays are ever read.

The plays are weighed in one SQL aggregate (the formula of ml.taste.play_weights, written for
PostgreSQL), so that a long history comes back as a row per song rather than per play; at most
SEED_SONGS liked and SKIPPED_SEEDS skipped songs' vectors are read (in binary), ml.taste's
taste_centres turns them into up to MAX_CENTRES centres (kept in the cache until the history
changes), and one query searches the HNSW index from each. These three queries are written in
SQL: for "more like what I play" to answer within 30 ms (1,000 plays, 100,000 songs), Django's
building of them cost more than running them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Max
from django.utils import timezone
from pgvector import Vector

from ml.taste import HALF_LIFE_DAYS, SKIP_WEIGHT, taste_centres
from playlists.models import Play
from songs.models import EmbeddingModel, Song
from songs.selectors.catalogue import SONG_LIST_FIELDS
from songs.selectors.similarity import active_embedding_model

SEED_SONGS = 200  # the most liked songs that make the centres
SKIPPED_SEEDS = 50  # the most skipped songs that push them away
MAX_CENTRES = 3
# "More like what I play" leaves out what was heard this recently: the listener has just heard
# it, and would get back today's plays. Songs played longer ago may come back (rediscoveries).
RECENTLY_HEARD = timedelta(hours=24)
# The centres change with every play; between plays, only as the weights decay (days).
TASTE_CACHE_S = 600

# A play's weight is ml.taste.play_weights of ml.taste.heard_fractions: the share of the song
# heard (1 when the seconds or the song's length are unknown), or -SKIP_WEIGHT for a skip, halved
# every HALF_LIFE_DAYS since the play (one after "now" counts as now). Summed per song.
_WEIGHTS_SQL = f"""
SELECT play.song_id,
       SUM(
         CASE WHEN play.skipped THEN -%(skip_weight)s::float8
         ELSE COALESCE(GREATEST(0, LEAST(1, play.seconds_heard / NULLIF(song.duration_s, 0))), 1)
         END
         * POWER(0.5, GREATEST(EXTRACT(EPOCH FROM (%(now)s - play.played_at))::float8, 0)
                      / 86400 / %(half_life_days)s::float8)
       ) AS weight,
       MAX(play.played_at) AS last_played
FROM {Play._meta.db_table} play
JOIN {Song._meta.db_table} song ON song.id = play.song_id
WHERE play.user_id = %(user)s AND (song.status = %(ready)s OR NOT %(ready_only)s)
GROUP BY play.song_id
ORDER BY weight DESC, play.song_id
"""


def song_weights(
    *, user: User, now: datetime | None = None, ready_only: bool = False
) -> list[tuple[int, float, datetime]]:
    """The user's played songs, one (song id, weight, last played) each, heaviest first: the
    weight is the sum of the song's plays' (positive: liked; negative: skipped more than liked).
    ``ready_only``: only songs that are analysed (on the map)."""
    params = {
        "user": user.id,
        "now": now or timezone.now(),
        "skip_weight": SKIP_WEIGHT,
        "half_life_days": HALF_LIFE_DAYS,
        "ready": Song.Status.READY.value,
        "ready_only": ready_only,
    }
    with connection.cursor() as cursor:
        cursor.execute(_WEIGHTS_SQL, params)
        return cursor.fetchall()


def _weighed(user: User, now: datetime) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """song_weights as arrays: (n,) ids, (n,) weights, (n,) last played (datetime64, UTC)."""
    rows = song_weights(user=user, now=now)
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0), np.zeros(0, "datetime64[us]")
    ids, weights, last = zip(*rows, strict=True)
    return (
        np.array(ids, np.int64),
        np.array(weights, np.float64),
        np.array([t.astimezone(UTC).replace(tzinfo=None) for t in last], "datetime64[us]"),
    )


def _vectors(embedding_model: EmbeddingModel, song_ids: list[int]) -> dict[int, np.ndarray]:
    """The songs' vectors in ``embedding_model``, read in pgvector's binary form: parsing the
    text form of 250 vectors would cost more than the rest."""
    table = embedding_model.vector_table._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT song_id, vector_send(vector) FROM {table} "
            "WHERE model_id = %s AND song_id = ANY(%s::bigint[])",
            [embedding_model.id, song_ids],
        )
        return {song_id: Vector.from_binary(raw).to_numpy() for song_id, raw in cursor}


def _centres(
    embedding_model: EmbeddingModel, user: User, ids: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """ml.taste.taste_centres of the SEED_SONGS most liked and SKIPPED_SEEDS most skipped songs
    (``ids`` and ``weights`` heaviest first, as song_weights gives them): (k, d), maybe k = 0."""
    if not (weights > 0).any():
        return np.zeros((0, embedding_model.dimension), np.float32)
    seeds = np.concatenate([ids[weights > 0][:SEED_SONGS], ids[weights < 0][::-1][:SKIPPED_SEEDS]])
    vectors = _vectors(embedding_model, seeds.tolist())
    by_song = dict(zip(ids.tolist(), weights.tolist(), strict=True))
    seeds = [song_id for song_id in seeds.tolist() if song_id in vectors]
    if not seeds:
        return np.zeros((0, embedding_model.dimension), np.float32)
    return taste_centres(
        np.stack([vectors[song_id] for song_id in seeds]),
        np.array([by_song[song_id] for song_id in seeds]),
        max_centres=MAX_CENTRES,
        seed=user.id,
    )


def _nearest_each(
    embedding_model: EmbeddingModel, centres: np.ndarray, k: int, excluded: list[int]
) -> list[tuple[Song, float]]:
    """The k songs nearest to the centres, taken from each centre's nearest in turn (the
    heaviest centre first), each song once, with its cosine distance to the centre that found
    it. One query: a branch per centre, each an HNSW index scan whose filter leaves ``excluded``
    out (pgvector's iterative scan goes on until k rows pass it)."""
    table = embedding_model.vector_table._meta.db_table
    branch = (
        f"(SELECT %s AS centre, song_id, vector <=> %s::vector AS distance FROM {table} "
        "WHERE model_id = %s AND NOT (song_id = ANY(%s::bigint[])) ORDER BY distance LIMIT %s)"
    )
    params = []
    for i, centre in enumerate(centres):
        vector = "[" + ",".join(f"{x:.7g}" for x in centre.tolist()) + "]"
        params += [i, vector, embedding_model.id, excluded, k]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join([branch] * len(centres)), params)
        found: list[list[tuple[int, float]]] = [[] for _ in centres]
        for centre, song_id, distance in cursor:
            found[centre].append((song_id, distance))
    for rows in found:
        rows.sort(key=lambda row: (row[1], row[0]))
    order: list[tuple[int, float]] = []
    seen: set[int] = set()
    for rank in range(k):
        for rows in found:
            if rank < len(rows) and rows[rank][0] not in seen and len(order) < k:
                seen.add(rows[rank][0])
                order.append(rows[rank])
    songs = Song.objects.ready().only(*SONG_LIST_FIELDS).in_bulk([song_id for song_id, _ in order])
    return [(songs[song_id], d) for song_id, d in order if song_id in songs]


def _taste(user: User, embedding_model: EmbeddingModel, now: datetime) -> tuple[np.ndarray, ...]:
    """(centres, played song ids, their weights, their last plays) of the user, remembered in
    the cache until the history changes (its newest play and its number of plays are in the key,
    so a new or deleted play computes them again) or TASTE_CACHE_S pass (the weights decay)."""
    marker = Play.objects.filter(user=user).aggregate(newest=Max("id"), plays=Count("id"))
    key = f"taste:{user.id}:{embedding_model.id}:{marker['newest']}:{marker['plays']}"
    taste = cache.get(key)
    if taste is None:
        ids, weights, last_played = _weighed(user, now)
        taste = (_centres(embedding_model, user, ids, weights), ids, weights, last_played)
        cache.set(key, taste, TASTE_CACHE_S)
    return taste


def songs_like_my_plays(*, user: User, k: int = 20) -> list[tuple[Song, float]]:
    """Up to k songs near what the user plays (the centres of their liked songs, pushed away
    from what they skip), with cosine distances; never a song they skip more than they like, nor
    one heard in the last RECENTLY_HEARD. Songs they liked longer ago may be among them. No
    history (or no embedding model): []."""
    embedding_model = active_embedding_model()
    if embedding_model is None:
        return []
    now = timezone.now()
    centres, ids, weights, last_played = _taste(user, embedding_model, now)
    if not len(centres):
        return []
    recent = np.datetime64((now - RECENTLY_HEARD).astimezone(UTC).replace(tzinfo=None))
    excluded = ids[(weights < 0) | (last_played >= recent)]
    return _nearest_each(embedding_model, centres, k, excluded.tolist())


def songs_new_to_me(*, user: User, k: int = 20) -> list[tuple[Song, float]]:
    """Up to k songs near what the user plays (the same centres as songs_like_my_plays) that
    they have never played, with cosine distances. No history: []."""
    embedding_model = active_embedding_model()
    if embedding_model is None:
        return []
    centres, ids, _, _ = _taste(user, embedding_model, timezone.now())
    if not len(centres):
        return []
    return _nearest_each(embedding_model, centres, k, ids.tolist())


def listening_map(*, user: User) -> tuple[list[int], list[float]]:
    """Where on the map the user's listening lives: the ids of the analysed songs they played,
    ascending, and each song's weight (negative: skipped more than liked), for an overlay."""
    rows = sorted(song_weights(user=user, ready_only=True))
    return [song_id for song_id, _, _ in rows], [round(weight, 4) for _, weight, _ in rows]
