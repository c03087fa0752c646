"""What listeners get from the API: songs, search, neighbours by pgvector, audio with Range."""

import numpy as np
import pytest
from rest_framework.test import APIClient

from songs.models import Song
from songs.selectors.similarity import songs_similar_to
from songs.services.ingestion import batch_create, catalogue_get_or_create, song_create_from_file
from tests.audio import write_tone
from tests.factories import make_embedded_songs


@pytest.fixture
def api(listener) -> APIClient:
    client = APIClient()
    client.force_authenticate(listener)
    return client


def exact_neighbours(song: Song, songs: list[Song], k: int) -> list[int]:
    def unit(v):
        v = np.asarray(v, dtype=np.float64)
        return v / np.linalg.norm(v)

    others = [s for s in songs if s.id != song.id]
    distances = [1 - unit(song.features) @ unit(s.features) for s in others]
    return [others[i].id for i in np.argsort(distances)[:k]]


def test_similar_songs_are_the_exact_nearest_in_the_embedding_space(api):
    songs = make_embedded_songs(per_genre=10, unlabelled=0)
    song = songs[0]
    response = api.get(f"/api/v1/songs/{song.id}/similar/?k=5")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["song"]["id"] for r in results] == exact_neighbours(song, songs, 5)
    distances = [r["distance"] for r in results]
    assert distances == sorted(distances) and all(0 <= d <= 2 for d in distances)
    assert song.id not in [r["song"]["id"] for r in results]
    assert all(r["song"]["genre"] == song.genre for r in results)


def test_max_distance_bounds_the_neighbours(api):
    songs = make_embedded_songs(per_genre=10, unlabelled=0)
    all_ten = songs_similar_to(song=songs[0], k=30)
    cut = (all_ten[3][1] + all_ten[4][1]) / 2
    response = api.get(f"/api/v1/songs/{songs[0].id}/similar/?k=30&max_distance={cut}")
    assert len(response.json()["results"]) == 4


@pytest.mark.parametrize("query", ["k=0", "k=101", "k=abc", "max_distance=-1"])
def test_bad_parameters_are_400_with_the_field_named(api, query):
    song = make_embedded_songs(per_genre=1, unlabelled=0)[0]
    response = api.get(f"/api/v1/songs/{song.id}/similar/?{query}")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {query.split("=")[0]}


def test_surprise_me_picks_a_song_between_the_distances(api):
    songs = make_embedded_songs(per_genre=10, unlabelled=0)
    response = api.get(f"/api/v1/songs/{songs[0].id}/surprise/?min_distance=0.5&max_distance=2")
    result = response.json()["result"]
    assert 0.5 <= result["distance"] <= 2
    assert result["song"]["genre"] != songs[0].genre  # other genres are the far ones here
    none = api.get(f"/api/v1/songs/{songs[0].id}/surprise/?min_distance=1.99&max_distance=2")
    assert none.json()["result"] is None


def test_search_and_song_detail(api):
    songs = make_embedded_songs(per_genre=2, unlabelled=0)
    Song.objects.filter(id=songs[0].id).update(title="Moonlight Drive", artist="The Doors")
    Song.objects.filter(id=songs[1].id).update(title="Dark Moon", artist="Someone")
    results = api.get("/api/v1/songs/search/?q=moon").json()["results"]
    assert [r["title"] for r in results] == ["Moonlight Drive", "Dark Moon"]
    detail = api.get(f"/api/v1/songs/{songs[0].id}/").json()
    assert detail["title"] == "Moonlight Drive" and len(detail["top_tags"]) == 5
    assert detail["audio_url"] == f"/api/v1/songs/{songs[0].id}/audio/"


def test_listeners_do_not_see_songs_still_being_analysed(api, manager):
    song = make_embedded_songs(per_genre=1, unlabelled=0)[0]
    Song.objects.filter(id=song.id).update(status=Song.Status.PENDING)
    assert api.get(f"/api/v1/songs/{song.id}/").status_code == 404
    staff = APIClient()
    staff.force_authenticate(manager)
    assert staff.get(f"/api/v1/songs/{song.id}/").status_code == 200


def test_audio_is_streamed_with_range_requests(api, tmp_path):
    batch = batch_create(source="import", catalogue=catalogue_get_or_create())
    path = write_tone(tmp_path / "a.flac", seconds=2)
    song, _ = song_create_from_file(path=path, original_name="a.flac", batch=batch)
    Song.objects.filter(id=song.id).update(status=Song.Status.READY)
    data = path.read_bytes()
    url = f"/api/v1/songs/{song.id}/audio/"

    whole = api.get(url)
    assert whole.status_code == 200 and whole["Content-Type"] == "audio/flac"
    assert b"".join(whole.streaming_content) == data and whole["Accept-Ranges"] == "bytes"

    part = api.get(url, HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert b"".join(part.streaming_content) == data[100:200]

    tail = api.get(url, HTTP_RANGE="bytes=-50")
    assert b"".join(tail.streaming_content) == data[-50:]
    assert api.get(url, HTTP_RANGE=f"bytes={len(data)}-").status_code == 416


HUGE = "9" * 5000  # past Python's limit on digits for int(): once a 500


@pytest.mark.parametrize(
    "header",
    [f"bytes={HUGE}-", f"bytes=0-{HUGE}", f"bytes=-{HUGE}", f"bytes={HUGE}-{HUGE}",
     "bytes=0-" + "9" * 19, "bytes=" + "1" * 19 + "-"],
    ids=["start", "end", "suffix", "both", "end-past-2**63", "start-past-2**63"],
)  # fmt: skip
def test_a_range_with_a_huge_number_is_416_not_a_server_error(api, tmp_path, header):
    batch = batch_create(source="import", catalogue=catalogue_get_or_create())
    path = write_tone(tmp_path / "a.flac", seconds=1)
    song, _ = song_create_from_file(path=path, original_name="a.flac", batch=batch)
    Song.objects.filter(id=song.id).update(status=Song.Status.READY)

    response = api.get(f"/api/v1/songs/{song.id}/audio/", HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{path.stat().st_size}"


def test_song_endpoints_need_a_signed_in_user(db):
    assert APIClient().get("/api/v1/songs/").status_code == 401
