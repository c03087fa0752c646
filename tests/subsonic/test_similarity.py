"""Similar songs and sonic paths are the platform's own similarity (the REST API's neighbours)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from songs.selectors.similarity import songs_similar_to
from tests.subsonic.conftest import error_code, ok, rest, rest_xml


def test_similar_songs2_are_the_rest_apis_neighbours_in_order(listener, library):
    seed = library[0]

    body = ok(rest("getSimilarSongs2", user=listener, id=str(seed.id), count=5))

    expected = [str(song.id) for song, _ in songs_similar_to(song=seed, k=5)]
    assert [s["id"] for s in body["similarSongs2"]["song"]] == expected


def test_similar_songs_from_an_artist_id(listener, library):
    artist = ok(rest("getSong", user=listener, id=str(library[0].id)))["song"]["artistId"]

    body = ok(rest("getSimilarSongs", user=listener, id=artist, count=3))

    assert len(body["similarSongs"]["song"]) == 3


def test_sonic_similar_tracks_are_a_top_level_array_of_entry_and_similarity(listener, library):
    seed = library[0]

    body = ok(rest("getSonicSimilarTracks", user=listener, id=str(seed.id), count=4))

    assert "sonicSimilarTracksResult" not in body
    matches = body["sonicMatch"]
    expected = songs_similar_to(song=seed, k=4)
    assert [m["entry"]["id"] for m in matches] == [str(s.id) for s, _ in expected]
    assert all(set(m) == {"entry", "similarity"} for m in matches)
    for match, (_, distance) in zip(matches, expected, strict=True):
        assert abs(match["similarity"] - (1 - distance / 2)) < 1e-5
        assert 0 <= match["similarity"] <= 1
    assert [m["similarity"] for m in matches] == sorted(
        (m["similarity"] for m in matches), reverse=True
    )


def test_sonic_path_starts_at_the_start_and_ends_at_the_end(listener, library):
    start, end = library[0], library[-1]

    body = ok(
        rest(
            "findSonicPath",
            user=listener,
            startSongId=str(start.id),
            endSongId=str(end.id),
            count=6,
        )
    )

    path = body["sonicMatch"]
    ids = [m["entry"]["id"] for m in path]
    assert ids[0] == str(start.id) and ids[-1] == str(end.id)
    assert len(ids) == 6 and len(set(ids)) == 6
    assert path[0]["similarity"] == 1
    assert all(0 <= m["similarity"] < 1 for m in path[1:])


def test_a_song_without_a_vector_is_never_on_a_path_nor_starts_one(listener, library):
    from songs.selectors.similarity import active_embedding_model

    start, middle, end = library[0], library[1], library[-1]
    model = active_embedding_model()
    model.vector_table.objects.filter(model=model, song_id=middle.id).delete()

    body = ok(
        rest("findSonicPath", user=listener, startSongId=str(start.id), endSongId=str(end.id))
    )

    ids = [m["entry"]["id"] for m in body["sonicMatch"]]
    assert str(middle.id) not in ids  # the path walks the vectors: it never picks it
    body = ok(
        rest("findSonicPath", user=listener, startSongId=str(middle.id), endSongId=str(end.id))
    )
    assert body["sonicMatch"] == []


def test_similarity_in_xml(listener, library):
    root = rest_xml("getSonicSimilarTracks", user=listener, id=str(library[0].id), count=2)

    matches = root.findall("{http://subsonic.org/restapi}sonicMatch")
    assert len(matches) == 2
    for match in matches:
        assert 0 <= float(match.get("similarity")) <= 1
        entry = match.find("{http://subsonic.org/restapi}entry")
        assert entry is not None and entry.get("id").isdigit()


def test_unknown_and_malformed_ids_are_error_70(listener, library):
    assert error_code(rest("getSonicSimilarTracks", user=listener, id="999999")) == 70
    assert error_code(rest("getSimilarSongs2", user=listener, id="al-nonsense")) == 70
    assert error_code(rest("findSonicPath", user=listener, startSongId="x", endSongId="1")) == 70


def test_absurd_counts_are_clamped_and_words_refused(listener, library):
    body = ok(rest("getSonicSimilarTracks", user=listener, id=str(library[0].id), count=10**9))
    assert len(body["sonicMatch"]) == len(library) - 1

    seed = str(library[0].id)
    assert error_code(rest("getSonicSimilarTracks", user=listener, id=seed, count="many")) == 0


def test_similar_songs_cost_the_same_queries_for_3_songs_as_for_15(listener, library):
    seed = str(library[0].id)
    counts = []
    for count in (3, 15):
        with CaptureQueriesContext(connection) as queries:
            body = ok(rest("getSimilarSongs2", user=listener, id=seed, count=count))
        assert len(body["similarSongs2"]["song"]) == count
        counts.append(len(queries))

    assert counts[0] == counts[1] <= 10
