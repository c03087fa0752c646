"""Removing the demo catalogue in one step leaves nothing of it behind."""

from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from explorer.models import MapPoint, Mix
from explorer.services import map_build
from playlists.models import LibraryStar, Play, PlaylistEntry, Rating
from playlists.services import playlist_add_song, playlist_create
from songs.models import (
    BackboneEmbedding,
    Catalogue,
    NearDuplicate,
    Song,
    TagVector,
    UploadBatch,
)
from songs.services.analysis import song_tag_vector_store
from songs.services.demo import DEMO_CATALOGUE, demo_render_folder
from songs.services.ingestion import batch_create, catalogue_get_or_create
from tests.factories import make_embedded_songs


@pytest.fixture
def catalogue(db, settings, tmp_path):
    """12 real songs and 24 demo songs, with files, tags, a map with mixes, and a listener's
    playlist, ratings, plays and stars on both."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"
    (demo_render_folder() / "seed-0-30s").mkdir(parents=True)
    (demo_render_folder() / "seed-0-30s" / "ground-truth.json").write_text("{}")
    demo_batch = batch_create(
        source=UploadBatch.Source.DEMO, catalogue=catalogue_get_or_create(name=DEMO_CATALOGUE)
    )
    real = make_embedded_songs(per_genre=4, unlabelled=0, seed=1)
    demo = make_embedded_songs(per_genre=8, unlabelled=0, batch=demo_batch)
    shared_cover = default_storage.save("covers/shared.jpg", ContentFile(b"jpeg"))
    for i, song in enumerate(real + demo):
        song.audio = default_storage.save(f"audio/{song.id}.ogg", ContentFile(b"ogg"))
        song.spectrogram = default_storage.save(f"spectrograms/{song.id}.png", ContentFile(b"p"))
        song.artist = f"artist {song.id}"
        song.mtt_tag_probabilities = [0.1] * 50
        song.cover = shared_cover if i in (0, len(real)) else ""
        song.save()
        song_tag_vector_store(song=song)
    demo[1].cover = default_storage.save("covers/demo-only.jpg", ContentFile(b"jpeg"))
    demo[1].save(update_fields=["cover"])
    map_build(seed=0)
    return real, demo


def test_removing_the_demo_leaves_nothing_of_it_behind(
    catalogue, listener, django_capture_on_commit_callbacks
):
    real, demo = catalogue
    demo_ids = {s.id for s in demo}
    playlist = playlist_create(owner=listener, name="Mixed")
    for song in (real[0], demo[0], real[1], demo[1], real[2]):
        playlist_add_song(playlist=playlist, song=song)
    for song in (real[0], demo[0]):
        Rating.objects.create(user=listener, song=song, stars=4)
        Play.objects.create(user=listener, song=song, played_at=timezone.now(), source="web")
    NearDuplicate.objects.create(song=demo[0], other=demo[1], distance=0.001)
    NearDuplicate.objects.create(song=real[0], other=demo[2], distance=0.002)
    demo_artist, real_artist = (Song.objects.get(id=s.id).artist_key for s in (demo[3], real[3]))
    LibraryStar.objects.create(user=listener, kind="artist", key=demo_artist)
    LibraryStar.objects.create(user=listener, kind="artist", key=real_artist)
    assert all(default_storage.exists(s.audio.name) for s in demo)

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("remove_demo", "--no-input", stdout=out)

    assert out.getvalue().strip() == "Removed 24 demo songs, 2 playlist entries and 49 files."
    assert set(Song.objects.values_list("id", flat=True)) == {s.id for s in real}
    for table in (BackboneEmbedding, TagVector, MapPoint, PlaylistEntry, Rating, Play):
        assert not table.objects.filter(song_id__in=demo_ids).exists(), table
    assert not NearDuplicate.objects.filter(other_id__in=demo_ids).exists()
    assert list(
        PlaylistEntry.objects.filter(playlist=playlist).values_list("position", "song_id")
    ) == [(0, real[0].id), (1, real[1].id), (2, real[2].id)]
    assert Mix.objects.exists()
    assert not any(set(mix.song_ids) & demo_ids for mix in Mix.objects.all())
    assert list(LibraryStar.objects.values_list("key", flat=True)) == [real_artist]
    assert not UploadBatch.objects.filter(source="demo").exists()
    assert not Catalogue.objects.filter(name=DEMO_CATALOGUE).exists()
    # Files: the demo's audio and spectrograms, and the cover only it used; not the shared one.
    for song in demo:
        assert not default_storage.exists(song.audio.name)
        assert not default_storage.exists(song.spectrogram.name)
    assert not default_storage.exists("covers/demo-only.jpg")
    assert default_storage.exists("covers/shared.jpg")
    assert all(default_storage.exists(s.audio.name) for s in real)
    assert not demo_render_folder().exists()
    assert len(callbacks) == 3  # the files, the map's file without them, the refit without them


def test_the_admin_action_removes_the_demo_and_only_from_its_catalogue(catalogue, admin_client):
    real, _ = catalogue
    url = "/admin/songs/catalogue/"
    other = Catalogue.objects.exclude(name=DEMO_CATALOGUE).get()
    response = admin_client.post(
        url, {"action": "remove_demo", "_selected_action": [other.id]}, follow=True
    )
    assert "Choose the demo catalogue to remove it." in response.content.decode()
    assert Song.objects.count() == 36

    demo_catalogue = Catalogue.objects.get(name=DEMO_CATALOGUE)
    response = admin_client.post(
        url, {"action": "remove_demo", "_selected_action": [demo_catalogue.id]}, follow=True
    )
    assert "Removed 24 demo songs" in response.content.decode()
    assert set(Song.objects.values_list("id", flat=True)) == {s.id for s in real}


def test_remove_demo_says_so_when_there_is_none(db):
    out = StringIO()
    call_command("remove_demo", "--no-input", stdout=out)
    assert out.getvalue().strip() == "There is no demo catalogue to remove."
