"""Search by words and song alchemy, through the selectors and the REST API."""

import numpy as np
import pytest
from rest_framework.test import APIClient

from songs.models import Song
from songs.selectors.alchemy import AlchemyError, songs_alchemy
from songs.selectors.words import songs_by_words
from tests.factories import give_tags, make_embedded_songs

CALM = ("Mellow", "chill", "chillout", "quiet", "soft")


@pytest.fixture
def api(listener) -> APIClient:
    client = APIClient()
    client.force_authenticate(listener)
    return client


def calm(p: float) -> dict[str, float]:
    return {tag: p for tag in CALM}


@pytest.fixture
def tagged(db):
    """Songs with vectors; the first four have the tags that matter, the rest next to none."""
    songs = make_embedded_songs(per_genre=4, unlabelled=0)
    for song in songs:
        give_tags(song)
    both, piano_only, calm_only, drums = songs[:4]
    give_tags(both, piano=0.8, **calm(0.8))
    give_tags(piano_only, piano=0.95, **calm(0.05))
    give_tags(calm_only, piano=0.05, **calm(0.95))
    give_tags(drums, drums=0.9, fast=0.9)
    return songs


def ids(search) -> list[int]:
    return [song.id for song, _ in search.songs]


def test_tag_words_rank_by_all_the_tags_asked_for(tagged):
    both, piano_only, calm_only, _ = tagged[:4]

    calm_piano = songs_by_words(query="calm piano", k=3)
    piano = songs_by_words(query="piano", k=2)

    assert ids(calm_piano)[0] == both.id  # the one with both beats either one alone
    assert set(ids(calm_piano)[1:]) == {piano_only.id, calm_only.id}
    assert ids(piano) == [piano_only.id, both.id]
    matches = [match for _, match in calm_piano.songs]
    assert matches == sorted(matches, reverse=True) and 0.7 < matches[0] < 0.85


def test_near_spellings_find_what_the_right_spelling_finds(tagged):
    assert ids(songs_by_words(query="pianno", k=2)) == ids(songs_by_words(query="piano", k=2))
    assert ids(songs_by_words(query="drum", k=1)) == [tagged[3].id]


def test_genre_words_keep_that_genre_and_name_words_keep_those_names(tagged):
    folk = songs_by_words(query="folk", k=100)  # a label of the factory's songs, and a tag
    assert folk.songs and {song.genre for song, _ in folk.songs} == {"folk"}

    Song.objects.filter(id=tagged[5].id).update(title="Goldberg Variation")
    named = songs_by_words(query="goldberg", k=10)
    assert ids(named) == [tagged[5].id] and named.songs[0][1] is None
    assert [t.kind for t in named.understanding.terms] == ["name"]


def test_unknown_words_are_explained_instead_of_finding_nothing_silently(api, tagged):
    response = api.get("/api/v1/songs/by-words/", {"q": "xyzzy frobnicate"})

    body = response.json()
    assert response.status_code == 200
    assert body["results"] == [] and body["not_understood"] == ["xyzzy", "frobnicate"]
    assert "Not understood" in body["message"] and "piano" in body["message"]


def test_the_api_says_how_each_word_was_understood(api, tagged):
    response = api.get("/api/v1/songs/by-words/", {"q": "calm pianno with zzzq", "k": 3})

    body = response.json()
    assert [r["song"]["id"] for r in body["results"]][0] == tagged[0].id
    assert [(t["text"], t["how"]) for t in body["understood"]] == [
        ("calm", "synonym"),
        ("pianno", "near spelling of piano"),
    ]
    assert body["ignored"] == ["with"] and body["not_understood"] == ["zzzq"]
    assert "near spelling of piano" in body["message"] and "zzzq" in body["message"]


def test_word_search_needs_words(api, db):
    assert api.get("/api/v1/songs/by-words/").status_code == 400


def test_songs_not_analysed_are_never_found(tagged):
    Song.objects.filter(id=tagged[0].id).update(status=Song.Status.FAILED)

    assert tagged[0].id not in ids(songs_by_words(query="calm piano", k=50))


# --- Alchemy -----------------------------------------------------------------------------------


def unit(v) -> np.ndarray:
    v = np.asarray(v, np.float64)
    return v / np.linalg.norm(v)


def test_alchemy_never_returns_its_inputs_and_leans_to_the_added_songs(db):
    songs = make_embedded_songs(per_genre=8, unlabelled=0)
    folk, metal = songs[0], songs[8]  # the factory's genre clusters: folk, metal, techno

    results = songs_alchemy(add=[(folk.id, 1.0)], subtract=[(metal.id, 1.0)], k=5)

    found = [song for song, _ in results]
    assert len(found) == 5 and {folk.id, metal.id}.isdisjoint(s.id for s in found)
    for song in Song.objects.filter(id__in=[s.id for s in found]):
        features = unit(song.features)
        assert features @ unit(folk.features) > features @ unit(metal.features)
    assert {song.genre for song in found} == {"folk"}


def test_weights_move_the_result(db):
    songs = make_embedded_songs(per_genre=8, unlabelled=0)
    folk, techno = songs[0], songs[16]

    towards_folk = songs_alchemy(add=[(folk.id, 5.0), (techno.id, 0.2)], k=5)
    towards_techno = songs_alchemy(add=[(folk.id, 0.2), (techno.id, 5.0)], k=5)

    assert {s.genre for s, _ in towards_folk} == {"folk"}
    assert {s.genre for s, _ in towards_techno} == {"techno"}


def test_alchemy_refuses_what_cannot_be_combined(db):
    songs = make_embedded_songs(per_genre=2, unlabelled=0)
    pending = Song.objects.filter(id=songs[1].id)
    pending.update(status=Song.Status.PENDING)

    with pytest.raises(AlchemyError, match="once"):
        songs_alchemy(add=[(songs[0].id, 1)], subtract=[(songs[0].id, 1)])
    with pytest.raises(AlchemyError, match=str(songs[1].id)):
        songs_alchemy(add=[(songs[0].id, 1), (songs[1].id, 1)])
    with pytest.raises(AlchemyError, match="Add at least one"):
        songs_alchemy(add=[], subtract=[(songs[0].id, 1)])


def test_the_alchemy_api_answers_neighbours_and_400_for_bad_input(api, db):
    songs = make_embedded_songs(per_genre=4, unlabelled=0)
    body = {"add": [{"song": songs[0].id}, {"song": songs[1].id, "weight": 2}], "k": 4}

    response = api.post("/api/v1/songs/alchemy/", body, format="json")

    assert response.status_code == 200
    result = response.json()
    assert result["add"] == [songs[0].id, songs[1].id] and result["subtract"] == []
    found = [r["song"]["id"] for r in result["results"]]
    assert len(found) == 4 and not {songs[0].id, songs[1].id} & set(found)
    bad = api.post("/api/v1/songs/alchemy/", {"add": [{"song": 999999}]}, format="json")
    assert bad.status_code == 400 and "999999" in str(bad.json()["error"]["fields"])
    assert api.post("/api/v1/songs/alchemy/", {"add": []}, format="json").status_code == 400


def test_word_search_sees_tags_written_replaced_and_deleted_since_it_last_looked(tagged):
    drums = tagged[3]
    assert ids(songs_by_words(query="drums", k=1)) == [drums.id]

    louder = give_tags(tagged[5], drums=0.99)  # replaced: delete and insert, a new revision
    assert ids(songs_by_words(query="drums", k=2)) == [louder.id, drums.id]

    louder.delete()
    assert ids(songs_by_words(query="drums", k=2))[0] == drums.id
    Song.objects.filter(id=drums.id).delete()
    assert drums.id not in ids(songs_by_words(query="drums", k=50))
