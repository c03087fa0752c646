"""The picture embedded in a file's tags becomes the song's cover, stored once by its content."""

import base64
import io

import pytest
from django.core.files.storage import default_storage
from mutagen.flac import FLAC, Picture
from mutagen.id3 import APIC, ID3
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE
from PIL import Image

from songs.services.ingestion import batch_create, catalogue_get_or_create, song_create_from_file
from songs.services.metadata import embedded_picture
from tests.audio import write_tone


def image_bytes(color: str, form: str = "PNG", size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=form)
    return out.getvalue()


def with_flac_pictures(path, *pictures):
    """Add FLAC picture blocks: (type, data, declared mime) each."""
    audio = FLAC(path)
    for kind, data, mime in pictures:
        picture = Picture()
        picture.type, picture.data, picture.mime = kind, data, mime
        audio.add_picture(picture)
    audio.save()
    return path


def test_mp3_front_cover_is_preferred_to_other_pictures(tmp_path):
    path = write_tone(tmp_path / "a.mp3", seconds=1)
    back, front = image_bytes("blue", "JPEG"), image_bytes("red", "JPEG")
    tags = ID3()
    tags.add(APIC(encoding=3, mime="image/jpeg", type=4, desc="back", data=back))
    tags.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="front", data=front))
    tags.save(path)

    assert embedded_picture(path) == (front, "image/jpeg")


def test_flac_picture_type_comes_from_its_bytes_not_its_label(tmp_path):
    png = image_bytes("green")
    path = with_flac_pictures(write_tone(tmp_path / "a.flac", seconds=1), (0, png, "image/jpeg"))

    assert embedded_picture(path) == (png, "image/png")


def test_vorbis_and_wav_pictures(tmp_path):
    png = image_bytes("yellow")
    ogg = write_tone(tmp_path / "a.ogg", seconds=1)
    picture = Picture()
    picture.type, picture.data, picture.mime = 3, png, "image/png"
    audio = OggVorbis(ogg)
    audio["metadata_block_picture"] = [base64.b64encode(picture.write()).decode("ascii")]
    audio.save()
    wav = write_tone(tmp_path / "a.wav", seconds=1)
    audio = WAVE(wav)
    audio.add_tags()
    audio.tags.add(APIC(encoding=3, mime="image/png", type=3, desc="", data=png))
    audio.save()

    assert embedded_picture(ogg) == (png, "image/png")
    assert embedded_picture(wav) == (png, "image/png")


@pytest.mark.parametrize("content", [b"", b"not audio at all", b"ID3\x04\x00\x00\xff\xff\xff\xff"])
def test_odd_files_have_no_picture_and_raise_nothing(tmp_path, content):
    path = tmp_path / "odd.mp3"
    path.write_bytes(content)

    assert embedded_picture(path) is None
    assert embedded_picture(tmp_path / "missing.flac") is None


def test_an_id3_link_to_a_url_is_not_a_picture(tmp_path):
    path = write_tone(tmp_path / "a.mp3", seconds=1)
    tags = ID3()
    tags.add(APIC(encoding=3, mime="-->", type=3, desc="", data=b"http://example.com/c.jpg"))
    tags.save(path)

    assert embedded_picture(path) is None


def test_import_stores_the_cover_once_under_its_hash(db, tmp_path):
    import hashlib

    batch = batch_create(source="import", catalogue=catalogue_get_or_create())
    cover = image_bytes("purple", "JPEG")
    first = with_flac_pictures(write_tone(tmp_path / "1.flac", freq=300), (3, cover, "image/jpeg"))
    second = with_flac_pictures(write_tone(tmp_path / "2.flac", freq=500), (3, cover, "image/jpeg"))
    plain = write_tone(tmp_path / "3.flac", freq=700)

    song1, _ = song_create_from_file(path=first, original_name="1.flac", batch=batch)
    song2, _ = song_create_from_file(path=second, original_name="2.flac", batch=batch)
    song3, _ = song_create_from_file(path=plain, original_name="3.flac", batch=batch)

    name = f"covers/{hashlib.sha256(cover).hexdigest()}.jpg"
    assert song1.cover.name == song2.cover.name == name
    with default_storage.open(name, "rb") as handle:
        assert handle.read() == cover
    assert not song3.cover
