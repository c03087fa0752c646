"""What playlists does when the catalogue merges or deletes songs (songs.signals; the receivers
in playlists/receivers.py call these inside the catalogue's transaction).

Playlists are locked in id order, as the playlist services lock them, so that a merge or a
removal and a listener's edit queue up rather than deadlock.
"""

from __future__ import annotations

from collections.abc import Collection

from django.utils import timezone

from playlists.models import LibraryStar, Play, Playlist, PlaylistEntry, Rating
from playlists.services import renumber
from songs.models import Song


def listener_rows_move(*, keep: Song, drop: Song) -> dict[str, int]:
    """Make everything listeners made with ``drop`` theirs with ``keep``, before ``drop`` is
    deleted: every playlist entry becomes one of ``keep`` at the same position (where the
    playlist then holds ``keep`` twice and allows no duplicates, and Favourites never does, the
    later entry goes and the playlist is renumbered); a listener who rated both keeps the most
    recent rating; plays move. Returns the counts a merge reports."""
    entries_moved, entries_dropped = _playlist_entries_move(keep, drop)
    ratings_moved, ratings_dropped = _ratings_move(keep, drop)
    plays_moved = Play.objects.filter(song=drop).update(song=keep)
    return {
        "entries_moved": entries_moved,
        "entries_dropped": entries_dropped,
        "ratings_moved": ratings_moved,
        "ratings_dropped": ratings_dropped,
        "plays_moved": plays_moved,
    }


def _playlist_entries_move(keep: Song, drop: Song) -> tuple[int, int]:
    """(entries of ``drop`` pointed at ``keep``, entries then removed as second copies)."""
    playlist_ids = set(PlaylistEntry.objects.filter(song=drop).values_list("playlist", flat=True))
    playlists = list(
        Playlist.objects.select_for_update().filter(id__in=playlist_ids).order_by("id")
    )
    moved = PlaylistEntry.objects.filter(song=drop).update(song=keep)
    dropped = 0
    now = timezone.now()
    for playlist in playlists:
        if playlist.allow_duplicates and not playlist.is_favourites:
            continue
        entries = PlaylistEntry.objects.filter(playlist=playlist)
        copies = list(
            entries.filter(song=keep).order_by("position", "id").values_list("id", flat=True)
        )
        if len(copies) > 1:
            dropped += entries.filter(id__in=copies[1:]).delete()[0]
            renumber(playlist)
    Playlist.objects.filter(id__in=playlist_ids).update(updated_at=now)
    return moved, dropped


def _ratings_move(keep: Song, drop: Song) -> tuple[int, int]:
    """(ratings moved to ``keep``, ratings of listeners who had rated both, dropped): of two,
    the listener's most recent stays."""
    both = Rating.objects.filter(
        song=drop, user__in=Rating.objects.filter(song=keep).values("user")
    )
    dropped = 0
    for rating in both.select_for_update():
        kept = Rating.objects.select_for_update().get(user_id=rating.user_id, song=keep)
        if rating.updated_at > kept.updated_at:
            Rating.objects.filter(id=kept.id).update(
                stars=rating.stars, updated_at=rating.updated_at
            )
        rating.delete()
        dropped += 1
    moved = Rating.objects.filter(song=drop).update(song=keep)
    return moved, dropped


def listener_rows_forget(*, song_ids: Collection[int]) -> dict[str, int]:
    """Before the songs ``song_ids`` are deleted: take their entries out of the playlists and
    renumber those, and drop the stars on albums and artists that no other song has. Ratings
    and plays go with the songs by cascade. Returns the counts a removal reports."""
    songs = Song.objects.filter(id__in=song_ids)
    entries = PlaylistEntry.objects.filter(song_id__in=song_ids)
    playlist_ids = set(entries.values_list("playlist_id", flat=True))
    playlists = list(
        Playlist.objects.select_for_update().filter(id__in=playlist_ids).order_by("id")
    )
    removed = entries.delete()[1].get(PlaylistEntry._meta.label, 0)
    for playlist in playlists:
        renumber(playlist)
    others = Song.objects.exclude(id__in=song_ids)
    for kind, field in (
        (LibraryStar.Kind.ARTIST, "artist_key"),
        (LibraryStar.Kind.ALBUM, "album_key"),
    ):
        keys = set(songs.values_list(field, flat=True))
        remaining = set(others.filter(**{f"{field}__in": keys}).values_list(field, flat=True))
        LibraryStar.objects.filter(kind=kind, key__in=keys - remaining).delete()
    return {"playlist_entries": removed}
