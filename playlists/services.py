"""Writes to playlists. Every change to a playlist's entries locks the playlist row first, so two
tabs editing at once are applied one after the other and positions stay distinct and gap-free."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from ml.taste import heard_as_skip
from neuralnotes.errors import DomainError
from playlists.models import (
    HistoryPause,
    LibraryStar,
    Play,
    Playlist,
    PlaylistEntry,
    Rating,
    Share,
    ShareEntry,
)
from songs.models import Song

FAVOURITES = "Favourites"
# What each listener's players are playing now (they said so; it is not their history): one
# cache entry for everybody, {"<user id>:<client>": {...}}, each forgotten after this long.
NOW_PLAYING_KEY = "playlists:now-playing"
NOW_PLAYING_FOR = timedelta(minutes=10)
# Players kept per listener: the client name is whatever a player sends, so without a bound one
# account could fill everybody's now-playing list (and the cache entry) by varying it.
NOW_PLAYING_PER_USER = 3


class PlaylistError(DomainError, ValueError):
    """A change the playlist cannot take; the message says why."""


def _locked(playlist: Playlist) -> Playlist:
    return Playlist.objects.select_for_update().get(id=playlist.id)


def renumber(playlist: Playlist) -> None:
    """Positions 0..n-1 in the current order (the unique constraint is checked at commit)."""
    for position, entry in enumerate(
        PlaylistEntry.objects.filter(playlist=playlist).order_by("position", "id")
    ):
        if entry.position != position:
            PlaylistEntry.objects.filter(id=entry.id).update(position=position)


def playlist_create(
    *, owner: User, name: str, description: str = "", songs: list[Song] | None = None
) -> Playlist:
    name = name.strip()
    if not name:
        raise PlaylistError("A playlist needs a name.")
    with transaction.atomic():
        playlist = Playlist.objects.create(owner=owner, name=name[:200], description=description)
        PlaylistEntry.objects.bulk_create(
            PlaylistEntry(playlist=playlist, song=song, position=i)
            for i, song in enumerate(songs or [])
        )
    return playlist


def favourites_get_or_create(*, user: User) -> Playlist:
    playlist, _ = Playlist.objects.get_or_create(
        owner=user, is_favourites=True, defaults={"name": FAVOURITES}
    )
    return playlist


def playlist_update(
    *,
    playlist: Playlist,
    name: str | None = None,
    description: str | None = None,
    visibility: str | None = None,
    allow_duplicates: bool | None = None,
) -> Playlist:
    if name is not None:
        if not name.strip():
            raise PlaylistError("A playlist needs a name.")
        if playlist.is_favourites:
            raise PlaylistError("Favourites keeps its name.")
        playlist.name = name.strip()[:200]
    if description is not None:
        playlist.description = description
    if visibility is not None:
        if visibility not in Playlist.Visibility.values:
            raise PlaylistError(f"Visibility is one of {', '.join(Playlist.Visibility.values)}.")
        playlist.visibility = visibility
        if visibility == Playlist.Visibility.LINK and not playlist.share_token:
            playlist.share_token = secrets.token_urlsafe(24)
    if allow_duplicates is not None:
        playlist.allow_duplicates = allow_duplicates
    playlist.save()
    return playlist


def playlist_share_link_renew(*, playlist: Playlist) -> Playlist:
    """A new unguessable link; the old one stops working."""
    playlist.visibility = Playlist.Visibility.LINK
    playlist.share_token = secrets.token_urlsafe(24)
    playlist.save(update_fields=["visibility", "share_token", "updated_at"])
    return playlist


def playlist_share_link_revoke(*, playlist: Playlist) -> Playlist:
    playlist.share_token = None
    if playlist.visibility == Playlist.Visibility.LINK:
        playlist.visibility = Playlist.Visibility.PRIVATE
    playlist.save(update_fields=["visibility", "share_token", "updated_at"])
    return playlist


def playlist_delete(*, playlist: Playlist) -> None:
    if playlist.is_favourites:
        raise PlaylistError("Favourites cannot be deleted; empty it instead.")
    playlist.delete()


@transaction.atomic
def playlist_add_song(
    *, playlist: Playlist, song: Song, position: int | None = None
) -> PlaylistEntry:
    """Add a song at ``position`` (default: the end). A song already in a playlist that does not
    allow duplicates is refused."""
    playlist = _locked(playlist)
    entries = PlaylistEntry.objects.filter(playlist=playlist)
    if not playlist.allow_duplicates and entries.filter(song=song).exists():
        raise PlaylistError(f"“{song.title}” is in this playlist already.")
    end = entries.aggregate(last=Max("position"))["last"]
    end = 0 if end is None else end + 1
    position = end if position is None else max(0, min(position, end))
    entries.filter(position__gte=position).update(position=F("position") + 1)
    entry = PlaylistEntry.objects.create(playlist=playlist, song=song, position=position)
    renumber(playlist)
    entry.refresh_from_db()
    Playlist.objects.filter(id=playlist.id).update(updated_at=entry.added_at)
    return entry


@transaction.atomic
def playlist_remove_entry(*, entry: PlaylistEntry) -> None:
    playlist = _locked(entry.playlist)
    PlaylistEntry.objects.filter(id=entry.id).delete()
    renumber(playlist)


@transaction.atomic
def playlist_move_entry(*, entry: PlaylistEntry, position: int) -> list[PlaylistEntry]:
    """Move one entry to ``position`` (0-based, clamped); returns the entries in their new order."""
    playlist = _locked(entry.playlist)
    ordered = list(PlaylistEntry.objects.filter(playlist=playlist).order_by("position", "id"))
    moving = next((e for e in ordered if e.id == entry.id), None)
    if moving is None:
        raise PlaylistError("That song is no longer in the playlist.")
    ordered.remove(moving)
    ordered.insert(max(0, min(position, len(ordered))), moving)
    for index, item in enumerate(ordered):
        if item.position != index:
            PlaylistEntry.objects.filter(id=item.id).update(position=index)
            item.position = index
    return ordered


def favourite_set(*, user: User, song: Song, favourite: bool) -> bool:
    """Add the song to or remove it from the user's Favourites; returns whether it is one now."""
    playlist = favourites_get_or_create(user=user)
    entry = PlaylistEntry.objects.filter(playlist=playlist, song=song).first()
    if favourite and entry is None:
        playlist_add_song(playlist=playlist, song=song)
    elif not favourite and entry is not None:
        playlist_remove_entry(entry=entry)
    return favourite


@transaction.atomic
def playlist_replace_songs(*, playlist: Playlist, songs: list[Song]) -> Playlist:
    """The playlist's songs become ``songs``, in that order."""
    playlist = _locked(playlist)
    if not playlist.allow_duplicates and len({song.id for song in songs}) != len(songs):
        raise PlaylistError("This playlist does not allow a song twice.")
    PlaylistEntry.objects.filter(playlist=playlist).delete()
    PlaylistEntry.objects.bulk_create(
        PlaylistEntry(playlist=playlist, song=song, position=i) for i, song in enumerate(songs)
    )
    playlist.save(update_fields=["updated_at"])
    return playlist


@transaction.atomic
def playlist_remove_positions(*, playlist: Playlist, positions: Iterable[int]) -> None:
    """Remove the entries at these 0-based positions of the current order (all or none)."""
    playlist = _locked(playlist)
    ordered = list(PlaylistEntry.objects.filter(playlist=playlist).order_by("position", "id"))
    wanted = sorted(set(positions), reverse=True)
    for position in wanted:
        if not 0 <= position < len(ordered):
            raise PlaylistError(f"There is no song at position {position}.")
    PlaylistEntry.objects.filter(id__in=[ordered[p].id for p in wanted]).delete()
    renumber(playlist)
    playlist.save(update_fields=["updated_at"])


def rating_set(*, user: User, song: Song, stars: int) -> Rating | None:
    """The user's stars for the song, 1 to 5; 0 removes the rating."""
    if not 0 <= stars <= 5:
        raise ValueError("A rating is 0 (none) to 5 stars.")
    if stars == 0:
        Rating.objects.filter(user=user, song=song).delete()
        return None
    rating, _ = Rating.objects.update_or_create(user=user, song=song, defaults={"stars": stars})
    return rating


def library_star_set(*, user: User, kind: str, key: str, starred: bool) -> bool:
    """Star or unstar a whole album or artist (LibraryStar.Kind) by its key."""
    if starred:
        LibraryStar.objects.get_or_create(user=user, kind=kind, key=key)
    else:
        LibraryStar.objects.filter(user=user, kind=kind, key=key).delete()
    return starred


def play_record(
    *,
    user: User,
    song: Song,
    source: str,
    client: str = "",
    played_at: datetime | None = None,
    seconds_heard: float | None = None,
    skipped: bool | None = None,
) -> Play | None:
    """One play in the user's listening history; None, and nothing written, while they have
    paused it (every player comes through here: the web player, the REST API, Subsonic).
    ``skipped`` None: decided from the seconds heard (ml.taste.heard_as_skip)."""
    if HistoryPause.objects.filter(user=user).exists():
        return None
    if skipped is None:  # (a scrobble says no seconds: no need to load the song's length)
        skipped = seconds_heard is not None and heard_as_skip(
            seconds_heard=seconds_heard, duration_s=song.duration_s
        )
    return Play.objects.create(
        user=user,
        song=song,
        source=source,
        client=client[:100],
        played_at=played_at or timezone.now(),
        seconds_heard=seconds_heard,
        skipped=skipped,
    )


def history_pause_set(*, user: User, paused: bool) -> bool:
    """Pause (nothing played is recorded until resumed) or resume the user's history; returns
    whether it is paused now. Pausing keeps what is there: deleting is history_delete."""
    if paused:
        HistoryPause.objects.get_or_create(user=user)
        _now_playing_forget(user=user)
    else:
        HistoryPause.objects.filter(user=user).delete()
    return paused


def history_delete(*, user: User, play_ids: Iterable[int] | None = None) -> int:
    """Delete the user's whole history, or the plays among ``play_ids`` that are theirs (others'
    ids are ignored, never deleted); returns how many plays went. Everything made from the
    history (songs like my plays, new to me, the map of my listening) is computed from these rows
    on each request, so it forgets them at once."""
    plays = Play.objects.filter(user=user)
    if play_ids is not None:
        plays = plays.filter(id__in=list(play_ids))
    deleted, _ = plays.delete()
    return deleted


def _now_playing_forget(*, user: User) -> None:
    entries = cache.get(NOW_PLAYING_KEY) or {}
    kept = {slot: entry for slot, entry in entries.items() if entry["user_id"] != user.id}
    if len(kept) != len(entries):
        cache.set(NOW_PLAYING_KEY, kept, int(NOW_PLAYING_FOR.total_seconds()))


def now_playing_set(*, user: User, song: Song, client: str = "", at: datetime | None = None):
    """Remember that one of the user's players is playing the song (for NOW_PLAYING_FOR); a
    player that reports again replaces what it said before, and only the user's
    NOW_PLAYING_PER_USER latest players are kept. A listener who paused their history is not
    shown playing anything either: nothing is kept for them."""
    if HistoryPause.objects.filter(user=user).exists():
        return
    now = timezone.now()
    entries = {
        slot: entry
        for slot, entry in (cache.get(NOW_PLAYING_KEY) or {}).items()
        if now - entry["at"] < NOW_PLAYING_FOR
    }
    entries[f"{user.id}:{client[:100]}"] = {
        "user_id": user.id,
        "song_id": song.id,
        "client": client[:100],
        "at": at or now,
    }
    mine = sorted(
        (slot for slot, entry in entries.items() if entry["user_id"] == user.id),
        key=lambda slot: entries[slot]["at"],
        reverse=True,
    )
    for slot in mine[NOW_PLAYING_PER_USER:]:
        del entries[slot]
    cache.set(NOW_PLAYING_KEY, entries, int(NOW_PLAYING_FOR.total_seconds()))


def share_create(
    *,
    owner: User,
    songs: list[Song],
    description: str = "",
    expires_at: datetime | None = None,
) -> Share:
    """A new public link to ``songs``, in that order (the same song may come twice, as a client
    asked); it stays as made when the owner's playlists change."""
    if not songs:
        raise PlaylistError("A share needs at least one song.")
    with transaction.atomic():
        share = Share.objects.create(
            owner=owner,
            token=secrets.token_urlsafe(24),
            description=description,
            expires_at=expires_at,
        )
        ShareEntry.objects.bulk_create(
            ShareEntry(share=share, song=song, position=i) for i, song in enumerate(songs)
        )
    return share


_UNCHANGED = object()


def share_update(*, share: Share, description: str | None = None, expires_at=_UNCHANGED) -> Share:
    """Change the description and/or the expiry (``expires_at=None``: it never expires)."""
    if description is not None:
        share.description = description
    if expires_at is not _UNCHANGED:
        share.expires_at = expires_at
    share.save(update_fields=["description", "expires_at"])
    return share


def share_delete(*, share: Share) -> None:
    share.delete()


def share_visit(*, share: Share) -> None:
    """Count one visit of the public page (in the database: two visitors at once both count)."""
    now = timezone.now()
    Share.objects.filter(id=share.id).update(visit_count=F("visit_count") + 1, last_visited_at=now)
