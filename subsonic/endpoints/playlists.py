"""Playlists: the platform's own (playlists.services and selectors), never a second copy of their
rules. A user reads their own playlists and public ones, Favourites included; only the owner
changes one. Someone else's private playlist does not exist for a user (error 70, as for a
missing one); a playlist they can read but not change is error 50. Each write is one
transaction: an unknown song or a refused change leaves the playlist as it was.

The active map's mixes (explorer.models.Mix) are listed too, as public playlists of nobody's
with ids ``mix-<id>`` (never a real playlist's number): anyone reads them, nobody changes them
(error 50); a client keeps one by creating a playlist of its songs."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Sum
from django.http import Http404

from explorer.models import Mix
from explorer.selectors import mix_songs, mixes_active, mixes_songs
from playlists.models import Playlist
from playlists.selectors import (
    playlist_entries,
    playlist_owned,
    playlist_readable,
    playlists_readable_by,
)
from playlists.services import (
    playlist_add_song,
    playlist_create,
    playlist_delete,
    playlist_remove_positions,
    playlist_replace_songs,
    playlist_update,
)
from songs.models import Song
from subsonic.library import CHILD_FIELDS, iso, playlist_payload, song_children, songs_by_ids
from subsonic.protocol import SubsonicError
from subsonic.registry import Call, endpoint

READY = Song.ready_q("entries__song")
MIX_PREFIX = "mix-"
MIXES_OWNER = "Neural Notes"  # no user's name: usernames have no spaces


def _playlist_id(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 18:
        raise SubsonicError(SubsonicError.NOT_FOUND, "Playlist not found.")
    return int(raw)


def _mix(raw: str) -> Mix | None:
    """The active map's mix of a ``mix-<id>`` id, else None."""
    number = raw.removeprefix(MIX_PREFIX)
    if not raw.startswith(MIX_PREFIX) or not number.isdigit() or len(number) > 18:
        return None
    return mixes_active().select_related("map").filter(id=int(number)).first()


def _mix_payload(mix: Mix, songs: list[Song]) -> dict:
    """A mix as the spec's Playlist: read-only, everybody's, changing with the map."""
    made = mix.map.finished_at or mix.map.created_at
    return {
        "id": f"{MIX_PREFIX}{mix.id}",
        "name": mix.name,
        "comment": f"A mix of the map: the {len(mix.song_ids)} most typical songs of a region "
        f"of {mix.cluster_size}. It changes when the map is rebuilt.",
        "owner": MIXES_OWNER,
        "public": True,
        "readonly": True,
        "songCount": len(songs),
        "duration": round(sum(song.duration_s or 0 for song in songs)),
        "created": iso(made),
        "changed": iso(made),
    }


def _readable(call: Call, raw: str) -> Playlist:
    try:
        return playlist_readable(user=call.user, playlist_id=_playlist_id(raw))
    except Http404:
        raise SubsonicError(SubsonicError.NOT_FOUND, "Playlist not found.") from None


def _owned(call: Call, raw: str) -> Playlist:
    """The user's own playlist; 70 if they cannot even read it, 50 if they only read it."""
    if _mix(raw) is not None:
        raise SubsonicError(
            SubsonicError.NOT_AUTHORISED,
            "A mix cannot be changed: create a playlist of its songs to keep one.",
        )
    playlist = _readable(call, raw)
    try:
        return playlist_owned(user=call.user, playlist_id=playlist.id)
    except Http404:
        raise SubsonicError(
            SubsonicError.NOT_AUTHORISED, "Only its owner can change a playlist."
        ) from None


def _with_songs(call: Call, playlist: Playlist) -> dict:
    """The spec's PlaylistWithSongs: the playlist and its songs in the library, in order."""
    songs = [entry.song for entry in playlist_entries(playlist).filter(Song.ready_q("song"))]
    payload = playlist_payload(
        playlist,
        song_count=len(songs),
        duration=sum(song.duration_s or 0 for song in songs),
        viewer=call.user,
    )
    payload["entry"] = song_children(call.user, songs)
    return payload


def _target_user(call: Call) -> User:
    username = call.params.get("username")
    if not username or username == call.user.username:
        return call.user
    if not call.user.is_superuser:
        raise SubsonicError(
            SubsonicError.NOT_AUTHORISED, "Only an administrator can list another user's."
        )
    user = User.objects.filter(username=username).first()
    if user is None:
        raise SubsonicError(SubsonicError.NOT_FOUND, "User not found.")
    return user


@endpoint("getPlaylists")
def get_playlists(call: Call) -> dict:
    target = _target_user(call)
    playlists = (
        playlists_readable_by(target)
        .select_related("owner")
        .annotate(
            song_count=Count("entries", filter=READY),
            duration=Sum("entries__song__duration_s", filter=READY),
        )
    )
    listed = [
        playlist_payload(p, song_count=p.song_count, duration=p.duration or 0, viewer=call.user)
        for p in playlists
    ]
    if target == call.user:  # the mixes are nobody's: not in another's list
        mixes = list(mixes_active().select_related("map"))
        songs = mixes_songs(mixes, fields=("id", "duration_s"))
        listed += [_mix_payload(mix, songs[mix.id]) for mix in mixes]
    return {"playlists": {"playlist": listed}}


@endpoint("getPlaylist")
def get_playlist(call: Call) -> dict:
    raw = call.params.required("id")
    mix = _mix(raw)
    if mix is not None:
        songs = mix_songs(mix, fields=CHILD_FIELDS)
        return {"playlist": {**_mix_payload(mix, songs), "entry": song_children(call.user, songs)}}
    return {"playlist": _with_songs(call, _readable(call, raw))}


@endpoint("createPlaylist")
def create_playlist(call: Call) -> dict:
    """A new playlist of these songs (``name``), or the songs of an existing one replaced by
    them (``playlistId``, the owner only)."""
    raw_id = call.params.get("playlistId")
    name = call.params.get("name") or None
    if not raw_id and not name:
        raise SubsonicError(SubsonicError.MISSING_PARAMETER, "Give a name or a playlistId.")
    with transaction.atomic():
        playlist = _owned(call, raw_id) if raw_id else None
        songs = songs_by_ids(call.params.list("songId"))
        if playlist is None:
            playlist = playlist_create(owner=call.user, name=name)
        elif name and name != playlist.name:
            playlist_update(playlist=playlist, name=name)
        playlist_replace_songs(playlist=playlist, songs=songs)
    playlist.refresh_from_db()
    return {"playlist": _with_songs(call, playlist)}


def _indexes(call: Call) -> list[int]:
    raw = call.params.list("songIndexToRemove")
    if not all(value.isdigit() for value in raw):
        raise SubsonicError(SubsonicError.GENERIC, "songIndexToRemove is a position: 0, 1, 2 …")
    return [int(value) for value in raw]


@endpoint("updatePlaylist")
def update_playlist(call: Call) -> dict:
    params = call.params
    raw_id = params.required("playlistId")
    public = params.get("public")
    with transaction.atomic():
        playlist = _owned(call, raw_id)
        removals = _indexes(call)
        additions = songs_by_ids(params.list("songIdToAdd"))
        visibility = None
        if public:
            public_now = params.boolean("public")
            visibility = Playlist.Visibility.PUBLIC if public_now else Playlist.Visibility.PRIVATE
        playlist_update(
            playlist=playlist,
            name=params.get("name") or None,
            description=params.get("comment"),
            visibility=visibility,
        )
        if removals:  # positions of the order before this call's additions
            playlist_remove_positions(playlist=playlist, positions=removals)
        for song in additions:
            playlist_add_song(playlist=playlist, song=song)
    return {}


@endpoint("deletePlaylist")
def delete_playlist(call: Call) -> dict:
    with transaction.atomic():
        playlist_delete(playlist=_owned(call, call.params.required("id")))
    return {}
