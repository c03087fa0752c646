"""stream, download and getCoverArt, on songs imported from real audio files."""

import io
import json

import av
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from mutagen.flac import FLAC, Picture
from PIL import Image

from songs.models import Song
from songs.services.ingestion import batch_create, catalogue_get_or_create, song_create_from_file
from tests.audio import write_tone
from tests.subsonic.conftest import call, error_code, rest

SECONDS = 3.0


def image_bytes(color: str, form: str, size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=form)
    return out.getvalue()


COVER = image_bytes("red", "JPEG", (300, 200))
SPECTROGRAM = image_bytes("blue", "PNG", (120, 60))


@pytest.fixture
def make_song(db, tmp_path):
    """A ready song from a real file: (song, the file's bytes)."""
    batch = batch_create(source="import", catalogue=catalogue_get_or_create())

    def make(name="a.flac", *, freq=440.0, cover=None, spectrogram=True, **tags):
        path = write_tone(tmp_path / name, seconds=SECONDS, freq=freq, sample_rate=44100)
        if cover is not None:
            audio = FLAC(path)
            picture = Picture()
            picture.type, picture.mime, picture.data = 3, "image/jpeg", cover
            audio.add_picture(picture)
            audio.save()
        song, _ = song_create_from_file(path=path, original_name=f"Music/{name}", batch=batch)
        song.status = Song.Status.READY
        for field, value in tags.items():
            setattr(song, field, value)
        if spectrogram:
            stored = default_storage.save(
                f"spectrograms/test-{song.content_sha256}.png", ContentFile(SPECTROGRAM)
            )
            song.spectrogram.name = stored
        song.save()
        song.refresh_from_db()  # the artist and album keys the database generated
        return song, path.read_bytes()

    return make


def ranged(value: str) -> Client:
    return Client(headers={"Range": value})


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def decoded(data: bytes) -> tuple[float, int, str]:
    """Duration in seconds, sample rate and codec of encoded audio."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        samples = sum(frame.samples for frame in container.decode(stream))
        return samples / stream.rate, stream.rate, stream.codec_context.name


def subsonic_error(response) -> int:
    assert response["Content-Type"].startswith("application/json")
    return error_code(json.loads(response.content)["subsonic-response"])


def test_stream_without_format_is_the_stored_file(listener, make_song):
    song, data = make_song()

    response = call("stream", user=listener, id=str(song.id))

    assert response.status_code == 200 and response["Content-Type"] == "audio/flac"
    assert body(response) == data and response["Accept-Ranges"] == "bytes"
    assert body(call("stream", user=listener, id=str(song.id), format="raw")) == data
    assert body(call("stream", user=listener, id=str(song.id), format="aac")) == data


def test_stream_honours_range_requests(listener, make_song):
    song, data = make_song()

    part = call("stream", user=listener, id=str(song.id), client=ranged("bytes=0-99"))
    past = call("stream", user=listener, id=str(song.id), client=ranged(f"bytes={len(data)}-"))

    assert part.status_code == 206 and part["Content-Range"] == f"bytes 0-99/{len(data)}"
    assert body(part) == data[:100]
    assert past.status_code == 416 and past["Content-Range"] == f"bytes */{len(data)}"


@pytest.mark.parametrize("method", ["stream", "download"])
def test_a_range_with_a_huge_number_is_416_not_a_server_error(listener, make_song, method):
    song, data = make_song()
    huge = "9" * 5000  # past Python's limit on digits for int()
    for header in (f"bytes={huge}-", f"bytes=0-{huge}", f"bytes=-{huge}"):
        response = call(method, user=listener, id=str(song.id), client=ranged(header))
        assert response.status_code == 416, header
        assert response["Content-Range"] == f"bytes */{len(data)}"


@pytest.mark.parametrize(
    ("form", "content_type", "codec"), [("mp3", "audio/mpeg", "mp3"), ("opus", "audio/ogg", "opus")]
)
def test_stream_transcodes_to_mp3_and_opus(listener, make_song, form, content_type, codec):
    song, _ = make_song()

    response = call(
        "stream", user=listener, id=str(song.id), format=form, client=ranged("bytes=0-99")
    )

    assert response.status_code == 200 and response["Content-Type"] == content_type
    data = body(response)
    duration, _, name = decoded(data)
    assert name.startswith(codec) and abs(duration - SECONDS) < 0.2
    default_kbps = {"mp3": 192, "opus": 128}[form]
    assert len(data) * 8 / 1000 / SECONDS < default_kbps * 1.3


def test_max_bit_rate_below_the_files_transcodes_at_that_rate(listener, make_song):
    song, data = make_song()
    assert len(data) * 8 / 1000 / SECONDS > 200  # a FLAC of noise is well above 64 kbps

    response = call("stream", user=listener, id=str(song.id), maxBitRate="64")

    assert response["Content-Type"] == "audio/mpeg"
    encoded = body(response)
    assert abs(decoded(encoded)[0] - SECONDS) < 0.2
    assert len(encoded) * 8 / 1000 / SECONDS < 64 * 1.3
    opus = body(call("stream", user=listener, id=str(song.id), format="opus", maxBitRate="32"))
    assert len(opus) * 8 / 1000 / SECONDS < 32 * 1.4
    # A limit the file is already under needs no transcoding.
    assert body(call("stream", user=listener, id=str(song.id), maxBitRate="5000")) == data


def test_download_is_the_file_as_an_attachment(listener, make_song):
    song, data = make_song("Über song.flac")

    response = call("download", user=listener, id=str(song.id))
    part = call("download", user=listener, id=str(song.id), client=ranged("bytes=10-19"))

    assert body(response) == data
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%C3%9Cber%20song.flac" in response["Content-Disposition"]
    assert part.status_code == 206 and body(part) == data[10:20]


def image_of(response) -> Image.Image:
    assert response.status_code == 200
    return Image.open(io.BytesIO(body(response)))


def test_cover_art_is_the_embedded_picture_else_the_spectrogram(listener, make_song):
    with_cover, _ = make_song("a.flac", freq=300, cover=COVER)
    without, _ = make_song("b.flac", freq=500)

    cover = call("getCoverArt", user=listener, id=str(with_cover.id))
    fallback = call("getCoverArt", user=listener, id=str(without.id))

    assert cover["Content-Type"] == "image/jpeg" and body(cover) == COVER
    assert fallback["Content-Type"] == "image/png" and body(fallback) == SPECTROGRAM


def test_cover_art_is_resized_once_to_fit_the_size(listener, make_song):
    song, _ = make_song(cover=COVER)
    other, _ = make_song("b.flac", freq=500)

    first = image_of(call("getCoverArt", user=listener, id=str(song.id), size="150"))
    again = image_of(call("getCoverArt", user=listener, id=str(song.id), size="150"))
    spectrogram = image_of(call("getCoverArt", user=listener, id=str(other.id), size="30"))
    larger = call("getCoverArt", user=listener, id=str(song.id), size="1000")

    assert first.format == "JPEG" and first.size == (150, 100) and again.size == (150, 100)
    stem = song.cover.name.removeprefix("covers/").removesuffix(".jpg")
    assert default_storage.exists(f"covers/sized/{stem}-150.jpg")
    assert spectrogram.format == "PNG" and spectrogram.size == (30, 15)
    assert body(larger) == COVER  # never made larger than it is


def test_album_and_artist_cover_is_their_first_song_with_one(listener, make_song):
    tags = {"artist": "Anna", "album": "One"}
    first, _ = make_song("1.flac", freq=300, track_number=1, **tags)
    second, _ = make_song("2.flac", freq=400, cover=COVER, track_number=2, **tags)
    lonely, _ = make_song("3.flac", freq=500, artist="Bob", album="Two")

    album = call("getCoverArt", user=listener, id=f"al-{first.album_key}")
    artist = call("getCoverArt", user=listener, id=f"ar-{first.artist_key}")
    bob = call("getCoverArt", user=listener, id=f"al-{lonely.album_key}")

    assert body(album) == COVER and body(artist) == COVER
    assert body(bob) == SPECTROGRAM


def test_unknown_ids_and_songs_without_pictures_are_error_70(listener, make_song):
    song, _ = make_song(spectrogram=False)
    pending, _ = make_song("p.flac", freq=600, cover=COVER)
    Song.objects.filter(id=pending.id).update(status=Song.Status.PENDING)

    for raw in ["999999", "al-" + "0" * 32, "ar-" + "0" * 32, "ar-short", "x", str(pending.id)]:
        assert subsonic_error(call("getCoverArt", user=listener, id=raw, f="json")) == 70
    assert subsonic_error(call("getCoverArt", user=listener, id=str(song.id), f="json")) == 70
    assert subsonic_error(call("stream", user=listener, id="999999", f="json")) == 70
    assert subsonic_error(call("download", user=listener, id="abc", f="json")) == 70


def test_a_missing_id_is_error_10(listener, db):
    for method in ["stream", "download", "getCoverArt"]:
        assert error_code(rest(method, user=listener)) == 10


def test_time_offset_starts_the_audio_that_many_seconds_in(listener, make_song):
    song, _ = make_song()

    later = call(
        "stream", user=listener, id=str(song.id), timeOffset="2", client=ranged("bytes=0-9")
    )
    as_opus = call("stream", user=listener, id=str(song.id), timeOffset="1", format="opus")

    # No format asked for: MP3, close to the file; the Range is not for these bytes.
    assert later.status_code == 200 and later["Content-Type"] == "audio/mpeg"
    duration, _, codec = decoded(body(later))
    assert codec.startswith("mp3") and abs(duration - (SECONDS - 2)) < 0.2
    duration, _, codec = decoded(body(as_opus))
    assert codec.startswith("opus") and abs(duration - (SECONDS - 1)) < 0.2
    beyond = body(call("stream", user=listener, id=str(song.id), timeOffset="60"))
    assert len(beyond) < 1024  # past the end: no audio frames at all


def test_the_audio_from_the_offset_is_the_songs_audio_from_there(listener, db, tmp_path):
    """A tone that changes pitch at 1.5 s: from timeOffset=2 only the second pitch is heard."""
    import numpy as np
    import soundfile as sf

    rate = 44100
    t = np.arange(int(SECONDS * rate)) / rate
    signal = np.where(t < 1.5, np.sin(2 * np.pi * 300 * t), np.sin(2 * np.pi * 1200 * t)) * 0.4
    sf.write(tmp_path / "two.flac", signal.astype(np.float32), rate)
    batch = batch_create(source="import", catalogue=catalogue_get_or_create())
    song, _ = song_create_from_file(
        path=tmp_path / "two.flac", original_name="two.flac", batch=batch
    )
    Song.objects.filter(id=song.id).update(status=Song.Status.READY)

    data = body(call("stream", user=listener, id=str(song.id), timeOffset="2", format="opus"))

    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        pcm = np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(stream)])
        heard_rate = stream.rate
    peak_hz = np.argmax(np.abs(np.fft.rfft(pcm))) * heard_rate / len(pcm)
    assert abs(peak_hz - 1200) < 20


def test_hls_is_a_playlist_of_the_song_that_plays(listener, make_song):
    song, _ = make_song()

    response = call("hls.m3u8", user=listener, id=str(song.id), bitRate="96")
    variants = call("hls.m3u8", user=listener, id=str(song.id), bitRate=["64", "128@480x360"])

    assert response["Content-Type"] == "application/vnd.apple.mpegurl"
    lines = response.content.decode().splitlines()
    assert lines[0] == "#EXTM3U" and lines[-1] == "#EXT-X-ENDLIST"
    assert f"#EXTINF:{SECONDS:.3f}," in lines
    segment = next(line for line in lines if not line.startswith("#"))
    # The segment's URL is signed as the playlist was: a player fetches it as it is.
    played = Client().get(f"/rest/{segment}")
    duration, _, codec = decoded(body(played))
    assert codec.startswith("mp3") and abs(duration - SECONDS) < 0.2
    assert len(body(Client().get(f"/rest/{segment}"))) * 8 / 1000 / SECONDS < 96 * 1.3
    listed = variants.content.decode().splitlines()
    assert [line for line in listed if line.startswith("#EXT-X-STREAM-INF")] == [
        '#EXT-X-STREAM-INF:BANDWIDTH=64000,CODECS="mp4a.40.34"',
        '#EXT-X-STREAM-INF:BANDWIDTH=128000,CODECS="mp4a.40.34"',
    ]
    assert subsonic_error(call("hls", user=listener, id="999999", f="json")) == 70


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_py_opensonic_streams_a_range_and_from_an_offset(opensonic, make_song):
    import asyncio

    song, data = make_song()

    def read(response) -> bytes:
        return asyncio.run_coroutine_threadsafe(response.read(), opensonic._loop).result()

    part = opensonic.stream(str(song.id), byte_range="bytes=1000-1999")
    later = opensonic.stream(str(song.id), time_offset=1, tformat="mp3")

    assert part.status == 206 and read(part) == data[1000:2000]
    assert later.headers["Content-Type"] == "audio/mpeg"
    assert abs(decoded(read(later))[0] - (SECONDS - 1)) < 0.2
