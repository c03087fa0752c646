"""reportPlayback (the playbackReport extension): what a player reports becomes "now playing"
and, when the playback ends, one play in the listener's history."""

import pytest

from playlists.models import Play
from playlists.services import history_pause_set
from tests.subsonic.conftest import error_code, ok, rest


def report(user, song, state: str, position_ms: int, **extra) -> dict:
    return rest(
        "reportPlayback",
        user=user,
        mediaId=str(song.id),
        mediaType="song",
        positionMs=str(position_ms),
        state=state,
        **extra,
    )


def now_playing(user) -> list[tuple[str, str]]:
    entries = ok(rest("getNowPlaying", user=user))["nowPlaying"].get("entry", [])
    return [(e["username"], e["id"]) for e in entries]


def test_a_playback_is_now_playing_then_one_play_heard_to_where_it_stopped(listener, library):
    song = library[0]

    ok(report(listener, song, "starting", 0))
    ok(report(listener, song, "playing", 30_000, playbackRate="1.5"))
    assert now_playing(listener) == [(listener.username, str(song.id))]
    assert not Play.objects.exists()  # not a play until it ends
    ok(report(listener, song, "paused", 95_000))
    ok(report(listener, song, "playing", 40_000))  # sought back: heard as far as 95 s
    ok(report(listener, song, "stopped", 60_000))

    play = Play.objects.get()
    assert (play.user, play.song, play.source) == (listener, song, Play.Source.SUBSONIC)
    assert play.seconds_heard == 95 and play.skipped is False and play.client == "tests"


def test_another_song_starting_ends_the_one_before_as_a_skip(listener, library):
    first, second = library[0], library[1]

    ok(report(listener, first, "starting", 0))
    ok(report(listener, first, "playing", 3_000))
    ok(report(listener, second, "starting", 0))  # the player moved on without "stopped"

    play = Play.objects.get()
    assert play.song == first and play.seconds_heard == 3 and play.skipped is True
    assert now_playing(listener) == [(listener.username, str(second.id))]


def test_ignore_scrobble_and_a_paused_history_record_nothing(listener, other_listener, library):
    song = library[0]

    ok(report(listener, song, "playing", 100_000, ignoreScrobble="true"))
    ok(report(listener, song, "stopped", 120_000, ignoreScrobble="true"))
    history_pause_set(user=other_listener, paused=True)
    ok(report(other_listener, song, "playing", 100_000))
    ok(report(other_listener, song, "stopped", 120_000))

    assert not Play.objects.exists()
    assert (listener.username, str(song.id)) in now_playing(listener)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"state": "rewinding"}, 0),
        ({"mediaType": "video"}, 0),
        ({"mediaType": "podcast"}, 70),
        ({"mediaId": "999999"}, 70),
        ({"positionMs": "soon"}, 0),
        ({"playbackRate": "0"}, 0),
        ({"positionMs": None}, 10),
        ({"state": None}, 10),
    ],
)
def test_bad_reports_are_the_specs_errors(listener, library, params, code):
    base = {"mediaId": str(library[0].id), "mediaType": "song", "positionMs": "0"}
    base["state"] = "playing"

    body = rest("reportPlayback", user=listener, **{**base, **params})

    assert error_code(body) == code
    assert not Play.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_py_opensonic_reports_a_playback(opensonic, listener, library):
    song = str(library[2].id)

    assert opensonic.report_playback(song, "song", 0, "starting")
    assert opensonic.report_playback(song, "song", 45_000, "playing", playback_rate=1.0)
    assert [e.id for e in opensonic.get_now_playing()] == [song]
    assert opensonic.report_playback(song, "song", 50_000, "stopped")

    assert Play.objects.get(user=listener).seconds_heard == 50
    extensions = {e.name: e.versions for e in opensonic.get_open_subsonic_extensions()}
    assert extensions["playbackReport"] == [1] and extensions["transcodeOffset"] == [1]
