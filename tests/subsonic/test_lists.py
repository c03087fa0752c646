"""Album lists of every type, random songs, songs by genre, and search2/search3 (with the empty
query that clients page through to copy the whole library)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from playlists.services import favourite_set, play_record, rating_set
from songs.models import Catalogue, Song
from tests.conftest import PASSWORD
from tests.factories import make_song
from tests.subsonic.conftest import NS, error_code, ok, rest, rest_xml


def _album(song: Song) -> str:
    song.refresh_from_db()
    return f"al-{song.album_key}"


def _albums(listener, **params) -> list[dict]:
    return ok(rest("getAlbumList2", user=listener, **params))["albumList2"].get("album", [])


def _ids(items) -> list[str]:
    return [item["id"] for item in items]


@pytest.fixture
def album_ids(library) -> list[str]:
    """The six albums: Anna Blue's 1 and 2, bob & the Band's 1 and 2, Çelik's 1 and 2."""
    return [_album(library[i]) for i in range(0, 18, 3)]


def test_alphabetical_by_name_pages_through_every_album_once(listener, album_ids):
    every = _albums(listener, type="alphabeticalByName", size=500)

    assert sorted(_ids(every)) == sorted(album_ids)
    names = [a["name"] for a in every]
    assert names == sorted(names)
    pages = [_albums(listener, type="alphabeticalByName", size=2, offset=o) for o in (0, 2, 4)]
    assert [a["id"] for page in pages for a in page] == _ids(every)


def test_alphabetical_by_artist(listener, album_ids):
    albums = _albums(listener, type="alphabeticalByArtist")

    assert _ids(albums) == album_ids
    assert [a["artist"] for a in albums][::2] == ["Anna Blue", "bob & the Band", "Çelik"]


def test_newest_comes_first(listener, library, album_ids):
    Song.objects.filter(id__in=[s.id for s in library[9:12]]).update(
        created_at=timezone.now() + timedelta(days=1)
    )

    albums = _albums(listener, type="newest", size=1)

    assert _ids(albums) == [album_ids[3]]


def test_random_albums_are_distinct_and_sized(listener, album_ids):
    albums = _albums(listener, type="random", size=4)

    assert len(albums) == 4 and len(set(_ids(albums))) == 4
    assert set(_ids(albums)) <= set(album_ids)


def test_highest_by_the_callers_own_average_rating(listener, other_listener, library, album_ids):
    rating_set(user=listener, song=library[0], stars=4)
    rating_set(user=listener, song=library[1], stars=2)  # Anna's album 1: 3 for lena
    rating_set(user=listener, song=library[6], stars=5)  # bob's album 1: 5
    rating_set(user=listener, song=library[15], stars=1)  # Çelik's album 2: 1
    rating_set(user=other_listener, song=library[0], stars=1)  # otto's stars are his own
    rating_set(user=other_listener, song=library[3], stars=5)  # Anna's album 2: only otto's

    assert _ids(_albums(listener, type="highest")) == [album_ids[2], album_ids[0], album_ids[5]]
    assert _ids(_albums(other_listener, type="highest")) == [album_ids[1], album_ids[0]]


def test_frequent_by_the_callers_own_plays(listener, other_listener, library, album_ids):
    for song in [library[12], library[13], library[14]]:
        play_record(user=other_listener, song=song, source="subsonic")
    play_record(user=listener, song=library[3], source="subsonic")
    play_record(user=listener, song=library[3], source="subsonic")
    play_record(user=listener, song=library[12], source="subsonic")

    albums = _albums(listener, type="frequent")

    assert _ids(albums) == [album_ids[1], album_ids[4]]  # otto's three plays do not count
    assert albums[0]["songCount"] == 3  # the whole album, not just its played songs
    assert _ids(_albums(other_listener, type="frequent")) == [album_ids[4]]


def test_recent_by_the_callers_own_last_play(listener, other_listener, library, album_ids):
    now = timezone.now()
    play_record(user=listener, song=library[0], source="subsonic", played_at=now - timedelta(1))
    play_record(user=other_listener, song=library[16], source="subsonic", played_at=now)
    play_record(user=listener, song=library[7], source="subsonic", played_at=now - timedelta(2))

    # What otto just played is not in lena's list: it would tell her what he listens to.
    assert _ids(_albums(listener, type="recent")) == [album_ids[0], album_ids[2]]
    assert _ids(_albums(other_listener, type="recent")) == [album_ids[5]]
    assert _albums(User.objects.create_user("nobody", password=PASSWORD), type="recent") == []


def test_starred_are_the_albums_the_user_starred_newest_first(
    listener, other_listener, library, album_ids
):
    ok(rest("star", user=listener, albumId=album_ids[4]))
    ok(rest("star", user=listener, albumId=album_ids[1]))
    ok(rest("star", user=other_listener, albumId=album_ids[2]))
    favourite_set(user=listener, song=library[8], favourite=True)  # a song, not its album

    albums = _albums(listener, type="starred")

    assert _ids(albums) == [album_ids[1], album_ids[4]]
    assert _ids(_albums(listener, type="starred", offset=1)) == [album_ids[4]]


def test_by_year_ascending_and_descending(listener, album_ids):
    up = _albums(listener, type="byYear", fromYear=2001, toYear=2002)
    down = _albums(listener, type="byYear", fromYear=2002, toYear=2000)

    assert [a["year"] for a in up] == [2001, 2001, 2002, 2002]
    assert set(_ids(up)) == set(album_ids[2:])
    assert [a["year"] for a in down] == [2002, 2002, 2001, 2001, 2000, 2000]
    assert error_code(rest("getAlbumList2", user=listener, type="byYear", fromYear=2000)) == 10
    bad = rest("getAlbumList2", user=listener, type="byYear", fromYear="old", toYear=2001)
    assert error_code(bad) == 0


def test_by_genre(listener, album_ids):
    albums = _albums(listener, type="byGenre", genre="metal")

    assert sorted(_ids(albums)) == sorted(album_ids[2:4])
    assert _albums(listener, type="byGenre", genre="polka") == []
    assert error_code(rest("getAlbumList2", user=listener, type="byGenre")) == 10


def test_missing_and_unknown_types_are_errors(listener, library):
    assert error_code(rest("getAlbumList2", user=listener)) == 10
    assert error_code(rest("getAlbumList2", user=listener, type="bestOf")) == 0
    assert error_code(rest("getAlbumList", user=listener, type="bestOf")) == 0


def test_absurd_sizes_and_offsets_are_clamped(listener, album_ids):
    assert len(_albums(listener, type="newest")) == 6  # default size 10
    assert len(_albums(listener, type="newest", size=2)) == 2
    assert len(_albums(listener, type="newest", size=10**12)) == 6
    assert _albums(listener, type="newest", size=-3) == []
    assert len(_albums(listener, type="newest", offset=-10)) == 6
    assert _albums(listener, type="newest", offset=10**12) == []
    assert error_code(rest("getAlbumList2", user=listener, type="newest", size="ten")) == 0


def test_album_list_shows_albums_as_folders(listener, album_ids):
    body = ok(rest("getAlbumList", user=listener, type="alphabeticalByArtist", size=2))

    albums = body["albumList"]["album"]
    assert _ids(albums) == album_ids[:2]
    assert all(a["isDir"] is True and a["title"] == a["album"] for a in albums)
    assert albums[0]["parent"] == albums[0]["artistId"]


def test_album_list2_in_xml(listener, album_ids):
    root = rest_xml("getAlbumList2", user=listener, type="alphabeticalByArtist")

    albums = root.findall(f"{NS}albumList2/{NS}album")
    assert [a.get("id") for a in albums] == album_ids
    assert albums[0].get("songCount") == "3"


def test_album_list_is_few_queries(listener, other_listener, library):
    for song in library:
        play_record(user=other_listener, song=song, source="subsonic")
    for kind in ["frequent", "newest", "starred"]:
        with CaptureQueriesContext(connection) as queries:
            ok(rest("getAlbumList2", user=listener, type=kind))
        assert len(queries) <= 6, kind


def test_random_songs(listener, library):
    body = ok(rest("getRandomSongs", user=listener))
    songs = body["randomSongs"]["song"]
    assert len(songs) == 10 and len({s["id"] for s in songs}) == 10

    every = ok(rest("getRandomSongs", user=listener, size=10**6))["randomSongs"]["song"]
    assert sorted(int(s["id"]) for s in every) == sorted(s.id for s in library)

    folk = ok(rest("getRandomSongs", user=listener, genre="folk", size=50))["randomSongs"]["song"]
    assert sorted(int(s["id"]) for s in folk) == sorted(s.id for s in library[:6])

    years = ok(rest("getRandomSongs", user=listener, fromYear=2001, toYear=2001, size=50))
    assert {s["year"] for s in years["randomSongs"]["song"]} == {2001}


def test_random_songs_of_a_music_folder_and_bad_input(listener, library):
    folder = Catalogue.objects.get().id
    body = ok(rest("getRandomSongs", user=listener, musicFolderId=folder, size=3))
    assert len(body["randomSongs"]["song"]) == 3

    assert error_code(rest("getRandomSongs", user=listener, musicFolderId=folder + 99)) == 70
    assert error_code(rest("getRandomSongs", user=listener, size="some")) == 0
    assert ok(rest("getRandomSongs", user=listener, size=-1))["randomSongs"].get("song", []) == []


def test_songs_by_genre_pages_and_uses_the_predicted_genre(listener, library):
    Song.objects.filter(id=library[0].id).update(genre="", predicted_genre="metal")

    first = ok(rest("getSongsByGenre", user=listener, genre="metal", count=4))
    rest_of = ok(rest("getSongsByGenre", user=listener, genre="metal", count=4, offset=4))

    songs = first["songsByGenre"]["song"] + rest_of["songsByGenre"]["song"]
    assert sorted(int(s["id"]) for s in songs) == sorted(s.id for s in [library[0], *library[6:12]])
    assert [s["title"] for s in songs] == sorted(s["title"] for s in songs)
    assert len(first["songsByGenre"]["song"]) == 4


def test_songs_by_genre_bad_input(listener, library):
    assert error_code(rest("getSongsByGenre", user=listener)) == 10
    assert error_code(rest("getSongsByGenre", user=listener, genre="folk", count="x")) == 0
    body = ok(rest("getSongsByGenre", user=listener, genre="folk", count=10**9, offset=-4))
    assert len(body["songsByGenre"]["song"]) == 6  # default 10, clamped to what there is


def test_search3_finds_artists_albums_and_songs_without_case(listener, library):
    body = ok(rest("search3", user=listener, query="aNNa"))

    result = body["searchResult3"]
    assert [a["name"] for a in result["artist"]] == ["Anna Blue"]
    assert result["artist"][0]["albumCount"] == 2
    assert [a["name"] for a in result["album"]] == ["Album 1", "Album 2"]
    assert all(a["artist"] == "Anna Blue" for a in result["album"])
    assert sorted(int(s["id"]) for s in result["song"]) == sorted(s.id for s in library[:6])


def _titles_with_words_starting(library, *starts: str) -> list[str]:
    """Titles of the songs with a word of their title, artist or album starting with each."""
    words = {s.title: f"{s.title} {s.artist} {s.album}".lower().split() for s in library}
    return sorted(
        t for t, w in words.items() if all(any(x.startswith(p) for x in w) for p in starts)
    )


def test_search3_matches_every_word_and_pages(listener, library):
    body = ok(rest("search3", user=listener, query="song 1", songCount=3, songOffset=2))

    songs = body["searchResult3"]["song"]
    titles = _titles_with_words_starting(library, "song", "1")
    assert len(titles) > 5
    assert [s["title"] for s in songs] == titles[2:5]
    none = ok(rest("search3", user=listener, query="zzz"))["searchResult3"]
    assert none.get("song", []) == [] and none.get("artist", []) == []


@pytest.mark.parametrize("query", ["", '""'])
def test_empty_search_pages_through_every_song_exactly_once(listener, library, query):
    seen = []
    offset = 0
    while True:
        body = ok(
            rest(
                "search3",
                user=listener,
                query=query,
                songCount=5,
                songOffset=offset,
                artistCount=0,
                albumCount=0,
            )
        )
        page = body["searchResult3"].get("song", [])
        if not page:
            break
        seen += [int(s["id"]) for s in page]
        offset += 5

    assert seen == sorted(s.id for s in library)
    result = ok(rest("search3", user=listener, query=query))["searchResult3"]
    assert len(result["artist"]) == 3 and len(result["album"]) == 6


def test_empty_search_is_a_few_queries_without_count(listener, library):
    with CaptureQueriesContext(connection) as queries:
        ok(rest("search3", user=listener, query="", songCount=500))
    assert len(queries) <= 8
    assert not any("COUNT(*)" in q["sql"] for q in queries.captured_queries)


def test_search_bad_input(listener, library):
    assert error_code(rest("search3", user=listener)) == 10
    assert error_code(rest("search3", user=listener, query="a", songCount="all")) == 0
    body = ok(rest("search3", user=listener, query="", songCount=10**9, songOffset=-1))
    assert len(body["searchResult3"]["song"]) == 18
    gone = ok(rest("search3", user=listener, query="", songOffset=10**12))["searchResult3"]
    assert gone.get("song", []) == []
    assert error_code(rest("search3", user=listener, query="", musicFolderId="music")) == 0


def test_search2_shows_albums_as_folders(listener, library):
    body = ok(rest("search2", user=listener, query="band"))

    result = body["searchResult2"]
    library[6].refresh_from_db()
    assert result["artist"] == [{"id": f"ar-{library[6].artist_key}", "name": "bob & the Band"}]
    assert all(a["isDir"] is True for a in result["album"]) and len(result["album"]) == 2
    assert len(result["song"]) == 6


def test_search3_in_xml(listener, library):
    root = rest_xml("search3", user=listener, query="Çelik", songCount=2)

    result = root.find(f"{NS}searchResult3")
    assert [a.get("name") for a in result.findall(f"{NS}artist")] == ["Çelik"]
    assert len(result.findall(f"{NS}album")) == 2
    assert len(result.findall(f"{NS}song")) == 2


def test_songs_match_where_a_word_starts_artists_and_albums_anywhere(listener, library):
    # "blu" starts Anna Blue's second word; "nna" only continues her first.
    blu = ok(rest("search3", user=listener, query="BLU"))["searchResult3"]
    assert sorted(int(s["id"]) for s in blu["song"]) == sorted(s.id for s in library[:6])
    nna = ok(rest("search3", user=listener, query="nna"))["searchResult3"]
    assert nna.get("song", []) == []
    assert [a["name"] for a in nna["artist"]] == ["Anna Blue"]
    assert [a["name"] for a in nna["album"]] == ["Album 1", "Album 2"]
    # Words are words, never operators of the search: quotes, colons, ampersands.
    band = ok(rest("search3", user=listener, query="bob & the b"))["searchResult3"]
    assert len(band["song"]) == 6 and [a["name"] for a in band["artist"]] == ["bob & the Band"]
    for odd in ["o'brien", "zz:y", "\\", "!(", "*", "'", "zz\x00y"]:
        assert ok(rest("search3", user=listener, query=odd))["searchResult3"].get("song", []) == []
    # Parsed as the names were: "a&|b" is the words "a" and "b", as "Anna Blue" is.
    odd = ok(rest("search3", user=listener, query="a&|b"))["searchResult3"]
    assert sorted(int(s["id"]) for s in odd["song"]) == sorted(s.id for s in library[:6])


def test_a_common_word_and_a_rare_one_are_paged_alike(listener, library, monkeypatch):
    """Songs are found by walking them in title order, or, when the walk does not fill the page,
    through the search index: the same pages either way."""

    def pages(query: str) -> list[list[str]]:
        found = []
        for offset in range(0, 20, 4):
            body = ok(rest("search3", user=listener, query=query, songCount=4, songOffset=offset))
            found.append([s["title"] for s in body["searchResult3"].get("song", [])])
        return found

    walked = {query: pages(query) for query in ["song", "song 1", "album 2", "çelik"]}
    monkeypatch.setattr("subsonic.search.PROBE_MINIMUM", 1)
    monkeypatch.setattr("subsonic.search.WALK_PER_SONG", 1)
    assert {query: pages(query) for query in walked} == walked
    assert sum(walked["song"], []) == sorted(s.title for s in library)
    assert sum(walked["song 1"], []) == _titles_with_words_starting(library, "song", "1")


def test_search_artists_and_albums_follow_the_library(listener, library):
    assert ok(rest("search3", user=listener, query="dora"))["searchResult3"].get("album", []) == []

    make_song(99, Song.Status.READY, title="Intro", artist="Dora Dee", album="Anna's Debut")

    result = ok(rest("search3", user=listener, query="dora"))["searchResult3"]
    assert [a["name"] for a in result["artist"]] == ["Dora Dee"]
    assert [(a["name"], a["songCount"]) for a in result["album"]] == [("Anna's Debut", 1)]
    anna = ok(rest("search3", user=listener, query="anna", albumCount=1, albumOffset=1))
    assert [a["name"] for a in anna["searchResult3"]["album"]] == ["Album 2"]
    assert [a["name"] for a in anna["searchResult3"]["artist"]] == ["Anna Blue"]
