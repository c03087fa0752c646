"""``manage.py import_music``: a music library as people keep it, tags first, paths second."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from mutagen.flac import FLAC
from mutagen.id3 import ID3, TALB, TCON, TIT2, TPE1, TRCK

from songs.models import Song, UploadBatch
from songs.services.ingestion import batch_create, catalogue_get_or_create, song_create_from_file
from tests.audio import write_tone


def import_music(*args) -> str:
    out = StringIO()
    call_command("import_music", *map(str, args), stdout=out)
    return out.getvalue()


def test_tags_come_first_then_the_path(db, tmp_path):
    library = tmp_path / "music"
    tagged = write_tone(library / "Folder Artist" / "Folder Album" / "03 Folder Title.flac")
    tags = FLAC(tagged)
    tags.update(
        {"title": "Tag Title", "artist": "Tag Artist", "genre": "Jazz", "tracknumber": "7/9"}
    )
    tags.save()
    write_tone(library / "Folder Artist" / "Folder Album" / "04 Untagged Title.wav", freq=600)
    (library / "Folder Artist" / "Folder Album" / "cover.jpg").write_bytes(b"\xff\xd8 not audio")

    output = import_music(library, "--catalogue", "Home")
    assert "2 new songs queued for analysis, 0 already in the catalogue, 0 rejected" in output
    tagged_song = Song.objects.get(title="Tag Title")
    assert (tagged_song.artist, tagged_song.album, tagged_song.genre, tagged_song.track_number) == (
        "Tag Artist", "Folder Album", "Jazz", 7,
    )  # fmt: skip
    untagged = Song.objects.get(title="Untagged Title")
    assert (untagged.artist, untagged.album, untagged.track_number) == (
        "Folder Artist",
        "Folder Album",
        4,
    )
    assert {s.catalogue.name for s in Song.objects.all()} == {"Home"}
    assert UploadBatch.objects.get().source == "import"

    assert "0 new songs" in import_music(library, "--catalogue", "Home")  # a rerun adds nothing


def test_genre_from_folder_and_rejected_files(db, tmp_path):
    write_tone(tmp_path / "Blues" / "Someone" / "Record" / "01 Song.wav")
    (tmp_path / "Blues" / "broken.mp3").write_bytes(b"\x00" * 5000)
    output = import_music(tmp_path, "--genre-from-folder")
    song = Song.objects.get()
    assert (song.genre, song.artist, song.album) == ("Blues", "Someone", "Record")
    assert "1 rejected" in output and "Blues/broken.mp3: " in output


def test_legacy_encoded_tags_are_repaired(db, tmp_path):
    path = write_tone(tmp_path / "x.mp3")
    tags = ID3()
    # Written by old software: UTF-8 bytes in a frame that says Latin-1 (encoding 0).
    tags.add(TIT2(encoding=0, text="CafÃ© del Mar"))
    tags.add(TPE1(encoding=0, text="Ã\x89dith"))
    tags.add(TALB(encoding=3, text="Ordinary Ünïcode"))
    tags.add(TCON(encoding=0, text="Chill"))
    tags.add(TRCK(encoding=0, text="2"))
    tags.save(path)
    import_music(tmp_path)
    song = Song.objects.get()
    assert (song.title, song.artist, song.album) == ("Café del Mar", "Édith", "Ordinary Ünïcode")


def test_a_missing_folder_is_an_error(db, tmp_path):
    with pytest.raises(CommandError, match="is not a folder"):
        import_music(tmp_path / "nowhere")


@pytest.fixture
def own_media(settings, tmp_path):
    """A media folder of this test's own: the suite's outlives tests, and the same audio stored
    there before (as a copy, or linked to another test's file) would be found there."""
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_library_is_indexed_where_it_lies_unless_copy_is_asked(db, tmp_path, own_media):
    linked = write_tone(tmp_path / "here" / "01 Linked.flac", freq=431)
    copied = write_tone(tmp_path / "there" / "01 Copied.flac", freq=437)

    import_music(tmp_path / "here")
    import_music(tmp_path / "there", "--copy")

    stored = Path(default_storage.path(Song.objects.get(title="Linked").audio.name))
    assert stored.is_symlink() and stored.resolve() == linked.resolve()
    with default_storage.open(Song.objects.get(title="Linked").audio.name) as audio:
        assert audio.read() == linked.read_bytes()
    copy = Path(default_storage.path(Song.objects.get(title="Copied").audio.name))
    assert not copy.is_symlink() and copy.read_bytes() == copied.read_bytes()


def test_deleting_a_song_imported_in_place_leaves_the_library_file(db, tmp_path, own_media):
    original = write_tone(tmp_path / "lib" / "01 Keep Me.flac", freq=443)
    import_music(tmp_path / "lib")
    song = Song.objects.get()

    default_storage.delete(song.audio.name)
    song.delete()

    assert original.exists() and original.stat().st_size > 0


def test_uploads_are_always_copied(db, tmp_path, own_media):
    upload = write_tone(tmp_path / "upload.flac")
    batch = batch_create(source=UploadBatch.Source.WEB, catalogue=catalogue_get_or_create())

    song, _ = song_create_from_file(path=upload, original_name="upload.flac", batch=batch)

    assert not Path(default_storage.path(song.audio.name)).is_symlink()


def test_a_moved_library_file_is_linked_again_from_its_new_place(db, tmp_path, own_media):
    first = write_tone(tmp_path / "old" / "01 Wanderer.flac", freq=449)
    import_music(tmp_path / "old")
    song = Song.objects.get()
    song.delete()  # the catalogue forgets it; its link stays, then the library moves
    moved = tmp_path / "new" / "01 Wanderer.flac"
    moved.parent.mkdir()
    first.rename(moved)

    import_music(tmp_path / "new")

    stored = Path(default_storage.path(Song.objects.get().audio.name))
    assert stored.resolve() == moved.resolve() and stored.read_bytes() == moved.read_bytes()
