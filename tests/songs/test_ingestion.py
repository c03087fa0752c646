"""Every way in ends in one service: validated by content, stored once per audio, queued."""

import threading
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.db import connection

from songs.models import Song, UploadBatch
from songs.services.ingestion import (
    RejectedFile,
    SongMetadata,
    batch_add_file,
    batch_create,
    catalogue_get_or_create,
    song_create_from_file,
)
from songs.services.metadata import MetadataFileError
from songs.services.uploads import METADATA_MAX_BYTES, batch_add_upload, batch_set_metadata
from tests.audio import write_tone


@pytest.fixture
def batch(db) -> UploadBatch:
    return batch_create(source=UploadBatch.Source.IMPORT, catalogue=catalogue_get_or_create())


def test_an_audio_file_becomes_a_pending_song_stored_under_its_hash(batch, tmp_path):
    path = write_tone(tmp_path / "My Song.flac", sample_rate=44100, channels=2)
    song, created = song_create_from_file(
        path=path, original_name="My Song.flac", batch=batch, metadata=SongMetadata(artist="Ann")
    )
    assert created
    assert song.status == Song.Status.PENDING
    assert (song.title, song.artist, song.audio_format) == ("My Song", "Ann", "FLAC")
    assert (song.sample_rate, song.channels) == (44100, 2)
    assert song.duration_s == pytest.approx(3.0)
    assert song.audio.name == f"audio/{song.content_sha256[:2]}/{song.content_sha256}.flac"
    assert default_storage.open(song.audio.name).read() == path.read_bytes()


def test_the_same_audio_twice_is_one_song_and_the_batch_says_so(batch, tmp_path):
    first = write_tone(tmp_path / "a.wav")
    second = tmp_path / "same track, other name.wav"
    second.write_bytes(first.read_bytes())
    one = batch_add_file(batch=batch, path=first, original_name="a.wav")
    two = batch_add_file(batch=batch, path=second, original_name=second.name)
    assert one.created and not two.created and one.song == two.song
    batch.refresh_from_db()
    assert batch.duplicates == [{"name": second.name, "song_id": one.song.id}]
    assert Song.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_uploads_of_the_same_file_at_the_same_moment_make_one_song(tmp_path):
    batch = batch_create(source=UploadBatch.Source.WEB, catalogue=catalogue_get_or_create())
    path = write_tone(tmp_path / "race.wav")
    barrier = threading.Barrier(4)
    results = []

    def upload():
        barrier.wait()
        try:
            results.append(song_create_from_file(path=path, original_name="race.wav", batch=batch))
        finally:
            connection.close()

    threads = [threading.Thread(target=upload) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Song.objects.count() == 1
    assert sum(created for _, created in results) == 1
    assert {song.id for song, _ in results} == {Song.objects.get().id}


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.wav", b"", "empty.wav: the file is empty."),
        ("notes.mp3", b"This is a text file, not an MP3.\n" * 40, "notes.mp3: "),
        ("random.flac", bytes(range(256)) * 64, "random.flac: "),
    ],
    ids=["empty", "text-named-mp3", "bytes-named-flac"],
)
def test_files_that_are_not_audio_are_refused_with_their_name(
    batch, tmp_path, name, content, reason
):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RejectedFile) as refused:
        song_create_from_file(path=path, original_name=name, batch=batch)
    assert str(refused.value).startswith(reason)
    assert len(str(refused.value)) > len(name) + 10  # a reason, not only the name
    assert not Song.objects.exists()


def test_duration_and_size_limits_are_settings(batch, tmp_path, settings):
    path = write_tone(tmp_path / "long.wav", seconds=3)
    settings.UPLOAD_MAX_DURATION_S = 2
    with pytest.raises(RejectedFile, match="longer than the limit"):
        song_create_from_file(path=path, original_name="long.wav", batch=batch)
    settings.UPLOAD_MAX_DURATION_S = 60
    settings.UPLOAD_MAX_BYTES = 1000
    with pytest.raises(RejectedFile, match="more than the limit"):
        song_create_from_file(path=path, original_name="long.wav", batch=batch)


def test_a_zip_is_unpacked_with_its_metadata(batch, tmp_path):
    archive = tmp_path / "album.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(write_tone(tmp_path / "01 intro.wav", freq=330), "Album/01 intro.wav")
        zf.write(write_tone(tmp_path / "02 theme.ogg", freq=550), "Album/02 theme.ogg")
        zf.writestr("meta.csv", "file,title,artist,genre,year\n02 theme.ogg,Theme,Bo,jazz,1999\n")
        zf.writestr("__MACOSX/._01 intro.wav", b"resource fork")
    outcomes = batch_add_upload(batch=batch, path=archive, original_name="album.zip")
    assert [o.name for o in outcomes] == ["01 intro.wav", "02 theme.ogg"]
    assert all(o.created for o in outcomes)
    theme = Song.objects.get(original_name="02 theme.ogg")
    assert (theme.title, theme.artist, theme.genre, theme.year) == ("Theme", "Bo", "jazz", 1999)
    assert Song.objects.get(original_name="01 intro.wav").title == "01 intro"


def test_zip_entries_cannot_escape_the_upload_folder(batch, tmp_path):
    archive = tmp_path / "evil.zip"
    tone = write_tone(tmp_path / "t.wav").read_bytes()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../../escaped.wav", tone)
        zf.writestr("/etc/absolute.wav", tone)
    outcomes = batch_add_upload(batch=batch, path=archive, original_name="evil.zip")
    assert [o.error.split(":")[0] for o in outcomes] == ["../../escaped.wav", "/etc/absolute.wav"]
    assert all("outside the zip" in o.error for o in outcomes)
    assert not Song.objects.exists()
    assert not (tmp_path.parent / "escaped.wav").exists()
    assert not Path("/etc/absolute.wav").exists()


def test_a_zip_bomb_is_refused(batch, tmp_path, settings):
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros.wav", bytes(50_000_000))
    outcomes = batch_add_upload(batch=batch, path=archive, original_name="bomb.zip")
    assert "zip bomb" in outcomes[0].error

    settings.ZIP_MAX_UNCOMPRESSED_BYTES = 10_000_000  # the declared total alone refuses it
    outcomes = batch_add_upload(batch=batch, path=archive, original_name="bomb.zip")
    assert outcomes[0].error.startswith("bomb.zip: it would unpack to 0.1 GB")
    assert not Song.objects.exists()


def test_a_huge_metadata_file_in_a_zip_is_refused_without_inflating_it(batch, tmp_path):
    archive = tmp_path / "album.zip"
    row = b"file,title\n" + b"x.wav,a title that repeats\n" * 40_000  # about 1 MB
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        with zf.open("meta.csv", "w") as entry:
            for _ in range(96):  # 96 MB inflated, well under the zip's declared-size limit
                entry.write(row)
        zf.writestr("x.wav", write_tone(tmp_path / "x.wav").read_bytes())
    tracemalloc.start()
    try:
        outcomes = batch_add_upload(batch=batch, path=archive, original_name="album.zip")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 40 << 20, f"{peak >> 20} MB held while reading the zip"
    batch.refresh_from_db()
    (note,) = batch.rejected
    assert note["name"] == "meta.csv" and "at most 16 MB" in note["reason"]
    assert [o.name for o in outcomes] == ["x.wav"] and outcomes[
        0
    ].created  # the audio still goes in


def test_a_metadata_file_sent_alone_is_refused_past_the_same_size(batch):
    content = b"file,title\n" + b"x.wav,t\n" * ((METADATA_MAX_BYTES >> 3) + 1)
    with pytest.raises(MetadataFileError, match="at most 16 MB"):
        batch_set_metadata(batch=batch, name="meta.csv", content=content)


def test_metadata_file_sent_first_applies_to_later_files(batch, tmp_path):
    rows = b'[{"file": "x.wav", "title": "Ex", "artist": "Why", "track": "3/12"}]'
    assert batch_set_metadata(batch=batch, name="meta.json", content=rows) == 1
    (outcome,) = batch_add_upload(
        batch=batch, path=write_tone(tmp_path / "x.wav"), original_name="x.wav"
    )
    assert (outcome.song.title, outcome.song.artist, outcome.song.track_number) == ("Ex", "Why", 3)
