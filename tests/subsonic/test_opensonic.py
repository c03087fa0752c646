"""py-opensonic (libopensonic, from PyPI), an OpenSubsonic client nobody here wrote, against a live
server: the methods that were served before the play queue, bookmarks, lyrics, shares and the
rest (their own test files drive those). The library parses each answer into its dataclasses, so
a field of the wrong name or nesting reaches these asserts as a missing value."""

import asyncio

import pytest

from songs.models import Song
from songs.selectors.similarity import songs_similar_to
from songs.services.ingestion import batch_create, catalogue_get_or_create, song_create_from_file
from tests.audio import write_tone

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def song_with_audio(tmp_path, library) -> Song:
    path = tmp_path / "tone.wav"
    write_tone(path, seconds=2)
    batch = batch_create(source="api", catalogue=catalogue_get_or_create())
    song, _ = song_create_from_file(path=path, original_name="tone.wav", batch=batch)
    Song.objects.filter(id=song.id).update(status=Song.Status.READY, title="Tone")
    return Song.objects.get(id=song.id)


def body_of(connection, response) -> bytes:
    """The bytes of a media answer: libopensonic hands back the open aiohttp response."""
    return asyncio.run_coroutine_threadsafe(response.read(), connection._loop).result()


def test_sonic_similarity_reaches_a_spec_following_client(opensonic, library):
    seed, end = library[0], library[-1]

    extensions = {e.name: e.versions for e in opensonic.get_open_subsonic_extensions()}
    matches = opensonic.get_sonic_similar_tracks(str(seed.id), count=5)
    path = opensonic.find_sonic_path(str(seed.id), str(end.id), count=5)

    assert extensions["sonicSimilarity"] == [1]
    expected = songs_similar_to(song=seed, k=5)
    assert [m.entry.id for m in matches] == [str(song.id) for song, _ in expected]
    assert [m.entry.title for m in matches] == [song.title for song, _ in expected]
    for match, (_, distance) in zip(matches, expected, strict=True):
        assert match.similarity == pytest.approx(1 - distance / 2, abs=1e-5)
    assert [m.entry.id for m in path][0] == str(seed.id)
    assert [m.entry.id for m in path][-1] == str(end.id)
    assert len(path) == 5 and path[0].similarity == 1


def test_browsing_and_lists(opensonic, library):
    artists = opensonic.get_artists()
    names = [artist.name for index in artists.index for artist in index.artist]
    first_artist = artists.index[0].artist[0]
    artist = opensonic.get_artist(first_artist.id)
    album = opensonic.get_album(artist.album[0].id)
    song = opensonic.get_song(album.song[0].id)

    assert names == sorted({s.artist for s in library}, key=str.lower)
    assert [a.name for a in artist.album] == ["Album 1", "Album 2"]
    assert [s.track for s in album.song] == [1, 2, 3]
    assert song.album == album.name and song.artist == first_artist.name
    assert {g.value for g in opensonic.get_genres()} == {s.genre for s in library}
    # get_music_folders is left out: py-opensonic 10.4.1 iterates the keys of the spec's
    # {"musicFolders": {"musicFolder": [...]}} (test_browsing.py checks that shape).
    assert len(opensonic.get_random_songs(size=5)) == 5
    assert len(opensonic.get_album_list2("alphabeticalByName", size=50)) == 6
    by_genre = opensonic.get_songs_by_genre(library[0].genre, count=50)
    assert {s.id for s in by_genre} == {str(s.id) for s in library if s.genre == library[0].genre}
    assert [s.id for s in opensonic.get_similar_songs2(str(library[0].id), count=3)] == [
        str(s.id) for s, _ in songs_similar_to(song=library[0], k=3)
    ]
    found = opensonic.search3("Song 07")
    assert [s.title for s in found.song] == ["Song 07"]


def test_playlists_stars_ratings_and_now_playing(opensonic, listener, library):
    first, second = str(library[0].id), str(library[1].id)

    assert opensonic.create_playlist(name="Road trip", song_ids=[first, second])
    playlist = next(p for p in opensonic.get_playlists() if p.name == "Road trip")
    assert opensonic.update_playlist(playlist.id, song_indices_to_remove=[0])
    assert [e.id for e in opensonic.get_playlist(playlist.id).entry] == [second]
    assert opensonic.star(sids=[first])
    assert opensonic.set_rating(second, 4)
    assert opensonic.scrobble(first, submission=False)

    assert [s.id for s in opensonic.get_starred2().song] == [first]
    assert opensonic.get_song(second).user_rating == 4
    now = opensonic.get_now_playing()
    assert [(e.id, e.username) for e in now] == [(first, listener.username)]
    assert opensonic.delete_playlist(playlist.id)
    assert all(p.name != "Road trip" for p in opensonic.get_playlists())


def test_stream_answers_a_range_request_with_those_bytes(opensonic, song_with_audio):
    whole = song_with_audio.audio.read()

    part = opensonic.stream(str(song_with_audio.id), byte_range="bytes=100-199")

    assert part.status == 206
    assert body_of(opensonic, part) == whole[100:200]
    assert body_of(opensonic, opensonic.download(str(song_with_audio.id))) == whole


def test_the_key_and_its_user(opensonic, listener):
    assert opensonic.ping() is True
    assert opensonic.token_info().username == listener.username
    user = opensonic.get_user(listener.username)
    assert user.username == listener.username and user.stream_role is True
