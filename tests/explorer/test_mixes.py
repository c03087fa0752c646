"""Mixes: every map's clusters as automatic playlists, named, their most typical songs first,
replaced with the map, and saved as a listener's own private playlist."""

import numpy as np
import pytest
from rest_framework.test import APIClient

from explorer import services
from explorer.models import MapPoint, Mix
from explorer.selectors import mix_songs, mixes_active
from explorer.services import map_build, mix_save_as_playlist
from ml.tags import MTT_TAGS
from playlists.models import Playlist
from playlists.selectors import playlist_entries
from songs.models import BackboneEmbedding, Song
from tests.factories import GENRES, make_embedded_songs


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def unit(vector) -> np.ndarray:
    vector = np.asarray(vector, np.float64)
    return vector / np.linalg.norm(vector)


@pytest.fixture
def songs(db):
    return make_embedded_songs(per_genre=12, unlabelled=3)


def test_a_map_makes_one_named_mix_per_cluster_with_its_most_typical_songs_first(songs):
    version = map_build(seed=0)

    mixes = list(mixes_active())
    clusters = sorted(set(MapPoint.objects.filter(map=version).values_list("cluster", flat=True)))
    assert [mix.cluster for mix in mixes] == clusters and len(mixes) >= 2
    assert version.cluster_names == [mix.name for mix in mixes]  # the legend says the same
    assert len({mix.name for mix in mixes}) == len(mixes)
    # Each genre is a cluster of its own here; most of a cluster's songs share one, so the
    # genre names it, after its tags (random in these songs).
    named_by = {word for mix in mixes for word in mix.words}
    assert {genre.capitalize() for genre in GENRES} <= named_by
    for mix in mixes:
        assert mix.name == " · ".join(mix.words)
        members = set(
            MapPoint.objects.filter(map=version, cluster=mix.cluster).values_list(
                "song_id", flat=True
            )
        )
        assert mix.cluster_size == len(members) and set(mix.song_ids) == members
        # Most typical first: ever farther (cosine) from the mean direction of the cluster.
        vectors = dict(
            BackboneEmbedding.objects.filter(song_id__in=members).values_list("song_id", "vector")
        )
        centre = unit(np.mean([unit(v) for v in vectors.values()], axis=0))
        similarity = [float(unit(vectors[i]) @ centre) for i in mix.song_ids]
        assert similarity == sorted(similarity, reverse=True)


def test_a_mix_has_at_most_mix_size_songs_of_a_larger_cluster(songs, monkeypatch):
    monkeypatch.setattr(services, "MIX_SIZE", 4)
    map_build(seed=0)

    for mix in mixes_active():
        assert len(mix.song_ids) == 4 and mix.cluster_size > 4


def test_a_large_catalogue_is_clustered_and_named_from_samples_of_it(songs, monkeypatch):
    # As a million songs are: k-means fitted on some songs, the names read from others.
    from ml import clusters

    whole = map_build(seed=0)
    named = {mix.cluster: mix.words for mix in mixes_active()}
    monkeypatch.setattr(clusters, "FIT_SAMPLE", 20)
    monkeypatch.setattr(services, "NAMING_SAMPLE", 15)
    sampled = map_build(seed=0)

    # The genres still part the songs, and still name every cluster.
    groups = {}
    for point in MapPoint.objects.filter(map=sampled).select_related("song"):
        groups.setdefault(point.cluster, set()).add(point.song.genre)
    labelled = [genres - {""} for genres in groups.values()]
    assert all(len(genres) <= 1 for genres in labelled) and len(groups) == len(named)
    mixes = list(mixes_active())
    assert [mix.cluster for mix in mixes] == sorted(groups) and whole.id != sampled.id
    assert {genre.capitalize() for genre in GENRES} <= {w for mix in mixes for w in mix.words}


def test_instruments_the_second_tagging_model_heard_name_a_mix(songs):
    # The MagnaTagATune model heard a harp in the folk songs it analysed, in no other song; a
    # third of the songs were analysed before it ran and have none of its tags.
    quiet = [0.05] * len(MTT_TAGS)
    harp = list(quiet)
    harp[MTT_TAGS.index("harp")] = 0.95
    for genre in GENRES:
        ids = list(Song.objects.filter(genre=genre).values_list("id", flat=True))
        Song.objects.filter(id__in=ids[:8]).update(
            mtt_tag_probabilities=harp if genre == "folk" else quiet
        )
    map_build(seed=0)

    folk_mix = next(mix for mix in mixes_active() if "Folk" in mix.words)
    assert folk_mix.words[0] == "Harp"
    assert all("Harp" not in mix.words for mix in mixes_active() if mix != folk_mix)


def test_rebuilding_the_map_replaces_its_mixes(songs, listener):
    map_build(seed=0)
    old = list(Mix.objects.values_list("id", flat=True))

    version = map_build(seed=1)

    assert not Mix.objects.filter(id__in=old).exists()
    assert set(Mix.objects.values_list("map_id", flat=True)) == {version.id}
    api = api_for(listener)
    assert api.get(f"/api/v1/mixes/{old[0]}/").status_code == 404
    assert api.post(f"/api/v1/mixes/{old[0]}/save/").status_code == 404
    listed = api.get("/api/v1/mixes/").json()["results"]
    assert [m["id"] for m in listed] == [m.id for m in mixes_active()]


def test_a_mix_of_a_map_that_is_no_longer_active_is_not_served(songs, listener):
    map_build(seed=0)
    mix = mixes_active().first()
    mix.map.__class__.objects.filter(id=mix.map_id).update(is_active=False)

    assert api_for(listener).get(f"/api/v1/mixes/{mix.id}/").status_code == 404
    assert api_for(listener).get("/api/v1/mixes/").json() == {"results": []}


def test_a_mix_lists_only_songs_still_there_and_analysed(songs, listener):
    map_build(seed=0)
    mix = mixes_active().first()
    gone, pending, *kept = mix.song_ids
    Song.objects.filter(id=gone).delete()
    Song.objects.filter(id=pending).update(status=Song.Status.PENDING)

    assert [song.id for song in mix_songs(mix)] == kept
    body = api_for(listener).get(f"/api/v1/mixes/{mix.id}/").json()
    assert [song["id"] for song in body["songs"]] == kept
    assert body["name"] == mix.name and body["size"] == len(mix.song_ids)


def test_saving_a_mix_makes_the_users_own_private_playlist_in_the_mixs_order(
    songs, listener, other_listener
):
    map_build(seed=0)
    mix = mixes_active().first()

    playlist = mix_save_as_playlist(user=listener, mix=mix)

    assert playlist.owner == listener and playlist.visibility == Playlist.Visibility.PRIVATE
    assert playlist.name == mix.name
    assert [entry.song_id for entry in playlist_entries(playlist)] == mix.song_ids
    assert api_for(other_listener).get(f"/api/v1/playlists/{playlist.id}/").status_code == 404
    # The playlist stays when the mix goes with its map.
    map_build(seed=1)
    playlist.refresh_from_db()
    assert [entry.song_id for entry in playlist_entries(playlist)] == mix.song_ids


def test_saving_a_mix_through_the_api_under_a_name_of_ones_own(songs, listener, other_listener):
    map_build(seed=0)
    mix = mixes_active().last()

    response = api_for(listener).post(
        f"/api/v1/mixes/{mix.id}/save/", {"name": "Sunday"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Sunday" and body["owner"] == "lena" and body["visibility"] == "private"
    assert [entry["song"]["id"] for entry in body["entries"]] == mix.song_ids
    mine = api_for(listener).get("/api/v1/playlists/").json()["results"]
    theirs = api_for(other_listener).get("/api/v1/playlists/").json()["results"]
    assert "Sunday" in {p["name"] for p in mine} and "Sunday" not in {p["name"] for p in theirs}


def test_the_mixes_page_lists_the_mixes_and_saves_one_with_its_form(client, songs, listener):
    Song.objects.filter(id=songs[0].id).update(artist="Anna Blue")
    map_build(seed=0)
    client.force_login(listener)

    page = client.get("/explore/mixes/")

    assert page.status_code == 200
    html = page.content.decode()
    for mix in mixes_active():
        assert mix.name in html and f'action="/explore/mixes/{mix.id}/save/"' in html
    artist_key = Song.objects.get(id=songs[0].id).artist_key
    assert f'href="/catalogue/artists/{artist_key}/"' in html
    mix = mixes_active().first()
    saved = client.post(f"/explore/mixes/{mix.id}/save/", {"name": ""})
    playlist = Playlist.objects.get(owner=listener, name=mix.name)
    assert saved.status_code == 302 and saved["Location"] == f"/playlists/{playlist.id}/"
    assert client.get(f"/explore/mixes/{mix.id}/save/").status_code == 405


def test_the_mixes_page_before_any_map(client, listener):
    client.force_login(listener)
    page = client.get("/explore/mixes/")
    assert page.status_code == 200 and "No mixes yet" in page.content.decode()
