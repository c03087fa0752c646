"""Search by free words: tag words ranked by their probabilities, genre and name words filter."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.contrib.postgres.search import SearchQuery
from django.core.cache import cache
from django.db.models import Q, QuerySet

from ml.vocabulary import Understanding, tag_weights, understand
from songs.models import Song
from songs.selectors.catalogue import SONG_LIST_FIELDS
from songs.tag_matrix import tag_matrix

GENRES_CACHE_KEY = "catalogue-genres"
GENRES_CACHE_SECONDS = 60


def catalogue_genres() -> list[str]:
    """Every genre a listener can meet: the labels, and the genres predicted for unlabelled songs
    (cached for a minute: a new genre is rare, the query scans the catalogue)."""
    genres = cache.get(GENRES_CACHE_KEY)
    if genres is None:
        ready = Song.objects.ready()
        labels = set(ready.exclude(genre="").values_list("genre", flat=True).distinct())
        predicted = ready.filter(genre="").exclude(predicted_genre="")
        labels |= set(predicted.values_list("predicted_genre", flat=True).distinct())
        genres = sorted(labels)
        cache.set(GENRES_CACHE_KEY, genres, GENRES_CACHE_SECONDS)
    return genres


def _name_query(word: str) -> SearchQuery:
    """Titles, artists or albums with a word starting with ``word`` (letters and digits only)."""
    return SearchQuery(f"'{word}':*", search_type="raw", config="simple")


def _is_name_word(word: str) -> bool:
    if not re.fullmatch(r"\w+", word):
        return False
    return Song.objects.ready().filter(search_document=_name_query(word)).exists()


@dataclass(frozen=True)
class WordSearch:
    """What a word search understood, and the songs it found: best first, each with ``match``,
    the geometric mean over the query's tag terms of their probability for the song (None when
    the query had no tag words and the songs are only filtered by names and genres)."""

    understanding: Understanding
    songs: list[tuple[Song, float | None]]


def songs_by_words(
    *, query: str, k: int = 50, use_genres: bool = True, fields: Sequence[str] = SONG_LIST_FIELDS
) -> WordSearch:
    """Analysed songs for free words ("calm piano", "fast electronic female vocals", "bach").

    Words are understood by ml.vocabulary.understand: tag words rank the songs by the product of
    their tags' probabilities (the weighted sum of their log-probabilities, an exact ranking of
    every song's tag vector in songs.tag_matrix); genre words keep the songs of those genres (the
    label, else the predicted genre); words of titles, artists and albums keep the songs whose
    names have them. ``use_genres=False`` reads genre names as tags only (evaluation)."""
    understanding = understand(
        query, genres=catalogue_genres() if use_genres else (), is_name_word=_is_name_word
    )
    weights = tag_weights(understanding)
    names = understanding.of_kind("name")
    genres = {genre for term in understanding.of_kind("genre") for genre in term.genres}
    if not (weights or names or genres):
        return WordSearch(understanding, [])

    songs = Song.objects.ready()
    for term in names:
        songs = songs.filter(search_document=_name_query(term.text))
    if genres:
        songs = songs.filter(Q(genre__in=genres) | Q(genre="", predicted_genre__in=genres))
    if not weights:
        found = songs.only(*fields).order_by("artist", "album", "track_number", "title", "id")
        return WordSearch(understanding, [(song, None) for song in found[:k]])

    if names:  # words of names are rare: read the songs that have them
        allowed = np.fromiter(songs.values_list("id", flat=True), np.int64)
        ranked = tag_matrix.best(weights, k + 20, allowed)
    else:  # a genre is common: take the best songs until enough of them are of the genre
        ranked = _best_in(songs, weights, k, filtered=bool(genres))
    found = Song.objects.ready().only(*fields).in_bulk([song_id for song_id, _ in ranked])
    terms = sum(1 for term in understanding.terms if term.tag_indices)
    return WordSearch(
        understanding,
        [
            (found[song_id], float(np.exp(score / terms)))
            for song_id, score in ranked
            if song_id in found
        ][:k],
    )


def _best_in(
    songs: QuerySet[Song], weights: dict[int, float], k: int, *, filtered: bool
) -> list[tuple[int, float]]:
    """tag_matrix.best, keeping only ``songs``: candidates in growing rounds (500, 4,000, all),
    each checked against the database, until k of them pass. A few more than k are read in any
    case: rows of songs deleted since the copy was read are dropped by the caller."""
    if not filtered:
        return tag_matrix.best(weights, k + 20)
    for size in (500, 4_000, None):
        ranked = tag_matrix.best(weights, size or len(tag_matrix.ids))
        passing = set(
            songs.filter(id__in=[song_id for song_id, _ in ranked]).values_list("id", flat=True)
        )
        kept = [(song_id, score) for song_id, score in ranked if song_id in passing]
        if len(kept) >= k or size is None:
            break
    return kept[: k + 20]
