"""reportPlayback (the OpenSubsonic playbackReport extension): a player says what it is doing
with a song (starting, playing, paused, stopped, and where it is), and the server keeps "now
playing" and the listening history from that, through the same services as scrobble.

One playback is followed per user and player (the c parameter) in the cache, from "starting"
to "stopped": while it lasts the song is now playing; when it stops, or another song starts on
that player, it becomes one play in the history, heard up to the furthest position reported
(so a song left after a few seconds counts as skipped, ml.taste.heard_as_skip). With
ignoreScrobble, nothing goes into the history.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.cache import cache

from playlists.models import Play
from playlists.services import now_playing_set, play_record
from songs.models import Song
from subsonic.library import song_by_id
from subsonic.protocol import SubsonicError
from subsonic.registry import Call, endpoint

STATES = {"starting", "playing", "paused", "stopped"}
# A playback nobody reported on for this long is forgotten (and never recorded): the player
# went away without saying "stopped".
PLAYBACK_KEPT_S = 6 * 60 * 60


def _key(user: User, client: str) -> str:
    return f"subsonic:playback:{user.id}:{client}"


def _record(user: User, client: str, playback: dict) -> None:
    if playback["ignore_scrobble"]:
        return
    song = Song.objects.filter(id=playback["song_id"]).first()
    if song is None:
        return
    play_record(
        user=user,
        song=song,
        source=Play.Source.SUBSONIC,
        client=client,
        seconds_heard=playback["furthest_ms"] / 1000,
    )


def _playback_rate(raw: str | None) -> float:
    try:
        rate = float(raw) if raw else 1.0
    except ValueError:
        rate = -1
    if not rate > 0:
        raise SubsonicError(SubsonicError.GENERIC, f"playbackRate must be above 0, not {raw!r}.")
    return rate


@endpoint("reportPlayback")
def report_playback(call: Call) -> dict:
    params = call.params
    raw_id = params.required("mediaId")
    media_type = params.required("mediaType")
    params.required("positionMs")
    position_ms = params.integer("positionMs", 0)
    state = params.required("state")
    if state not in STATES:
        raise SubsonicError(
            SubsonicError.GENERIC, f"state is one of {', '.join(sorted(STATES))}, not {state!r}."
        )
    _playback_rate(params.get("playbackRate"))
    if media_type == "podcast":
        raise SubsonicError(SubsonicError.NOT_FOUND, "Podcast episode not found.")
    if media_type != "song":
        raise SubsonicError(
            SubsonicError.GENERIC, f"mediaType is song or podcast, not {media_type!r}."
        )
    song = song_by_id(raw_id)
    ignore_scrobble = params.boolean("ignoreScrobble", False)

    key = _key(call.user, call.client)
    playback = cache.get(key)
    if playback is not None and (state == "starting" or playback["song_id"] != song.id):
        _record(call.user, call.client, playback)  # the player moved on without "stopped"
        playback = None
    if playback is None:
        playback = {"song_id": song.id, "furthest_ms": 0}
    playback["furthest_ms"] = max(playback["furthest_ms"], position_ms)
    playback["ignore_scrobble"] = ignore_scrobble
    if state == "stopped":
        _record(call.user, call.client, playback)
        cache.delete(key)
        return {}
    now_playing_set(user=call.user, song=song, client=call.client)
    cache.set(key, playback, PLAYBACK_KEPT_S)
    return {}
