"""Reads of playlists, with the privacy rule in one place: a user sees their own playlists and
public ones; a private playlist of someone else does not exist for them (404, never 403)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from playlists.models import (
    HistoryPause,
    LibraryStar,
    Play,
    Playlist,
    PlaylistEntry,
    Share,
)
from playlists.services import NOW_PLAYING_FOR, NOW_PLAYING_KEY, NOW_PLAYING_PER_USER
from songs.models import Song
from songs.selectors.catalogue import SONG_LIST_FIELDS
from songs.selectors.similarity import active_embedding_model, songs_similar_to

SHARE_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def playlists_readable_by(user: User) -> QuerySet[Playlist]:
    return Playlist.objects.filter(Q(owner=user) | Q(visibility=Playlist.Visibility.PUBLIC))


def playlist_readable(*, user: User, playlist_id: int) -> Playlist:
    playlist = playlists_readable_by(user).filter(id=playlist_id).first()
    if playlist is None:
        raise Http404("No such playlist.")
    return playlist


def playlist_owned(*, user: User, playlist_id: int) -> Playlist:
    """For changes: only the owner; anyone else gets the same 404 as for a missing playlist."""
    playlist = Playlist.objects.filter(owner=user, id=playlist_id).first()
    if playlist is None:
        raise Http404("No such playlist.")
    return playlist


def playlist_by_share_token(*, token: str) -> Playlist:
    # Tokens are URL-safe base64; anything else (a NUL byte, say) matches nothing by definition.
    if not SHARE_TOKEN.fullmatch(token):
        raise Http404("No such playlist.")
    playlist = Playlist.objects.filter(
        share_token=token, visibility=Playlist.Visibility.LINK
    ).first()
    if playlist is None:
        raise Http404("No such playlist.")
    return playlist


def playlist_entries(playlist: Playlist) -> QuerySet[PlaylistEntry]:
    return playlist.entries.select_related("song").order_by("position", "id")


def playlists_with_counts(user: User) -> QuerySet[Playlist]:
    return Playlist.objects.filter(owner=user).annotate(song_count=Count("entries"))


def favourite_song_ids(user: User) -> set[int]:
    return set(
        PlaylistEntry.objects.filter(
            playlist__owner=user, playlist__is_favourites=True
        ).values_list("song_id", flat=True)
    )


def favourite_entries(user: User) -> QuerySet[PlaylistEntry]:
    """The entries of the user's Favourites, most recently added first."""
    return (
        PlaylistEntry.objects.filter(playlist__owner=user, playlist__is_favourites=True)
        .select_related("song")
        .order_by("-added_at", "-id")
    )


def library_stars(user: User, kind: str) -> dict[str, datetime]:
    """The keys of the albums or artists (LibraryStar.Kind) the user starred, and when."""
    return dict(LibraryStar.objects.filter(user=user, kind=kind).values_list("key", "created_at"))


PLAY_FIELDS = ("user", "song", "played_at", "seconds_heard", "skipped", "source", "client")


def history_for(user: User) -> QuerySet[Play]:
    """The user's own plays, newest first, with their songs (what a list shows of them):
    nobody else's, ever."""
    return (
        Play.objects.filter(user=user)
        .select_related("song")
        .only(*PLAY_FIELDS, *(f"song__{field}" for field in SONG_LIST_FIELDS))
        .order_by("-played_at", "-id")
    )


def history_paused_since(user: User) -> datetime | None:
    """When the user paused their history (None: it records)."""
    return HistoryPause.objects.filter(user=user).values_list("since", flat=True).first()


@dataclass
class NowPlaying:
    user: User
    song: Song
    client: str
    at: datetime


def now_playing() -> list[NowPlaying]:
    """What every listener's players said they are playing (services.now_playing_set), newest
    first, at most NOW_PLAYING_PER_USER players per listener; listeners who paused their history
    (even after their player reported) and songs no longer in the library are left out."""
    now = timezone.now()
    entries = sorted(
        (
            entry
            for entry in (cache.get(NOW_PLAYING_KEY) or {}).values()
            if now - entry["at"] < NOW_PLAYING_FOR
        ),
        key=lambda entry: entry["at"],
        reverse=True,
    )
    user_ids = {e["user_id"] for e in entries}
    paused = set(
        HistoryPause.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True)
    )
    users = User.objects.in_bulk(user_ids - paused)
    songs = Song.objects.ready().in_bulk({e["song_id"] for e in entries})
    shown: dict[int, int] = {}  # user id -> entries taken
    found = []
    for e in entries:
        if e["user_id"] not in users or e["song_id"] not in songs:
            continue
        if shown.get(e["user_id"], 0) >= NOW_PLAYING_PER_USER:
            continue
        shown[e["user_id"]] = shown.get(e["user_id"], 0) + 1
        found.append(NowPlaying(users[e["user_id"]], songs[e["song_id"]], e["client"], e["at"]))
    return found


def songs_walk_from(*, song: Song, length: int) -> list[Song]:
    """A playlist made from sound: start at ``song``, then each next song is the nearest (in the
    active embedding space) to the current one that is not in the list yet."""
    walk = [song]
    seen = {song.id}
    while len(walk) < length:
        candidates = songs_similar_to(song=walk[-1], k=len(seen) + 10)
        nearest = next((s for s, _ in candidates if s.id not in seen), None)
        if nearest is None:
            break
        walk.append(nearest)
        seen.add(nearest.id)
    return walk


def songs_path_between(*, start: Song, end: Song, length: int) -> list[Song]:
    """A playlist that moves from ``start`` to ``end`` through the embedding space: step i heads
    for the point i/(length-1) of the way from one to the other (on the unit sphere, as cosine
    distance sees it) and takes the nearest song not used yet. Starts at start, ends at end,
    never repeats."""
    from pgvector.django import CosineDistance

    embedding_model = active_embedding_model()
    if embedding_model is None or start.id == end.id:
        return [start] if start.id == end.id else []
    vectors = dict(
        embedding_model.vectors().filter(song__in=[start, end]).values_list("song_id", "vector")
    )
    if len(vectors) < 2:
        return []
    a, b = (np.asarray(vectors[s.id], dtype=np.float64) for s in (start, end))
    a, b = a / np.linalg.norm(a), b / np.linalg.norm(b)
    path = [start]
    used = {start.id, end.id}
    for i in range(1, max(length, 2) - 1):
        t = i / (length - 1)
        target = (1 - t) * a + t * b
        target /= np.linalg.norm(target) or 1.0
        nearest = (
            embedding_model.vectors()
            .filter(Song.ready_q("song"))
            .exclude(song_id__in=used)
            .order_by(CosineDistance("vector", target.tolist()))
            .values_list("song_id", flat=True)
            .first()
        )
        if nearest is None:
            break
        used.add(nearest)
        path.append(Song.objects.get(id=nearest))
    path.append(end)
    return path


def shares_of(user: User) -> QuerySet[Share]:
    """The user's own shares, newest first: nobody else's are theirs to see or change."""
    return Share.objects.filter(owner=user).select_related("owner")


def share_by_token(*, token: str) -> Share:
    """The share behind a public link, for anyone; an unknown or expired one is a 404."""
    if not SHARE_TOKEN.fullmatch(token):
        raise Http404("No such share.")
    share = (
        Share.objects.filter(token=token)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .select_related("owner")
        .first()
    )
    if share is None:
        raise Http404("No such share.")
    return share


def share_songs(share: Share) -> QuerySet[Song]:
    """The share's songs in its order (a song shared twice comes twice), those still in the
    library (analysed) only."""
    return (
        Song.objects.ready().filter(share_entries__share=share).order_by("share_entries__position")
    )


def share_has_song(*, share: Share, song_id: int) -> Song:
    """A song of the share, for its public player; any other song is a 404 (the link opens
    these songs and nothing else)."""
    song = share_songs(share).filter(id=song_id).first()
    if song is None:
        raise Http404("No such song in this share.")
    return song
