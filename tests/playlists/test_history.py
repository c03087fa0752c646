"""Listening history: every player records plays, the listener alone sees, pauses and deletes
them, and "more like what I play", "new to me" and the listening map are made from them (and
forget what was deleted)."""

from datetime import timedelta

import numpy as np
import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from ml.taste import heard_fractions, play_weights
from ml.taste import song_weights as ml_song_weights
from neuralnotes.tokens import api_token_create
from playlists.models import HistoryPause, Play
from playlists.services import history_delete, history_pause_set, play_record
from playlists.taste import listening_map, song_weights, songs_like_my_plays, songs_new_to_me
from songs.models import BackboneEmbedding, Song
from tests.factories import make_embedded_songs
from tests.subsonic.conftest import ok, rest

HISTORY = "/api/v1/history/"
FOLK, METAL, TECHNO = range(0, 6), range(6, 12), range(12, 18)


@pytest.fixture
def songs(db):
    """18 analysed songs with vectors: folk 0-5, metal 6-11, techno 12-17, each 200 s long."""
    songs = make_embedded_songs(per_genre=6, unlabelled=0)
    Song.objects.filter(id__in=[s.id for s in songs]).update(duration_s=200.0)
    # Earlier tests left dead entries in the HNSW graph (see tests/subsonic/conftest.py).
    with connection.cursor() as cursor:
        cursor.execute("REINDEX INDEX backbone_vector_hnsw")
    return songs


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user)[1]}")
    return client


def web_client(user) -> Client:
    """A browser's session (the web player's way in), CSRF checked as in a browser."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)  # the sign-in form itself is tested in tests/neuralnotes
    client.get("/playlists/history/")  # sets the CSRF cookie
    return client


def web_post(client: Client, path: str, data: dict):
    token = client.cookies["csrftoken"].value
    return client.post(path, data, content_type="application/json", HTTP_X_CSRFTOKEN=token)


def play(user, song, *, days_ago: float = 2.0, seconds: float | None = 200.0, skipped=None):
    return play_record(
        user=user,
        song=song,
        source=Play.Source.API,
        played_at=timezone.now() - timedelta(days=days_ago),
        seconds_heard=seconds,
        skipped=skipped,
    )


def ids_of(answer) -> list[int]:
    return [row["song"]["id"] for row in answer.json()["results"]]


def vector_of(song) -> np.ndarray:
    v = np.asarray(BackboneEmbedding.objects.get(song=song).vector, dtype=np.float64)
    return v / np.linalg.norm(v)


# ---- recording, from every player ----


def test_each_player_records_with_its_source(listener, songs):
    web = web_client(listener)
    answer = web_post(web, HISTORY, {"song": songs[0].id, "seconds_heard": 150.5})
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["song"]["id"] == songs[0].id and body["song"]["title"] == songs[0].title
    assert body["source"] == "web" and body["seconds_heard"] == 150.5 and body["skipped"] is False

    api = token_client(listener)
    answer = api.post(HISTORY, {"song": songs[1].id, "client": "my app"}, format="json")
    assert answer.status_code == 201 and answer.json()["source"] == "api"
    ok(rest("scrobble", user=listener, id=str(songs[2].id), c="DSub"))

    listed = api.get(HISTORY).json()
    assert listed["count"] == 3
    assert [p["song"]["id"] for p in listed["results"]] == [s.id for s in songs[2::-1]]
    assert [p["source"] for p in listed["results"]] == ["subsonic", "api", "web"]
    assert listed["results"][1]["client"] == "my app"


def test_the_web_player_needs_the_csrf_header(listener, songs):
    web = web_client(listener)
    answer = web.post(HISTORY, {"song": songs[0].id}, content_type="application/json")
    assert answer.status_code == 403
    assert not Play.objects.exists()


def test_a_short_listen_is_a_skip_unless_the_client_says_otherwise(listener, songs):
    api = token_client(listener)

    def skipped(**fields) -> bool:
        answer = api.post(HISTORY, {"song": songs[0].id, **fields}, format="json")
        assert answer.status_code == 201, answer.content
        return answer.json()["skipped"]

    assert skipped(seconds_heard=5) is True  # 5 s of 200
    assert skipped(seconds_heard=30) is False
    assert skipped(seconds_heard=120) is False
    assert skipped() is False  # nothing said: a play
    assert skipped(seconds_heard=5, skipped=False) is False
    assert skipped(seconds_heard=190, skipped=True) is True


def test_only_analysed_songs_and_no_future_plays(listener, songs):
    api = token_client(listener)
    Song.objects.filter(id=songs[0].id).update(status=Song.Status.PENDING)
    assert api.post(HISTORY, {"song": songs[0].id}, format="json").status_code == 404
    assert api.post(HISTORY, {"song": 999999}, format="json").status_code == 404
    future = (timezone.now() + timedelta(hours=1)).isoformat()
    answer = api.post(HISTORY, {"song": songs[1].id, "played_at": future}, format="json")
    assert answer.status_code == 400 and "played_at" in answer.json()["error"]["fields"]
    assert not Play.objects.exists()


def test_pause_stops_recording_from_all_three_sources(listener, songs):
    api = token_client(listener)
    web = web_client(listener)
    assert api.get(f"{HISTORY}pause/").json() == {"paused": False, "since": None}
    paused = api.put(f"{HISTORY}pause/", {"paused": True}, format="json")
    assert paused.status_code == 200 and paused.json()["paused"] is True
    assert paused.json()["since"] is not None

    answer = web_post(web, HISTORY, {"song": songs[0].id, "seconds_heard": 100})
    assert answer.status_code == 200 and answer.json()["recorded"] is False
    answer = api.post(HISTORY, {"song": songs[1].id}, format="json")
    assert answer.status_code == 200 and answer.json()["recorded"] is False
    ok(rest("scrobble", user=listener, id=str(songs[2].id)))  # the app is not told: it is fine
    assert play_record(user=listener, song=songs[3], source="api") is None
    assert not Play.objects.exists()

    resumed = api.put(f"{HISTORY}pause/", {"paused": False}, format="json")
    assert resumed.json() == {"paused": False, "since": None}
    ok(rest("scrobble", user=listener, id=str(songs[2].id)))
    assert api.post(HISTORY, {"song": songs[1].id}, format="json").status_code == 201
    assert Play.objects.filter(user=listener).count() == 2


def test_pausing_one_listener_does_not_pause_another(listener, other_listener, songs):
    history_pause_set(user=listener, paused=True)
    assert play_record(user=other_listener, song=songs[0], source="api") is not None
    assert history_pause_set(user=listener, paused=True) is True  # twice: still one pause
    assert HistoryPause.objects.count() == 1


# ---- privacy ----


def test_nobody_else_sees_or_deletes_a_listeners_history(listener, other_listener, songs):
    mine = [play(listener, songs[i]) for i in FOLK]
    otto = token_client(other_listener)
    otto_web = web_client(other_listener)

    assert otto.get(HISTORY).json()["count"] == 0
    assert otto.delete(f"{HISTORY}{mine[0].id}/").status_code == 404
    assert otto.delete(HISTORY).status_code == 204  # his own, empty, history
    assert otto.get(f"{HISTORY}more-like/").json() == {"results": []}
    assert otto.get(f"{HISTORY}new-to-me/").json() == {"results": []}
    assert otto.get(f"{HISTORY}map/").json() == {"songs": [], "weights": []}
    page = otto_web.get("/playlists/history/")
    assert page.status_code == 200
    assert f'data-play="{mine[0].id}"' not in page.content.decode()
    token = otto_web.cookies["csrftoken"].value
    answer = otto_web.post(f"/playlists/history/{mine[0].id}/delete/", HTTP_X_CSRFTOKEN=token)
    assert answer.status_code == 404
    assert history_delete(user=other_listener, play_ids=[p.id for p in mine]) == 0

    assert Play.objects.filter(user=listener).count() == len(mine)
    lena = token_client(listener)
    assert lena.get(HISTORY).json()["count"] == len(mine)
    assert set(lena.get(f"{HISTORY}map/").json()["songs"]) == {songs[i].id for i in FOLK}


def test_the_page_shows_only_the_listeners_own_plays(listener, other_listener, songs):
    play(listener, songs[0])
    theirs = play(other_listener, songs[1])
    page = web_client(listener).get("/playlists/history/").content.decode()
    assert songs[0].title in page and f'data-play="{theirs.id}"' not in page


# ---- deleting ----


def test_deleting_history_removes_it_everywhere(listener, songs):
    plays = [play(listener, songs[i]) for i in FOLK]
    api = token_client(listener)
    assert ids_of(api.get(f"{HISTORY}more-like/?k=5"))
    assert ids_of(api.get(f"{HISTORY}new-to-me/?k=5"))

    # One play: out of the list and the map.
    assert api.delete(f"{HISTORY}{plays[0].id}/").status_code == 204
    assert plays[0].id not in [p["id"] for p in api.get(HISTORY).json()["results"]]
    assert songs[0].id not in api.get(f"{HISTORY}map/").json()["songs"]
    # Now never played: it may be new to me again.
    assert songs[0].id in ids_of(api.get(f"{HISTORY}new-to-me/?k=20"))

    # Everything: nothing made from the history is left.
    assert api.delete(HISTORY).status_code == 204
    assert api.get(HISTORY).json()["count"] == 0
    assert api.get(f"{HISTORY}more-like/").json() == {"results": []}
    assert api.get(f"{HISTORY}new-to-me/").json() == {"results": []}
    assert api.get(f"{HISTORY}map/").json() == {"songs": [], "weights": []}
    assert songs_like_my_plays(user=listener) == songs_new_to_me(user=listener) == []


def test_the_page_pauses_deletes_one_and_deletes_all_after_confirmation(listener, songs):
    web = web_client(listener)
    token = web.cookies["csrftoken"].value
    plays = [play(listener, songs[i]) for i in (0, 1, 2)]

    page = web.get("/playlists/history/").content.decode()
    assert all(f'data-play="{p.id}"' in page for p in plays)
    assert 'id="more-like"' in page and 'id="new-to-me"' in page

    web.post("/playlists/history/pause/", {"paused": "1"}, HTTP_X_CSRFTOKEN=token)
    assert HistoryPause.objects.filter(user=listener).exists()
    assert "Resume" in web.get("/playlists/history/").content.decode()
    web.post("/playlists/history/pause/", {"paused": "0"}, HTTP_X_CSRFTOKEN=token)
    assert not HistoryPause.objects.filter(user=listener).exists()

    answer = web.post(f"/playlists/history/{plays[0].id}/delete/", HTTP_X_CSRFTOKEN=token)
    assert answer.status_code == 302
    assert not Play.objects.filter(id=plays[0].id).exists()

    web.post("/playlists/history/delete/", {}, HTTP_X_CSRFTOKEN=token)  # not confirmed
    assert Play.objects.filter(user=listener).count() == 2
    answer = web.post(
        "/playlists/history/delete/", {"confirm": "all"}, HTTP_X_CSRFTOKEN=token, follow=True
    )
    assert "Deleted your whole history (2 plays)." in answer.content.decode()
    assert not Play.objects.filter(user=listener).exists()
    assert web.get("/playlists/history/pause/").status_code == 405


# ---- made from the history ----


def test_no_history_no_suggestions_and_no_map(listener, songs):
    api = token_client(listener)
    for path in ("more-like/", "new-to-me/"):
        answer = api.get(f"{HISTORY}{path}")
        assert answer.status_code == 200 and answer.json() == {"results": []}
    assert api.get(f"{HISTORY}map/").json() == {"songs": [], "weights": []}
    assert api.get(f"{HISTORY}more-like/?k=101").status_code == 400


def test_more_like_what_i_play_is_near_it_and_leaves_out_what_i_just_heard(listener, songs):
    for i in FOLK[:4]:
        play(listener, songs[i], days_ago=3)
    play(listener, songs[4], days_ago=0.1)  # heard just now
    api = token_client(listener)

    found = api.get(f"{HISTORY}more-like/?k=4").json()["results"]
    ids = [row["song"]["id"] for row in found]
    assert len(ids) == 4 and len(set(ids)) == 4
    folk = {songs[i].id for i in FOLK}
    assert set(ids) <= folk - {songs[4].id}  # a song liked days ago may come back
    assert all(0 <= row["distance"] < 1 for row in found)


def test_several_tastes_each_get_their_songs(listener, songs):
    for i in [*FOLK[:4], *TECHNO[:4]]:
        play(listener, songs[i])
    found = songs_like_my_plays(user=listener, k=6)
    genres = {song.genre for song, _ in found}
    assert genres == {"folk", "techno"}


def test_skips_count_against_a_song_and_its_neighbourhood(listener, songs):
    liked = [songs[i] for i in (*FOLK[:2], *METAL[:2])]  # two liked of each
    skipped = songs[METAL[2]]
    for song in liked:
        play(listener, song)
    before = songs_like_my_plays(user=listener, k=8)

    for _ in range(4):
        play(listener, skipped, seconds=4)  # skipped after 4 s: a skip by the rule
    after = songs_like_my_plays(user=listener, k=8)

    assert skipped.id not in {song.id for song, _ in after}
    away = vector_of(skipped)

    def closeness(found) -> float:
        return float(np.mean([vector_of(song) @ away for song, _ in found]))

    assert closeness(after) < closeness(before)
    metal = {songs[i].id for i in METAL}
    assert sum(s.id in metal for s, _ in after) < sum(s.id in metal for s, _ in before)
    weights = {song_id: weight for song_id, weight, _ in song_weights(user=listener)}
    assert weights[skipped.id] < 0
    ids, map_weights = listening_map(user=listener)
    assert map_weights[ids.index(skipped.id)] < 0


def test_new_to_me_never_returns_a_played_song(listener, songs):
    played = {songs[i].id for i in (*FOLK, *METAL[:3])}
    for song_id in played:
        play(listener, Song.objects.get(id=song_id), days_ago=40)
    api = token_client(listener)
    found = ids_of(api.get(f"{HISTORY}new-to-me/?k=20"))
    assert found and not set(found) & played
    assert set(found) == {s.id for s in songs} - played  # everything else, nearest first
    near = ids_of(api.get(f"{HISTORY}new-to-me/?k=3"))
    assert {Song.objects.get(id=i).genre for i in near} == {"metal"}


def test_the_map_weighs_each_played_song(listener, songs):
    play(listener, songs[0], days_ago=0, seconds=200)
    play(listener, songs[0], days_ago=30, seconds=200)
    play(listener, songs[1], days_ago=0, seconds=100)
    play(listener, songs[2], days_ago=0, seconds=5)
    answer = token_client(listener).get(f"{HISTORY}map/").json()
    weights = dict(zip(answer["songs"], answer["weights"], strict=True))
    assert answer["songs"] == sorted(answer["songs"])
    assert weights[songs[0].id] == pytest.approx(1.5, abs=1e-3)
    assert weights[songs[1].id] == pytest.approx(0.5, abs=1e-3)
    assert weights[songs[2].id] == pytest.approx(-1.0, abs=1e-3)


def test_the_sql_weights_are_those_of_ml_taste(listener, songs):
    rng = np.random.default_rng(7)
    now = timezone.now()
    Song.objects.filter(id=songs[3].id).update(duration_s=None)
    Song.objects.filter(id=songs[4].id).update(duration_s=0.0)
    rows = []
    for _ in range(60):
        song = Song.objects.get(id=songs[int(rng.integers(0, 6))].id)
        age = float(rng.uniform(-0.5, 120))
        heard = None if rng.random() < 0.2 else float(rng.uniform(0, 260))
        skipped = bool(rng.random() < 0.3)
        play_record(
            user=listener,
            song=song,
            source="api",
            played_at=now - timedelta(days=age),
            seconds_heard=heard,
            skipped=skipped,
        )
        rows.append((song.id, age, heard, song.duration_s, skipped))
    ids, ages, heard, durations, skips = zip(*rows, strict=True)
    nan = float("nan")
    fractions = heard_fractions(
        np.array([nan if h is None else h for h in heard]),
        np.array([nan if d is None else d for d in durations]),
    )
    expected_ids, expected = ml_song_weights(
        np.array(ids), play_weights(np.array(ages), fractions, np.array(skips))
    )
    found = {song_id: weight for song_id, weight, _ in song_weights(user=listener, now=now)}
    assert sorted(found) == expected_ids.tolist()
    np.testing.assert_allclose([found[i] for i in expected_ids], expected, rtol=1e-6, atol=1e-9)
