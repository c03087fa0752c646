"""Automatic clusters, so that a catalogue without genre labels still gets colours, names and
mixes: each cluster is named from the tags and genres it has most, and its songs are ranked by
how typical of it they are."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from ml.projection import unit_rows

MAX_CLUSTERS = 12
FIT_SAMPLE = 100_000  # songs k-means is fitted on
# A genre names a cluster when at least this share of its songs have it (and more than the
# catalogue as a whole has it: a catalogue of one genre does not call every cluster by it).
GENRE_SHARE = 0.4
MAX_GENRES = 2
# A tag names a cluster only if the cluster has it by at least this much more than the catalogue.
MIN_LIFT = 0.01
# Rounds of adding a word to names that coincide, before they are told apart by a number.
DISAMBIGUATION_ROUNDS = 3

# The two tagging models say some things in several ways; a name says each once.
_SAME_WORD = {
    "female vocalist": "female vocals",
    "female vocalists": "female vocals",
    "female vocal": "female vocals",
    "female voice": "female vocals",
    "female": "female vocals",
    "woman": "female vocals",
    "male vocalists": "male vocals",
    "male vocal": "male vocals",
    "male voice": "male vocals",
    "male": "male vocals",
    "man": "male vocals",
    "vocal": "vocals",
    "voice": "vocals",
    "singing": "vocals",
    "no vocal": "instrumental",
    "no vocals": "instrumental",
    "no voice": "instrumental",
    "beats": "beat",
    "classic": "classical",
    "choral": "choir",
    "electronica": "electronic",
    "chill": "chillout",
}
_DISPLAY = {"rnb": "R&B", "hip-hop": "Hip-Hop"}


def cluster_songs(
    vectors: np.ndarray, *, seed: int = 0, n_clusters: int | None = None
) -> np.ndarray:
    """k-means on unit-length embeddings (so on cosine geometry): (n, d) -> (n,) int labels.

    Without `n_clusters`, about sqrt(n / 4) clusters, between 2 and MAX_CLUSTERS."""
    from sklearn.cluster import KMeans

    n = len(vectors)
    if n < 4:
        return np.zeros(n, int)
    k = n_clusters or int(np.clip(round(np.sqrt(n / 4)), 2, MAX_CLUSTERS))
    units = unit_rows(vectors)
    # A dozen centres are as well placed from a sample of FIT_SAMPLE songs as from a million,
    # in a tenth of the time; every song then goes to its nearest centre.
    fit = units
    if n > FIT_SAMPLE:
        fit = units[np.random.default_rng(seed).choice(n, FIT_SAMPLE, replace=False)]
    means = KMeans(n_clusters=min(k, n), n_init=4, random_state=seed).fit(fit)
    return means.labels_ if fit is units else means.predict(units)


def typical_order(vectors: np.ndarray, labels: np.ndarray) -> list[np.ndarray]:
    """Per cluster 0..max(labels), the row indices of its songs, the most typical first: nearest
    (cosine) to the mean direction of the cluster's unit vectors; ties in row order.

    vectors: (n, d); labels: (n,) int. A cluster without songs gets an empty array."""
    labels = np.asarray(labels)
    units = unit_rows(vectors)
    order = []
    for cluster in range(int(labels.max()) + 1 if len(labels) else 0):
        rows = np.flatnonzero(labels == cluster)
        if not len(rows):
            order.append(rows)
            continue
        centre = units[rows].mean(axis=0)
        centre /= np.linalg.norm(centre) or 1.0
        order.append(rows[np.argsort(-(units[rows] @ centre), kind="stable")])
    return order


def _canonical(word: str) -> str:
    word = word.strip().lower()
    return _SAME_WORD.get(word, word)


def _display(word: str) -> str:
    return _DISPLAY.get(word.lower(), word[:1].upper() + word[1:])


class _TagSet(NamedTuple):
    tags: np.ndarray  # (n, t) float64 probabilities
    present: np.ndarray  # (n,) bool: the song has this model's tags
    overall: np.ndarray  # (t,) the catalogue's mean probabilities (songs that have them)
    names: Sequence[str]


def _tag_set(probabilities: np.ndarray, names: Sequence[str]) -> _TagSet:
    tags = np.asarray(probabilities, dtype=np.float64)
    present = ~np.isnan(tags).any(axis=1)
    overall = tags[present].mean(axis=0) if present.any() else np.zeros(len(names))
    return _TagSet(tags, present, overall, names)


def _tag_candidates(in_cluster: np.ndarray, tag_sets: Sequence[_TagSet]) -> list[str]:
    """Canonical tag words the cluster has above the catalogue's average, most first.

    A tag's lift is the cluster's mean probability minus the catalogue's: both models answer
    probabilities, and a plain difference favours the tags that set the cluster apart by a wide
    margin (a ratio would make much of a rare tag's noise). Songs without a model's tags (NaN
    rows) count for neither mean."""
    scored: list[tuple[float, str]] = []
    for tag_set in tag_sets:
        mine = tag_set.present & in_cluster
        if not mine.any():
            continue
        lift = tag_set.tags[mine].mean(axis=0) - tag_set.overall
        scored += [
            (float(lift[i]), tag_set.names[i])
            for i in range(len(tag_set.names))
            if lift[i] > MIN_LIFT
        ]
    words: list[str] = []
    for _, name in sorted(scored, key=lambda s: -s[0]):
        word = _canonical(name)
        if word not in words:
            words.append(word)
    return words


def _dominant_genres(
    in_cluster: np.ndarray, genres: Sequence[str], overall: Counter[str]
) -> list[str]:
    """The genres at least GENRE_SHARE of the cluster's songs have, more than the catalogue
    (``overall``: songs per genre in the catalogue)."""
    size = int(in_cluster.sum())
    if not size:
        return []
    mine = Counter(genres[i] for i in np.flatnonzero(in_cluster) if genres[i])
    ranked = sorted(mine.items(), key=lambda item: (-item[1], item[0]))
    return [
        genre
        for genre, count in ranked
        if count / size >= GENRE_SHARE and count / size > overall[genre] / len(genres)
    ][:MAX_GENRES]


def name_clusters(
    labels: np.ndarray,
    *,
    tag_sets: Sequence[tuple[np.ndarray, Sequence[str]]],
    genres: Sequence[str],
    words: int = 3,
) -> list[tuple[str, list[str]]]:
    """A name and its words per cluster 0..max(labels), e.g. ("Piano · Mellow · Classical",
    ["Piano", "Mellow", "Classical"]): the tags the cluster has most above the catalogue's
    average, then the genres most of its songs have; no two clusters get the same name.

    labels: (n,) int. tag_sets: (probabilities (n, t) in [0, 1], with a row of NaN for a song
    the model did not tag; the t tag names) per tagging model. genres: (n,) a song's genre
    ("" if none). ``words``: how many words a name has, unless it needs more to be distinct."""
    labels = np.asarray(labels)
    n_clusters = int(labels.max()) + 1 if len(labels) else 0
    overall = Counter(g for g in genres if g)
    prepared = [_tag_set(probabilities, names) for probabilities, names in tag_sets]
    genre_words, tag_words, spare = [], [], []
    for cluster in range(n_clusters):
        in_cluster = labels == cluster
        own_genres = _dominant_genres(in_cluster, genres, overall)
        taken = {_canonical(g) for g in own_genres}
        candidates = [w for w in _tag_candidates(in_cluster, prepared) if w not in taken]
        count = max(words - len(own_genres), 1)
        genre_words.append(own_genres)
        tag_words.append(candidates[:count])
        spare.append(candidates[count:])

    def composed(cluster: int) -> list[str]:
        return [_display(w) for w in tag_words[cluster]] + [
            _display(g) for g in genre_words[cluster]
        ]

    def name(cluster: int) -> str:
        return " · ".join(composed(cluster)) or f"Cluster {cluster + 1}"

    for _ in range(DISAMBIGUATION_ROUNDS):
        groups: dict[str, list[int]] = {}
        for cluster in range(n_clusters):
            groups.setdefault(name(cluster).casefold(), []).append(cluster)
        clashes = [members for members in groups.values() if len(members) > 1]
        if not clashes:
            break
        for members in clashes:
            for cluster in members:  # each gets its own next most typical word
                if spare[cluster]:
                    tag_words[cluster].append(spare[cluster].pop(0))

    named, seen = [], Counter()
    for cluster in range(n_clusters):
        text = name(cluster)
        seen[text.casefold()] += 1
        if seen[text.casefold()] > 1:  # still the same after every word it has: a number
            text = f"{text} ({seen[text.casefold()]})"
        named.append((text, composed(cluster)))
    return named
