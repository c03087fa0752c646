"""search, the Subsonic 1.0 method: songs by artist, album, title or any field, with every
criterion given matching, paged, and the total number of hits."""

from datetime import timedelta

from django.utils import timezone

from songs.models import Song
from tests.subsonic.conftest import NS, error_code, ok, rest, rest_xml


def search(user, **params) -> dict:
    return ok(rest("search", user=user, **params))["searchResult"]


def test_criteria_all_match_and_the_page_says_where_it_is(listener, library):
    anna = search(listener, artist="anna")
    second_album = search(listener, artist="Anna Blue", album="album 2")
    page = search(listener, artist="anna", count=4, offset=4)

    assert anna["totalHits"] == 6 and anna["offset"] == 0
    assert [m["title"] for m in anna["match"]] == [f"Song {i:02d}" for i in range(6)]
    assert [m["title"] for m in second_album["match"]] == ["Song 03", "Song 04", "Song 05"]
    assert page["totalHits"] == 6 and page["offset"] == 4
    assert [m["title"] for m in page["match"]] == ["Song 04", "Song 05"]
    assert all(m["isDir"] is False and m["artist"] == "Anna Blue" for m in anna["match"])


def test_any_and_title_search_the_fields_search2_does(listener, library):
    by_any = search(listener, any="çelik")
    by_title = search(listener, title="song 1", count=50)

    assert [m["title"] for m in by_any["match"]] == [f"Song {i}" for i in range(12, 18)]
    assert {m["title"] for m in by_title["match"]} == {"Song 01", *(f"Song 1{i}" for i in range(8))}
    assert search(listener, title="nothing like it") == {"offset": 0, "totalHits": 0, "match": []}


def test_newer_than_keeps_the_songs_added_after_it(listener, library):
    now = timezone.now()
    Song.objects.exclude(id=library[0].id).update(created_at=now - timedelta(days=30))
    week_ago_ms = int((now - timedelta(days=7)).timestamp() * 1000)

    found = search(listener, newerThan=str(week_ago_ms))

    assert [m["id"] for m in found["match"]] == [str(library[0].id)]
    assert error_code(rest("search", user=listener, newerThan="yesterday")) == 0


def test_the_xml_answer_lists_matches(listener, library):
    root = rest_xml("search", user=listener, artist="bob", count=2)

    result = root.find(f"{NS}searchResult")
    assert result.get("totalHits") == "6" and result.get("offset") == "0"
    assert len(result.findall(f"{NS}match")) == 2
