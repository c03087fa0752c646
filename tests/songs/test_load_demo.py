from io import StringIO

from django.core.management import call_command

from songs.models import Song, UploadBatch


def load_demo(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def test_the_demo_catalogue_is_rendered_labelled_and_queued(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    output = load_demo("--songs-per-style", "1", "--seconds", "4")
    assert "Demo catalogue: 10 new songs in 10 styles queued for analysis" in output
    songs = Song.objects.all()
    assert len({song.genre for song in songs}) == 10
    assert all(song.status == "pending" and song.catalogue.name == "Demo" for song in songs)
    assert all(3.9 < song.duration_s < 4.1 and song.artist and song.title for song in songs)
    assert UploadBatch.objects.get().source == "demo"

    assert "already has songs; no demo loaded" in load_demo("--if-empty")
    again = load_demo("--songs-per-style", "1", "--seconds", "4")  # files reused: same songs
    assert "0 new songs" in again and Song.objects.count() == 10
