"""The play queue and bookmarks: a listener stops on one device and carries on at the same song
and second on another; their queue and bookmarks are theirs alone."""

from datetime import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from songs.models import Song
from subsonic.models import Bookmark, PlayQueue
from tests.subsonic.conftest import NS, error_code, ok, rest, rest_xml


def ids(songs) -> list[str]:
    return [str(s.id) for s in songs]


def entry_ids(queue: dict) -> list[str]:
    return [e["id"] for e in queue.get("entry", [])]


def test_a_queue_saved_on_one_device_is_restored_on_another(listener, library):
    order = [library[5], library[2], library[11], library[0]]

    ok(
        rest(
            "savePlayQueue",
            user=listener,
            c="Phone",
            id=ids(order),
            current=str(library[11].id),
            position=93_500,
        )
    )
    queue = ok(rest("getPlayQueue", user=listener, c="Desktop"))["playQueue"]

    assert entry_ids(queue) == ids(order)
    assert queue["current"] == str(library[11].id)
    assert queue["position"] == 93_500
    assert queue["changedBy"] == "Phone"
    assert queue["username"] == listener.username
    assert datetime.fromisoformat(queue["changed"]).tzinfo is not None
    assert queue["entry"][0]["title"] == library[5].title


def test_saving_again_replaces_the_queue_and_keeps_one_per_user(listener, library):
    ok(rest("savePlayQueue", user=listener, id=ids(library[:5]), current=str(library[0].id)))

    ok(
        rest(
            "savePlayQueue",
            user=listener,
            c="Tablet",
            id=ids(library[6:8]),
            current=str(library[7].id),
        )
    )

    queue = ok(rest("getPlayQueue", user=listener))["playQueue"]
    assert entry_ids(queue) == ids(library[6:8])
    assert queue["current"] == str(library[7].id)
    assert queue["position"] == 0  # no position given: the start of the song
    assert queue["changedBy"] == "Tablet"
    assert PlayQueue.objects.filter(user=listener).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        PlayQueue.objects.create(user=listener, changed_at=timezone.now())


def test_the_index_based_queue_tells_two_copies_of_a_song_apart(listener, library):
    a, b = str(library[3].id), str(library[4].id)

    ok(
        rest(
            "savePlayQueueByIndex",
            user=listener,
            c="Car",
            id=[a, b, a],
            currentIndex=2,
            position=4_000,
        )
    )
    by_index = ok(rest("getPlayQueueByIndex", user=listener))["playQueueByIndex"]
    by_id = ok(rest("getPlayQueue", user=listener))["playQueue"]

    assert entry_ids(by_index) == [a, b, a]
    assert by_index["currentIndex"] == 2
    assert by_index["position"] == 4_000
    assert by_index["changedBy"] == "Car"
    assert by_id["current"] == a and entry_ids(by_id) == [a, b, a]


def test_a_queue_saved_by_id_reads_back_by_index(listener, library):
    ok(rest("savePlayQueue", user=listener, id=ids(library[:4]), current=str(library[2].id)))

    queue = ok(rest("getPlayQueueByIndex", user=listener))["playQueueByIndex"]

    assert queue["currentIndex"] == 2
    assert entry_ids(queue) == ids(library[:4])


@pytest.mark.parametrize("method", ["savePlayQueue", "savePlayQueueByIndex"])
def test_saving_without_ids_clears_the_queue(method, listener, library):
    ok(rest("savePlayQueue", user=listener, id=ids(library[:3]), current=str(library[1].id)))

    ok(rest(method, user=listener, c="Watch"))

    for get, key in [("getPlayQueue", "playQueue"), ("getPlayQueueByIndex", "playQueueByIndex")]:
        queue = ok(rest(get, user=listener))[key]
        assert "entry" not in queue or queue["entry"] == []
        assert not {"current", "currentIndex", "position"} & set(queue)
        assert queue["changedBy"] == "Watch"
        assert queue["username"] == listener.username


def test_clearing_by_index_with_a_current_index_is_refused(listener, library):
    assert error_code(rest("savePlayQueueByIndex", user=listener, currentIndex=0)) == 10


def test_a_queue_never_saved_is_an_empty_one(listener):
    queue = ok(rest("getPlayQueue", user=listener))["playQueue"]

    assert queue["username"] == listener.username
    assert entry_ids(queue) == []
    assert "current" not in queue and queue["changedBy"] == ""


def test_songs_that_leave_the_library_leave_the_queue(listener, library):
    ok(
        rest(
            "savePlayQueueByIndex",
            user=listener,
            id=ids(library[:4]),
            currentIndex=3,
            position=10,
        )
    )

    Song.objects.filter(id=library[1].id).update(status=Song.Status.FAILED)

    queue = ok(rest("getPlayQueueByIndex", user=listener))["playQueueByIndex"]
    assert entry_ids(queue) == ids([library[0], library[2], library[3]])
    assert queue["currentIndex"] == 2  # still the same song
    Song.objects.filter(id=library[3].id).update(status=Song.Status.FAILED)
    queue = ok(rest("getPlayQueue", user=listener))["playQueue"]
    assert entry_ids(queue) == ids([library[0], library[2]])
    assert "current" not in queue


def test_another_user_sees_neither_queue_nor_bookmarks(listener, other_listener, library):
    ok(rest("savePlayQueue", user=listener, id=ids(library[:3]), current=str(library[0].id)))
    ok(rest("createBookmark", user=listener, id=str(library[0].id), position=5_000))

    queue = ok(rest("getPlayQueue", user=other_listener))["playQueue"]
    bookmarks = ok(rest("getBookmarks", user=other_listener))["bookmarks"]
    refused = rest("deleteBookmark", user=other_listener, id=str(library[0].id))

    assert entry_ids(queue) == [] and queue["username"] == other_listener.username
    assert bookmarks.get("bookmark", []) == []
    assert error_code(refused) == 70
    assert Bookmark.objects.filter(user=listener).count() == 1
    theirs = str(library[9].id)
    ok(rest("savePlayQueue", user=other_listener, id=[theirs], current=theirs))
    assert entry_ids(ok(rest("getPlayQueue", user=listener))["playQueue"]) == ids(library[:3])


@pytest.mark.parametrize(
    ("method", "params", "code"),
    [
        ("savePlayQueue", {"id": ["999999"], "current": "999999"}, 70),
        ("savePlayQueue", {"id": ["not-a-song"], "current": "not-a-song"}, 70),
        ("savePlayQueue", {"id": "SONG0", "current": "SONG1"}, 10),  # current not in the queue
        ("savePlayQueue", {"id": "SONG0"}, 10),  # current missing
        ("savePlayQueueByIndex", {"id": ["999999"], "currentIndex": 0}, 70),
        ("savePlayQueueByIndex", {"id": "SONG0", "currentIndex": 1}, 10),
        ("savePlayQueueByIndex", {"id": "SONG0", "currentIndex": -1}, 10),
        ("savePlayQueueByIndex", {"id": "SONG0", "currentIndex": "first"}, 10),
        ("savePlayQueueByIndex", {"id": "SONG0"}, 10),
        ("createBookmark", {"position": 1}, 10),
        ("createBookmark", {"id": "SONG0"}, 10),
        ("createBookmark", {"id": "999999", "position": 1}, 70),
        ("deleteBookmark", {}, 10),
        ("deleteBookmark", {"id": "999999"}, 70),
        ("deleteBookmark", {"id": "SONG0"}, 70),  # a song without a bookmark
    ],
)
def test_bad_input_is_refused_and_changes_nothing(method, params, code, listener, library):
    songs = {f"SONG{i}": str(library[i].id) for i in range(2)}
    ok(rest("savePlayQueue", user=listener, id=ids(library[4:6]), current=str(library[5].id)))
    params = {k: songs.get(v, v) if isinstance(v, str) else v for k, v in params.items()}

    assert error_code(rest(method, user=listener, **params)) == code

    queue = ok(rest("getPlayQueue", user=listener))["playQueue"]
    assert entry_ids(queue) == ids(library[4:6]) and queue["current"] == str(library[5].id)
    assert not Bookmark.objects.exists()


def test_a_bookmark_is_created_moved_listed_and_deleted(listener, library):
    song, other = library[2], library[7]

    ok(rest("createBookmark", user=listener, id=str(song.id), position=60_000, comment="ch. 1"))
    ok(rest("createBookmark", user=listener, id=str(other.id), position=1_000))
    ok(rest("createBookmark", user=listener, id=str(song.id), position=125_000, comment="ch. 2"))
    listed = ok(rest("getBookmarks", user=listener))["bookmarks"]["bookmark"]

    assert [b["entry"]["id"] for b in listed] == [str(song.id), str(other.id)]  # last changed first
    moved = listed[0]
    assert moved["position"] == 125_000 and moved["entry"]["bookmarkPosition"] == 125_000
    assert moved["comment"] == "ch. 2" and moved["username"] == listener.username
    assert moved["created"] <= moved["changed"]
    assert Bookmark.objects.filter(user=listener, song=song).count() == 1

    ok(rest("deleteBookmark", user=listener, id=str(song.id)))
    listed = ok(rest("getBookmarks", user=listener))["bookmarks"]["bookmark"]
    assert [b["entry"]["id"] for b in listed] == [str(other.id)]
    with pytest.raises(IntegrityError), transaction.atomic():
        Bookmark.objects.create(user=listener, song=other, position_ms=0)


def test_the_xml_answers_carry_the_same_fields(listener, library):
    ok(
        rest(
            "savePlayQueue",
            user=listener,
            c="Phone",
            id=ids(library[:2]),
            current=str(library[1].id),
            position=7_000,
        )
    )
    ok(rest("createBookmark", user=listener, id=str(library[0].id), position=3_000, comment="x"))

    queue = rest_xml("getPlayQueue", user=listener).find(f"{NS}playQueue")
    by_index = rest_xml("getPlayQueueByIndex", user=listener).find(f"{NS}playQueueByIndex")
    bookmark = rest_xml("getBookmarks", user=listener).find(f"{NS}bookmarks/{NS}bookmark")

    assert queue.get("current") == str(library[1].id) and queue.get("position") == "7000"
    assert queue.get("changedBy") == "Phone" and queue.get("username") == listener.username
    assert [e.get("id") for e in queue.findall(f"{NS}entry")] == ids(library[:2])
    assert by_index.get("currentIndex") == "1"
    assert [bookmark.get(k) for k in ("position", "comment", "username")] == [
        "3000",
        "x",
        listener.username,
    ]
    entry = bookmark.find(f"{NS}entry")
    assert entry.get("id") == str(library[0].id) and entry.get("bookmarkPosition") == "3000"


def queries_of(method: str, **kwargs) -> int:
    with CaptureQueriesContext(connection) as captured:
        ok(rest(method, **kwargs))
    return len(captured.captured_queries)


def test_the_query_count_does_not_grow_with_the_queue(listener, library):
    def counts(length: int) -> tuple[int, int]:
        songs = [library[i % len(library)] for i in range(length)]
        saved = queries_of(
            "savePlayQueueByIndex", user=listener, id=ids(songs), currentIndex=length - 1
        )
        read = queries_of("getPlayQueue", user=listener)
        assert len(ok(rest("getPlayQueue", user=listener))["playQueue"]["entry"]) == length
        return saved, read

    counts(1)  # the first save creates the queue; every later one replaces it
    assert counts(3) == counts(400)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_py_opensonic_saves_and_restores_the_queue_and_bookmarks(opensonic, library):
    order = [str(library[4].id), str(library[1].id), str(library[4].id)]

    assert opensonic.save_play_queue(order[:2], current=order[1], position=42_000) is True
    queue = opensonic.get_play_queue()
    assert [e.id for e in queue.entry] == order[:2]
    assert (queue.current, queue.position) == (order[1], 42_000)
    assert queue.changed_by == "py-opensonic-test" and queue.username == "lena"

    assert opensonic.save_play_queue_by_index(order, current_index=2, position=9_000) is True
    by_index = opensonic.get_play_queue_by_index()
    assert [e.id for e in by_index.entry] == order
    assert (by_index.current_index, by_index.position) == (2, 9_000)
    assert opensonic.get_play_queue().current == order[2]

    assert opensonic.save_play_queue_by_index() is True  # no ids: cleared
    assert not opensonic.get_play_queue_by_index().entry

    assert opensonic.create_bookmark(order[0], 61_000, comment="chapter 2") is True
    bookmarks = opensonic.get_bookmarks()
    assert [(b.entry.id, b.position, b.comment) for b in bookmarks] == [
        (order[0], 61_000, "chapter 2")
    ]
    assert opensonic.delete_bookmark(order[0]) is True
    assert opensonic.get_bookmarks() == []
