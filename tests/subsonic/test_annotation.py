"""Stars are the web's favourites (and album/artist stars), ratings are the platform's ratings,
scrobbles are plays in the history, and "now playing" is only remembered, never recorded."""

from datetime import UTC, datetime

import pytest
from django.core.cache import cache

from playlists.models import LibraryStar, Play, Rating
from playlists.selectors import favourite_song_ids
from playlists.services import NOW_PLAYING_KEY, history_pause_set
from tests.subsonic.conftest import NS, error_code, ok, rest, rest_xml


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def album_and_artist(listener, song) -> tuple[str, str]:
    child = ok(rest("getSong", user=listener, id=str(song.id)))["song"]
    return child["albumId"], child["artistId"]


def test_star_and_unstar_songs_are_the_web_favourites(listener, library):
    ids = [str(library[0].id), str(library[4].id)]

    ok(rest("star", user=listener, id=ids))

    assert favourite_song_ids(listener) == {library[0].id, library[4].id}
    starred = ok(rest("getStarred2", user=listener))["starred2"]
    assert {s["id"] for s in starred["song"]} == set(ids)
    assert all("starred" in s for s in starred["song"])
    assert "starred" in ok(rest("getSong", user=listener, id=ids[0]))["song"]

    ok(rest("unstar", user=listener, id=ids[0]))

    assert favourite_song_ids(listener) == {library[4].id}
    assert [s["id"] for s in ok(rest("getStarred2", user=listener))["starred2"]["song"]] == [ids[1]]


def test_starring_twice_keeps_one_favourite(listener, library):
    ok(rest("star", user=listener, id=str(library[0].id)))
    ok(rest("star", user=listener, id=str(library[0].id)))

    assert len(ok(rest("getStarred2", user=listener))["starred2"]["song"]) == 1


def test_star_albums_and_artists(listener, other_listener, library):
    album, artist = album_and_artist(listener, library[0])
    other_album, _ = album_and_artist(listener, library[9])

    ok(rest("star", user=listener, albumId=album, artistId=artist))
    ok(rest("star", user=listener, id=other_album))

    starred = ok(rest("getStarred2", user=listener))["starred2"]
    assert {a["id"] for a in starred["album"]} == {album, other_album}
    assert [a["id"] for a in starred["artist"]] == [artist]
    assert starred["artist"][0]["name"] == "Anna Blue" and "starred" in starred["artist"][0]
    first = next(a for a in starred["album"] if a["id"] == album)
    assert first["songCount"] == 3 and "starred" in first
    assert starred["song"] == []
    assert ok(rest("getStarred2", user=other_listener))["starred2"]["album"] == []

    ok(rest("unstar", user=listener, albumId=album, artistId=artist))

    starred = ok(rest("getStarred2", user=listener))["starred2"]
    assert [a["id"] for a in starred["album"]] == [other_album] and starred["artist"] == []


def test_get_starred_lists_albums_as_folders(listener, library):
    album, artist = album_and_artist(listener, library[0])
    ok(rest("star", user=listener, id=[album, artist, str(library[1].id)]))

    starred = ok(rest("getStarred", user=listener))["starred"]

    assert starred["album"][0]["id"] == album and starred["album"][0]["isDir"] is True
    assert starred["artist"][0]["id"] == artist
    assert starred["song"][0]["id"] == str(library[1].id)


def test_starred_in_xml(listener, library):
    album, _ = album_and_artist(listener, library[0])
    ok(rest("star", user=listener, id=str(library[2].id), albumId=album))

    root = rest_xml("getStarred2", user=listener)

    starred = root.find(f"{NS}starred2")
    assert [s.get("id") for s in starred.findall(f"{NS}song")] == [str(library[2].id)]
    assert [a.get("id") for a in starred.findall(f"{NS}album")] == [album]


def test_star_with_an_unknown_id_changes_nothing(listener, library):
    album, _ = album_and_artist(listener, library[0])

    body = rest("star", user=listener, id=[str(library[0].id), "999999"], albumId=album)
    assert error_code(body) == 70
    assert error_code(rest("star", user=listener, albumId="al-" + "0" * 32)) == 70
    assert error_code(rest("star", user=listener, artistId="nonsense")) == 70
    assert error_code(rest("star", user=listener, id="9" * 40)) == 70

    assert favourite_song_ids(listener) == set()
    assert not LibraryStar.objects.exists()


def test_star_without_ids_is_error_10(listener, library):
    assert error_code(rest("star", user=listener)) == 10
    assert error_code(rest("unstar", user=listener)) == 10


def test_set_rating_shows_as_user_rating(listener, other_listener, library):
    sid = str(library[3].id)

    ok(rest("setRating", user=listener, id=sid, rating=4))

    assert ok(rest("getSong", user=listener, id=sid))["song"]["userRating"] == 4
    assert "userRating" not in ok(rest("getSong", user=other_listener, id=sid))["song"]

    ok(rest("setRating", user=listener, id=sid, rating=2))
    assert Rating.objects.get(user=listener, song=library[3]).stars == 2

    ok(rest("setRating", user=listener, id=sid, rating=0))
    assert not Rating.objects.filter(user=listener).exists()
    assert "userRating" not in ok(rest("getSong", user=listener, id=sid))["song"]


def test_set_rating_in_xml(listener, library):
    root = rest_xml("setRating", user=listener, id=str(library[0].id), rating=5)

    assert root.get("status") == "ok"
    assert Rating.objects.get(user=listener).stars == 5


def test_set_rating_refuses_bad_input(listener, library):
    sid = str(library[0].id)

    for rating in ["6", "-1", "five", "1e9"]:
        assert error_code(rest("setRating", user=listener, id=sid, rating=rating)) == 0
    assert error_code(rest("setRating", user=listener, id=sid)) == 10
    assert error_code(rest("setRating", user=listener, rating=3)) == 10
    assert error_code(rest("setRating", user=listener, id="999999", rating=3)) == 70
    assert not Rating.objects.exists()


def test_scrobble_records_plays_with_their_times(listener, library):
    times = [1_700_000_000_000, 1_700_000_200_000]

    ok(
        rest(
            "scrobble",
            user=listener,
            id=[str(library[0].id), str(library[1].id)],
            time=[str(t) for t in times],
            c="DSub",
        )
    )

    plays = list(Play.objects.filter(user=listener).order_by("played_at"))
    assert [p.song_id for p in plays] == [library[0].id, library[1].id]
    assert [p.played_at for p in plays] == [datetime.fromtimestamp(t / 1000, tz=UTC) for t in times]
    assert {(p.source, p.client) for p in plays} == {(Play.Source.SUBSONIC, "DSub")}
    assert ok(rest("getNowPlaying", user=listener))["nowPlaying"]["entry"] == []


def test_scrobble_without_a_time_is_now(listener, library):
    root = rest_xml("scrobble", user=listener, id=str(library[0].id), submission="true")

    assert root.get("status") == "ok"
    play = Play.objects.get(user=listener)
    assert abs((datetime.now(tz=UTC) - play.played_at).total_seconds()) < 60


def test_now_playing_is_shown_to_everyone_and_not_recorded(listener, other_listener, library):
    sid = str(library[5].id)

    ok(rest("scrobble", user=listener, id=sid, submission="false", c="Symfonium"))

    assert not Play.objects.exists()
    for user in (listener, other_listener):
        entries = ok(rest("getNowPlaying", user=user))["nowPlaying"]["entry"]
        assert len(entries) == 1
        entry = entries[0]
        assert entry["id"] == sid and entry["username"] == "lena"
        assert entry["minutesAgo"] == 0 and entry["playerName"] == "Symfonium"
        assert isinstance(entry["playerId"], int)

    next_song = str(library[6].id)
    ok(rest("scrobble", user=listener, id=next_song, submission="false", c="Symfonium"))
    entries = ok(rest("getNowPlaying", user=other_listener))["nowPlaying"]["entry"]
    assert [e["id"] for e in entries] == [next_song]


def test_now_playing_in_xml(listener, library):
    ok(rest("scrobble", user=listener, id=str(library[0].id), submission="false"))

    root = rest_xml("getNowPlaying", user=listener)

    entries = root.find(f"{NS}nowPlaying").findall(f"{NS}entry")
    assert [e.get("username") for e in entries] == ["lena"]


def test_now_playing_leaves_out_listeners_who_paused_their_history(
    listener, other_listener, library
):
    ok(rest("scrobble", user=listener, id=str(library[0].id), submission="false"))
    ok(rest("scrobble", user=other_listener, id=str(library[1].id), submission="false"))

    history_pause_set(user=other_listener, paused=True)  # after his player said what it plays
    ok(rest("scrobble", user=other_listener, id=str(library[2].id), submission="false"))

    for user in (listener, other_listener):
        entries = ok(rest("getNowPlaying", user=user))["nowPlaying"]["entry"]
        assert [(e["username"], e["id"]) for e in entries] == [("lena", str(library[0].id))]
    history_pause_set(user=other_listener, paused=False)  # nothing was kept while paused
    entries = ok(rest("getNowPlaying", user=listener))["nowPlaying"]["entry"]
    assert [e["username"] for e in entries] == ["lena"]


def test_now_playing_keeps_a_few_players_per_listener(listener, other_listener, library):
    # A client name is whatever the player sends: 50 made-up players of one account.
    for n in range(50):
        ok(
            rest(
                "scrobble", user=listener, id=str(library[n % 18].id), submission="false", c=f"p{n}"
            )
        )
    ok(rest("scrobble", user=other_listener, id=str(library[0].id), submission="false"))

    entries = ok(rest("getNowPlaying", user=other_listener))["nowPlaying"]["entry"]

    mine = [e["playerName"] for e in entries if e["username"] == "lena"]
    assert mine == ["p49", "p48", "p47"]  # the latest few, newest first
    assert [e["username"] for e in entries].count("otto") == 1
    assert len(cache.get(NOW_PLAYING_KEY)) == 3 + 1  # lena's latest three players, otto's one


def test_scrobble_refuses_bad_input_and_records_nothing(listener, library):
    sid = str(library[0].id)

    assert error_code(rest("scrobble", user=listener)) == 10
    assert error_code(rest("scrobble", user=listener, id=[sid, "999999"])) == 70
    assert error_code(rest("scrobble", user=listener, id=sid, time="yesterday")) == 0
    assert error_code(rest("scrobble", user=listener, id=sid, time="9" * 30)) == 0
    assert error_code(rest("scrobble", user=listener, id=[sid, sid], time="1")) == 0

    assert not Play.objects.exists()
