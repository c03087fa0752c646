"""Browsing: folders, the artist index, directories, artists, albums, genres, artist and album
info (similar artists from the embedding space), top songs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from playlists.services import play_record
from songs.models import Catalogue, Song
from songs.selectors.similarity import artists_similar_to
from tests.factories import make_song
from tests.subsonic.conftest import ARTISTS, NS, error_code, ok, rest, rest_xml


def _artist_ids(listener) -> dict[str, str]:
    body = ok(rest("getArtists", user=listener))
    return {a["name"]: a["id"] for index in body["artists"]["index"] for a in index["artist"]}


def _album_id(song: Song) -> str:
    song.refresh_from_db()
    return f"al-{song.album_key}"


def test_music_folders_are_the_catalogues(listener, library):
    body = ok(rest("getMusicFolders", user=listener))

    folders = body["musicFolders"]["musicFolder"]
    catalogue = Catalogue.objects.get()
    assert folders == [{"id": catalogue.id, "name": catalogue.name}]


def test_artists_are_grouped_by_letter_in_order(listener, library):
    body = ok(rest("getArtists", user=listener))

    artists = body["artists"]
    assert artists["ignoredArticles"] == ""
    assert [i["name"] for i in artists["index"]] == ["A", "B", "Ç"]
    names = [a["name"] for i in artists["index"] for a in i["artist"]]
    assert names == ARTISTS
    first = artists["index"][0]["artist"][0]
    assert first["id"].startswith("ar-") and len(first["id"]) == 35
    assert first["albumCount"] == 2


def test_indexes_carry_last_modified_and_honour_if_modified_since(listener, library):
    body = ok(rest("getIndexes", user=listener))

    indexes = body["indexes"]
    assert isinstance(indexes["lastModified"], int) and indexes["lastModified"] > 0
    assert "ignoredArticles" in indexes
    assert [i["name"] for i in indexes["index"]] == ["A", "B", "Ç"]
    assert sum(len(i["artist"]) for i in indexes["index"]) == 3

    again = ok(rest("getIndexes", user=listener, ifModifiedSince=indexes["lastModified"]))
    assert "index" not in again["indexes"]


def test_indexes_of_one_music_folder(listener, library):
    folder = Catalogue.objects.get().id
    assert ok(rest("getIndexes", user=listener, musicFolderId=folder))["indexes"]["index"]

    assert error_code(rest("getIndexes", user=listener, musicFolderId=folder + 1000)) == 70
    assert error_code(rest("getIndexes", user=listener, musicFolderId="rock")) == 0


def test_indexes_in_xml(listener, library):
    root = rest_xml("getIndexes", user=listener)

    indexes = root.find(f"{NS}indexes")
    assert indexes.get("lastModified").isdigit()
    letters = [i.get("name") for i in indexes.findall(f"{NS}index")]
    assert letters == ["A", "B", "Ç"]
    assert indexes.find(f"{NS}index/{NS}artist").get("name") == "Anna Blue"


def test_music_directory_of_an_artist_lists_its_albums_as_folders(listener, library):
    artist = _artist_ids(listener)["Anna Blue"]

    body = ok(rest("getMusicDirectory", user=listener, id=artist))

    directory = body["directory"]
    assert directory["id"] == artist and directory["name"] == "Anna Blue"
    children = directory["child"]
    assert [c["title"] for c in children] == ["Album 1", "Album 2"]
    assert all(c["isDir"] is True and c["parent"] == artist for c in children)
    assert {c["id"] for c in children} == {_album_id(library[0]), _album_id(library[3])}


def test_music_directory_of_an_album_lists_its_songs_in_track_order(listener, library):
    album = _album_id(library[0])

    body = ok(rest("getMusicDirectory", user=listener, id=album))

    directory = body["directory"]
    assert directory["name"] == "Album 1"
    assert directory["parent"] == f"ar-{library[0].artist_key}"
    assert [c["id"] for c in directory["child"]] == [str(s.id) for s in library[0:3]]
    assert all(c["isDir"] is False for c in directory["child"])


@pytest.mark.parametrize("raw", ["ar-" + "0" * 32, "al-" + "0" * 32, "al-short", "12", "x"])
def test_music_directory_of_anything_else_is_error_70(listener, library, raw):
    assert error_code(rest("getMusicDirectory", user=listener, id=raw)) == 70


def test_music_directory_needs_an_id(listener, library):
    assert error_code(rest("getMusicDirectory", user=listener)) == 10


def test_artist_with_its_albums(listener, library):
    artist = _artist_ids(listener)["bob & the Band"]

    body = ok(rest("getArtist", user=listener, id=artist))

    payload = body["artist"]
    assert payload["id"] == artist and payload["name"] == "bob & the Band"
    assert payload["albumCount"] == 2
    assert [a["name"] for a in payload["album"]] == ["Album 1", "Album 2"]
    assert all(a["artistId"] == artist and a["songCount"] == 3 for a in payload["album"])
    assert error_code(rest("getArtist", user=listener, id="ar-" + "f" * 32)) == 70
    assert error_code(rest("getArtist", user=listener)) == 10


def test_artist_in_xml_repeats_the_album_element(listener, library):
    artist = _artist_ids(listener)["Çelik"]

    root = rest_xml("getArtist", user=listener, id=artist)

    element = root.find(f"{NS}artist")
    assert element.get("name") == "Çelik"
    assert [a.get("name") for a in element.findall(f"{NS}album")] == ["Album 1", "Album 2"]


def test_album_with_its_songs_in_track_order(listener, library):
    first, second, third = library[6:9]
    Song.objects.filter(id=first.id).update(track_number=3)
    Song.objects.filter(id=third.id).update(track_number=1)

    body = ok(rest("getAlbum", user=listener, id=_album_id(first)))

    album = body["album"]
    assert album["name"] == "Album 1" and album["artist"] == "bob & the Band"
    assert album["songCount"] == 3
    assert album["duration"] == round(sum(s.duration_s for s in (first, second, third)))
    assert [s["id"] for s in album["song"]] == [str(third.id), str(second.id), str(first.id)]
    assert [s["track"] for s in album["song"]] == [1, 2, 3]


def test_album_is_few_queries(listener, library):
    album = _album_id(library[0])
    with CaptureQueriesContext(connection) as queries:
        ok(rest("getAlbum", user=listener, id=album))
    assert len(queries) <= 8  # auth included; never one query per song


def test_unknown_album_is_error_70(listener, library):
    assert error_code(rest("getAlbum", user=listener, id="al-" + "0" * 32)) == 70
    assert error_code(rest("getAlbum", user=listener, id=str(library[0].id))) == 70


def test_genres_count_songs_and_albums_with_predicted_genres_for_unlabelled(listener, library):
    Song.objects.filter(id=library[0].id).update(genre="", predicted_genre="jazz")
    Song.objects.filter(id=library[1].id).update(genre="", predicted_genre="")

    body = ok(rest("getGenres", user=listener))

    genres = {g["value"]: (g["songCount"], g["albumCount"]) for g in body["genres"]["genre"]}
    assert genres == {"folk": (4, 2), "jazz": (1, 1), "metal": (6, 2), "techno": (6, 2)}
    assert [g["value"] for g in body["genres"]["genre"]] == ["folk", "jazz", "metal", "techno"]


def test_genres_in_xml_name_the_genre_in_the_text(listener, library):
    root = rest_xml("getGenres", user=listener)

    genres = root.findall(f"{NS}genres/{NS}genre")
    assert [g.text for g in genres] == ["folk", "metal", "techno"]
    assert genres[0].get("songCount") == "6" and genres[0].get("albumCount") == "2"


@pytest.mark.parametrize(
    ("method", "key"), [("getArtistInfo2", "artistInfo2"), ("getArtistInfo", "artistInfo")]
)
def test_similar_artists_come_from_the_embedding_space_never_the_artist(
    listener, library, method, key
):
    ids = _artist_ids(listener)
    for name, artist in ids.items():
        body = ok(rest(method, user=listener, id=artist))

        info = body[key]
        assert info["biography"] == ""
        similar = [a["id"] for a in info["similarArtist"]]
        assert artist not in similar
        assert sorted(similar) == sorted(i for n, i in ids.items() if n != name)
        ranked = artists_similar_to(artist_key=artist[3:], k=20)
        assert similar == [f"ar-{k}" for k, _ in ranked]
        assert [d for _, d in ranked] == sorted(d for _, d in ranked)


def test_similar_artists_respect_count_and_refuse_bad_input(listener, library):
    artist = _artist_ids(listener)["Anna Blue"]

    body = ok(rest("getArtistInfo2", user=listener, id=artist, count=1))
    assert len(body["artistInfo2"]["similarArtist"]) == 1
    body = ok(rest("getArtistInfo2", user=listener, id=artist, count=-5))
    assert body["artistInfo2"].get("similarArtist", []) == []
    body = ok(rest("getArtistInfo2", user=listener, id=artist, count=10**12))
    assert len(body["artistInfo2"]["similarArtist"]) == 2

    assert error_code(rest("getArtistInfo2", user=listener, id=artist, count="lots")) == 0
    assert error_code(rest("getArtistInfo2", user=listener, id="ar-" + "0" * 32)) == 70
    assert error_code(rest("getArtistInfo2", user=listener)) == 10


def test_similar_artists_in_xml(listener, library):
    artist = _artist_ids(listener)["Anna Blue"]

    root = rest_xml("getArtistInfo2", user=listener, id=artist)

    names = [a.get("name") for a in root.iter(f"{NS}similarArtist")]
    assert sorted(names) == ["bob & the Band", "Çelik"]


@pytest.mark.parametrize("method", ["getAlbumInfo", "getAlbumInfo2"])
def test_album_info_has_empty_notes(listener, library, method):
    body = ok(rest(method, user=listener, id=_album_id(library[0])))
    assert body["albumInfo"]["notes"] == ""

    assert error_code(rest(method, user=listener, id="al-" + "0" * 32)) == 70
    assert error_code(rest(method, user=listener)) == 10


def test_top_songs_by_plays_then_title(listener, other_listener, library):
    anna = library[0:6]
    for _ in range(3):
        play_record(user=listener, song=anna[4], source="subsonic")
    play_record(user=other_listener, song=anna[2], source="subsonic")
    play_record(user=listener, song=anna[2], source="subsonic")
    play_record(user=listener, song=library[10], source="subsonic")  # another artist

    body = ok(rest("getTopSongs", user=listener, artist="anna blue", count=4))

    songs = body["topSongs"]["song"]
    expected = [anna[4], anna[2], anna[0], anna[1]]
    assert [s["id"] for s in songs] == [str(s.id) for s in expected]
    assert all(s["artist"] == "Anna Blue" for s in songs)


def test_top_songs_of_an_unknown_artist_are_none_and_bad_input_refused(listener, library):
    body = ok(rest("getTopSongs", user=listener, artist="Nobody"))
    assert body["topSongs"].get("song", []) == []

    assert len(ok(rest("getTopSongs", user=listener, artist="Çelik"))["topSongs"]["song"]) == 6
    many = ok(rest("getTopSongs", user=listener, artist="Çelik", count=10**9))
    assert len(many["topSongs"]["song"]) == 6
    assert error_code(rest("getTopSongs", user=listener)) == 10
    assert error_code(rest("getTopSongs", user=listener, artist="Çelik", count="ten")) == 0


def test_songs_that_are_not_ready_are_not_in_the_library(listener, library):
    Song.objects.filter(id__in=[s.id for s in library[12:18]]).update(status=Song.Status.FAILED)

    body = ok(rest("getArtists", user=listener))

    names = [a["name"] for i in body["artists"]["index"] for a in i["artist"]]
    assert names == ARTISTS[:2]
    assert error_code(rest("getAlbum", user=listener, id=_album_id(library[12]))) == 70


def _names(listener, method: str = "getArtists") -> list[str]:
    body = ok(rest(method, user=listener))
    key = "artists" if method == "getArtists" else "indexes"
    return [a["name"] for i in body[key].get("index", []) for a in i["artist"]]


def test_the_kept_artist_index_follows_every_change_to_the_songs(listener, library):
    assert _names(listener) == ARTISTS  # read, and kept for this version of the library
    added = make_song(99, Song.Status.READY, artist="Dora Dee", album="Debut")
    assert _names(listener) == [*ARTISTS[:2], "Dora Dee", ARTISTS[2]]
    assert _names(listener, "getIndexes") == [*ARTISTS[:2], "Dora Dee", ARTISTS[2]]

    added.artist = "Eve Eden"  # retagged
    added.save()
    assert _names(listener) == [*ARTISTS[:2], "Eve Eden", ARTISTS[2]]
    added.status = Song.Status.FAILED
    added.save()
    assert _names(listener) == ARTISTS
    Song.objects.filter(id__in=[s.id for s in library[:6]]).delete()
    assert _names(listener) == ARTISTS[1:]
    assert _names(listener, "getIndexes") == ARTISTS[1:]


def test_a_change_that_raises_no_version_is_seen_once_the_copy_is_old(
    listener, library, monkeypatch
):
    from subsonic import name_index

    assert _names(listener) == ARTISTS
    Song.objects.filter(artist=ARTISTS[0]).update(artist="Zed Zero")  # no signal: no new version
    assert _names(listener) == ARTISTS  # the copy, still
    monkeypatch.setattr(name_index, "KEPT_AT_MOST_S", 0.0)
    assert set(_names(listener)) == {*ARTISTS[1:], "Zed Zero"}


def test_the_kept_artist_index_is_read_once_per_change(listener, library):
    ok(rest("getArtists", user=listener))

    with CaptureQueriesContext(connection) as queries:
        ok(rest("getArtists", user=listener))
        ok(rest("getIndexes", user=listener))
    assert not any("GROUP BY" in q["sql"] for q in queries.captured_queries)


def test_stars_are_the_callers_own_in_the_kept_index(listener, other_listener, library):
    ok(rest("getArtists", user=other_listener))  # the index kept, without stars
    anna = _artist_ids(listener)["Anna Blue"]
    ok(rest("star", user=listener, artistId=anna))

    def starred(user, method: str) -> set[str]:
        body = ok(rest(method, user=user))
        index = body["artists" if method == "getArtists" else "indexes"]["index"]
        return {a["name"] for i in index for a in i["artist"] if a.get("starred")}

    assert starred(listener, "getArtists") == starred(listener, "getIndexes") == {"Anna Blue"}
    assert starred(other_listener, "getArtists") == starred(other_listener, "getIndexes") == set()


def test_last_modified_moves_when_a_song_is_removed(listener, library):
    before = ok(rest("getIndexes", user=listener))["indexes"]["lastModified"]

    library[0].delete()

    again = ok(rest("getIndexes", user=listener, ifModifiedSince=before))["indexes"]
    assert again["lastModified"] > before
    assert sum(len(i["artist"]) for i in again["index"]) == 3
