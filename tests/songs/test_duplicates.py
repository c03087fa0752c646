"""Near-duplicates: copies of one recording are found from their embeddings, different songs are
not, and merging a pair keeps everything listeners made with either song."""

import importlib.resources
import secrets
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from ml.copies import mp3_copy, opus_copy
from ml.duplicates import cosine_distances, is_near_duplicate, near_duplicate_pairs
from playlists.models import Play, Playlist, PlaylistEntry, Rating
from playlists.services import (
    favourite_set,
    favourites_get_or_create,
    play_record,
    playlist_create,
    playlist_update,
    rating_set,
)
from songs.demo_catalogue.catalogue import arrange, plan_catalogue
from songs.demo_catalogue.rendering import master, synthesise, write_vorbis
from songs.models import NearDuplicate, Song, UploadBatch
from songs.models.catalogue import BACKBONE_DIM
from songs.selectors.catalogue import near_duplicates_to_review
from songs.services.duplicates import (
    MergeError,
    near_duplicate_dismiss,
    near_duplicate_merge,
    near_duplicates_find_for,
    near_duplicates_scan,
    songs_merge,
)
from songs.services.embeddings import backbone_model_ensure, song_embed
from songs.services.ingestion import batch_create, catalogue_get_or_create, song_create_from_file
from songs.services.roles import user_make_catalogue_manager


def make_song(title: str, features: np.ndarray, **facts) -> Song:
    """A ready song with these raw features and its vector in the backbone model."""
    facts = {
        "duration_s": 30.0,
        "sample_rate": 44100,
        "size_bytes": 500_000,
        "audio_format": "ogg",
    } | facts
    song = Song.objects.create(
        catalogue=catalogue_get_or_create(),
        title=title,
        original_name=f"{title}.ogg",
        content_sha256=secrets.token_hex(32),
        status=Song.Status.READY,
        features=features.astype(np.float32),
        **facts,
    )
    backbone_model_ensure()
    song_embed(song=song)
    return song


@pytest.fixture
def vectors():
    """Random directions in the backbone space: far apart, as different songs are."""
    return np.random.default_rng(0).normal(0, 1, (8, BACKBONE_DIM))


@pytest.fixture
def copies(db, vectors):
    """A song, a copy of it (the same vector nudged by far less than the threshold) and two
    other songs."""
    original = make_song("Harbour", vectors[0], sample_rate=22050, size_bytes=300_000)
    copy = make_song("Harbour (MP3)", vectors[0] + 0.01 * vectors[1])
    others = [make_song(f"Other {i}", vectors[i]) for i in (2, 3)]
    return original, copy, others


def pairs() -> set[tuple[int, int]]:
    return set(NearDuplicate.objects.values_list("song_id", "other_id"))


# The rule and the exact finder, on arrays.


def test_the_rule_is_a_threshold_on_the_distance():
    assert is_near_duplicate(0.01, max_distance=0.05)
    assert not is_near_duplicate(0.2, max_distance=0.05)
    assert is_near_duplicate(np.array([0.01, 0.2]), max_distance=0.05).tolist() == [True, False]


def test_the_exact_finder_pairs_copies_only(vectors):
    stack = np.stack([vectors[0], vectors[1], vectors[0] * 2 + 0.01 * vectors[2]])
    assert near_duplicate_pairs(stack, max_distance=0.05) == [
        (0, 2, pytest.approx(cosine_distances(stack)[0, 2]))
    ]


# Finding pairs in the catalogue.


@pytest.fixture(scope="module")
def recordings(tmp_path_factory) -> dict[str, Path]:
    """Two 8-second songs of the demo catalogue's electronic style (one General MIDI kit and
    synths: as alike as two different songs get here), and MP3 (64 kbit/s) and Opus copies of
    the first."""
    folder = tmp_path_factory.mktemp("recordings")
    soundfont = (importlib.resources.files("pretty_midi") / "TimGM6mb.sf2").read_bytes()
    paths = {}
    for plan in plan_catalogue(folder, seed=0, songs_per_style=2):
        if plan.style.genre == "Electronic":
            audio = synthesise(arrange(plan, 8.0), soundfont, 8.0, 44_100)
            write_vorbis(plan.song.path, master(audio, 44_100), 44_100)
            paths["original" if not paths else "other"] = plan.song.path
    paths["mp3"] = mp3_copy(paths["original"], folder / "copy.mp3", kbps=64)
    paths["opus"] = opus_copy(paths["original"], folder / "copy.opus")
    return paths


def test_a_real_re_encoded_copy_is_found_and_a_different_song_is_not(celery_worker, recordings):
    """Through a real worker: analyse_song with real musicnn, then the near-duplicate check that
    each analysis queues on commit (songs.tasks.find_near_duplicates)."""
    batch = batch_create(source=UploadBatch.Source.IMPORT, catalogue=catalogue_get_or_create())
    ids = {}
    for name, path in recordings.items():
        song, _ = song_create_from_file(path=path, original_name=path.name, batch=batch)
        ids[name] = song.id
    deadline = time.monotonic() + 180
    while Song.objects.filter(id__in=ids.values(), status=Song.Status.READY).count() < len(ids):
        assert time.monotonic() < deadline, "songs not analysed"
        assert not Song.objects.filter(status=Song.Status.FAILED).exists()
        time.sleep(0.2)
    # The last song's check runs after its analysis: wait for the three pairs of the copies.
    while NearDuplicate.objects.count() < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    found = {frozenset((p.song_id, p.other_id)): p.distance for p in NearDuplicate.objects.all()}
    copies = [ids["original"], ids["mp3"], ids["opus"]]
    assert set(found) == {frozenset((a, b)) for a in copies for b in copies if a < b}
    assert max(found.values()) <= settings.NEAR_DUPLICATE_MAX_DISTANCE
    assert near_duplicates_find_for(song=Song.objects.get(id=ids["other"])) == []


def test_a_song_is_paired_with_its_copy_and_with_nothing_else(copies):
    original, copy, others = copies
    found = near_duplicates_find_for(song=copy)
    assert pairs() == {(original.id, copy.id)}  # stored once, lower id first
    assert found[0].distance < 0.01
    for song in others:
        assert near_duplicates_find_for(song=song) == []
    assert pairs() == {(original.id, copy.id)}


def test_the_scan_finds_every_pair_and_keeps_dismissals(copies, vectors):
    original, copy, others = copies
    third = make_song("Harbour (Opus)", vectors[0] - 0.01 * vectors[4])
    assert near_duplicates_scan() == 3
    assert pairs() == {(original.id, copy.id), (original.id, third.id), (copy.id, third.id)}
    near_duplicate_dismiss(pair=NearDuplicate.objects.get(song=original, other=copy))
    call_command("find_near_duplicates")
    assert NearDuplicate.objects.get(song=original, other=copy).dismissed
    assert {(p.song_id, p.other_id) for p in near_duplicates_to_review()} == {
        (original.id, third.id),
        (copy.id, third.id),
    }


def test_the_scan_button_queues_a_scan_that_a_real_worker_runs(celery_worker, client, vectors):
    original = make_song("Harbour", vectors[0])
    copy = make_song("Harbour (Opus)", vectors[0] + 0.01 * vectors[1])
    make_song("Other", vectors[2])
    mia = user_make_catalogue_manager(user=User.objects.create_user("mia"))
    client.force_login(mia)
    assert client.post("/catalogue/duplicates/scan/").status_code == 302
    deadline = time.monotonic() + 60
    while not NearDuplicate.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert pairs() == {(original.id, copy.id)}


def test_a_scan_drops_pairs_that_are_no_longer_near(copies, settings):
    original, copy, _ = copies
    near_duplicates_find_for(song=copy)
    settings.NEAR_DUPLICATE_MAX_DISTANCE = 1e-6
    assert near_duplicates_scan() == 0
    assert pairs() == set()


# Merging.


@pytest.fixture
def merge_world(db, listener, other_listener, vectors):
    """Two copies of a song, with everything listeners can make with songs: playlists holding
    one, the other or both (one allowing a song twice), both users' Favourites, ratings, plays."""
    keep = make_song("Keep", vectors[0])
    drop = make_song("Drop", vectors[0] + 0.01 * vectors[1])
    a, b = make_song("A", vectors[2]), make_song("B", vectors[3])
    lists = {
        "only_drop": playlist_create(owner=listener, name="Only drop", songs=[a, drop, b]),
        "both": playlist_create(owner=listener, name="Both", songs=[keep, a, drop, b]),
        "drop_first": playlist_create(owner=listener, name="Drop first", songs=[drop, a, keep]),
        "twice_ok": playlist_create(owner=listener, name="Twice", songs=[drop, keep]),
        "otto": playlist_create(owner=other_listener, name="Otto's", songs=[drop, a]),
    }
    playlist_update(playlist=lists["twice_ok"], allow_duplicates=True)
    for song in (keep, a, drop):
        favourite_set(user=listener, song=song, favourite=True)  # both copies favourited
    favourite_set(user=other_listener, song=drop, favourite=True)  # only the one that goes
    lists["lena_favourites"] = favourites_get_or_create(user=listener)
    lists["otto_favourites"] = favourites_get_or_create(user=other_listener)
    rating_set(user=listener, song=keep, stars=2)
    rating_set(user=listener, song=drop, stars=5)  # the more recent rating of the two
    Rating.objects.filter(song=keep).update(updated_at=timezone.now() - timedelta(days=1))
    rating_set(user=other_listener, song=drop, stars=4)
    for user, song in (
        (listener, drop),
        (listener, drop),
        (listener, keep),
        (other_listener, drop),
    ):
        play_record(user=user, song=song, source=Play.Source.WEB)
    return keep, drop, a, b, lists


def songs_of(playlist: Playlist) -> list[int]:
    entries = PlaylistEntry.objects.filter(playlist=playlist).order_by("position")
    assert list(entries.values_list("position", flat=True)) == list(range(entries.count()))
    return list(entries.values_list("song_id", flat=True))


def test_merging_keeps_every_playlist_entry_and_favourite(merge_world, listener, other_listener):
    keep, drop, a, b, lists = merge_world
    NearDuplicate.objects.create(song=keep, other=drop, distance=0.001)
    entries_before = PlaylistEntry.objects.count()

    outcome = songs_merge(keep=keep, drop=drop)

    assert not Song.objects.filter(id=drop.id).exists()
    assert not NearDuplicate.objects.exists()
    # The entry of the song that went holds the kept song, at the same place.
    assert songs_of(lists["only_drop"]) == [a.id, keep.id, b.id]
    assert songs_of(lists["otto"]) == [keep.id, a.id]
    # A list that would hold the song twice keeps its first entry and closes the gap.
    assert songs_of(lists["both"]) == [keep.id, a.id, b.id]
    assert songs_of(lists["drop_first"]) == [keep.id, a.id]
    # A list that allows a song twice keeps both entries.
    assert songs_of(lists["twice_ok"]) == [keep.id, keep.id]
    # Favourites: a listener who favourited both copies has the song once; one who favourited
    # only the copy that went has the kept one.
    assert songs_of(lists["lena_favourites"]) == [keep.id, a.id]
    assert songs_of(lists["otto_favourites"]) == [keep.id]
    assert outcome.entries_dropped == 3  # "both", "drop_first", Lena's Favourites
    assert PlaylistEntry.objects.count() == entries_before - 3
    assert outcome.entries_moved == 7  # every entry the merged song had


def test_merging_moves_ratings_and_plays(merge_world, listener, other_listener):
    keep, drop, *_ = merge_world
    outcome = songs_merge(keep=keep, drop=drop)
    assert Rating.objects.get(user=listener, song=keep).stars == 5  # the more recent one
    assert Rating.objects.get(user=other_listener, song=keep).stars == 4
    assert Rating.objects.filter(user=listener).count() == 1
    assert (outcome.ratings_moved, outcome.ratings_dropped) == (1, 1)
    assert Play.objects.filter(user=listener, song=keep).count() == 3
    assert Play.objects.filter(user=other_listener, song=keep).count() == 1
    assert outcome.plays_moved == 3


def test_a_more_recent_rating_of_the_kept_song_stays(merge_world, listener):
    keep, drop, *_ = merge_world
    Rating.objects.filter(song=keep).update(updated_at=timezone.now() + timedelta(days=1))
    songs_merge(keep=keep, drop=drop)
    assert Rating.objects.get(user=listener, song=keep).stars == 2


def test_the_merged_songs_file_is_deleted_after_the_commit(
    merge_world, django_capture_on_commit_callbacks
):
    keep, drop, *_ = merge_world
    drop.audio.name = default_storage.save("audio/test/drop.ogg", ContentFile(b"OggS..."))
    drop.save(update_fields=["audio"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        songs_merge(keep=keep, drop=drop)
    assert default_storage.exists(drop.audio.name)  # not before the commit
    for callback in callbacks:
        callback()
    assert not default_storage.exists(drop.audio.name)


def test_a_pair_merges_into_the_better_file_unless_told(copies):
    original, copy, _ = copies  # the copy has the higher sample rate and the bigger file
    pair = NearDuplicate.objects.create(song=original, other=copy, distance=0.001)
    assert near_duplicate_merge(pair=pair).kept == copy
    assert not Song.objects.filter(id=original.id).exists()


def test_a_song_is_not_merged_into_itself_or_into_a_stranger(copies):
    original, copy, others = copies
    with pytest.raises(MergeError):
        songs_merge(keep=original, drop=original)
    pair = NearDuplicate.objects.create(song=original, other=copy, distance=0.001)
    with pytest.raises(MergeError):
        near_duplicate_merge(pair=pair, keep=others[0])


# The manager's page and API.


@pytest.fixture
def pair(copies):
    original, copy, _ = copies
    return NearDuplicate.objects.create(song=original, other=copy, distance=0.0123)


def test_the_page_lists_pairs_with_their_distance_and_merges_in_one_click(client, manager, pair):
    client.force_login(manager)
    page = client.get("/catalogue/duplicates/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "0.012" in html and "Harbour (MP3)" in html and "22050 Hz" in html
    assert html.count("Merge into this one") == 2 and "Not duplicates" in html
    assert f"/api/v1/songs/{pair.song_id}/audio/" in html  # a player per song
    assert "csrfmiddlewaretoken" in html
    assert "/catalogue/duplicates/" in client.get("/catalogue/").content.decode()

    merged = client.post(f"/catalogue/duplicates/{pair.id}/merge/", {"keep": pair.song_id})
    assert merged.status_code == 302
    assert Song.objects.filter(id=pair.song_id).exists()
    assert not Song.objects.filter(id=pair.other_id).exists()


def test_a_dismissed_pair_is_hidden_from_page_and_api(client, manager, pair):
    client.force_login(manager)
    assert client.post(f"/catalogue/duplicates/{pair.id}/dismiss/").status_code == 302
    assert "Harbour (MP3)" not in client.get("/catalogue/duplicates/").content.decode()
    api = APIClient()
    api.force_authenticate(manager)
    assert api.get("/api/v1/duplicates/").json()["results"] == []
    near_duplicates_find_for(song=pair.other)  # found again, still dismissed
    assert near_duplicates_to_review().count() == 0


def test_listeners_get_neither_page_nor_api(client, listener, pair):
    client.force_login(listener)
    assert client.get("/catalogue/duplicates/").status_code == 403
    assert client.post(f"/catalogue/duplicates/{pair.id}/merge/").status_code == 403
    assert client.post("/catalogue/duplicates/scan/").status_code == 403
    api = APIClient()
    api.force_authenticate(listener)
    assert api.get("/api/v1/duplicates/").status_code == 403
    assert api.post(f"/api/v1/duplicates/{pair.id}/merge/").status_code == 403
    assert api.post(f"/api/v1/duplicates/{pair.id}/dismiss/").status_code == 403
    assert api.post("/api/v1/duplicates/scan/").status_code == 403
    assert Song.objects.filter(id__in=[pair.song_id, pair.other_id]).count() == 2


def test_the_api_lists_merges_and_dismisses(manager, pair, copies):
    api = APIClient()
    api.force_authenticate(manager)
    listed = api.get("/api/v1/duplicates/").json()
    assert listed["count"] == 1
    row = listed["results"][0]
    assert row["distance"] == pytest.approx(0.0123)
    assert {row["song"]["id"], row["other"]["id"]} == {pair.song_id, pair.other_id}
    assert row["suggested_keep"] == pair.other_id  # the copy has the higher sample rate
    assert row["song"]["sample_rate"] == 22050 and row["song"]["duration_s"] == 30.0
    refused = api.post(f"/api/v1/duplicates/{pair.id}/merge/", {"keep": copies[2][0].id})
    assert refused.status_code == 400
    merged = api.post(f"/api/v1/duplicates/{pair.id}/merge/", {"keep": pair.song_id})
    assert merged.status_code == 200
    assert merged.json()["kept"] == pair.song_id and merged.json()["dropped"] == pair.other_id
