"""Files stay where they belong: a library linked in place never leads the server out of it, at
import or when serving, and FFmpeg opens nothing but the file it is given (no playlists, no
network) when it decodes a stored "audio" file."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client

from songs.models import Song, UploadBatch
from songs.services.ingestion import batch_create, catalogue_get_or_create, song_create_from_file
from tests.audio import write_tone
from tests.subsonic.conftest import call

SECRET_KEY_FILE = Path(settings.VAR_DIR) / "secret_key"


@pytest.fixture
def own_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def secret() -> bytes:
    assert SECRET_KEY_FILE.exists()  # made by the test settings
    return SECRET_KEY_FILE.read_bytes()


def import_music(*args) -> str:
    out = StringIO()
    call_command("import_music", *map(str, args), stdout=out)
    return out.getvalue()


def answer(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def subsonic_error(response) -> int | None:
    """The Subsonic error code of a JSON answer; None when the answer is a file or a stream."""
    if response.streaming or not response["Content-Type"].startswith("application/json"):
        return None
    return json.loads(response.content)["subsonic-response"]["error"]["code"]


def ready(song: Song) -> Song:
    Song.objects.filter(id=song.id).update(status=Song.Status.READY)
    song.refresh_from_db()
    return song


# -- import ---------------------------------------------------------------------------------


def test_a_link_out_of_the_library_is_not_imported(db, tmp_path, own_media):
    outside = write_tone(tmp_path / "elsewhere" / "Private.flac", freq=461)
    library = tmp_path / "library"
    write_tone(library / "Artist" / "01 Mine.flac", freq=463)
    (library / "Artist" / "02 Escape.flac").symlink_to(outside)
    (library / "Artist" / "03 Key.flac").symlink_to(SECRET_KEY_FILE)
    (library / "Artist" / "04 Up.flac").symlink_to(Path("..") / ".." / "elsewhere" / "Private.flac")
    (library / "Linked folder").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (library / "Artist" / "05 Again.flac").symlink_to(library / "Artist" / "01 Mine.flac")

    output = import_music(library)

    # A link inside the library is followed (the same audio: one song); none leads out of it.
    assert list(Song.objects.values_list("title", flat=True)) == ["Mine"]
    assert "1 new songs queued for analysis, 1 already in the catalogue, 3 rejected" in output
    rejected = {entry["name"]: entry["reason"] for entry in UploadBatch.objects.get().rejected}
    assert set(rejected) == {"Artist/02 Escape.flac", "Artist/03 Key.flac", "Artist/04 Up.flac"}
    assert all("a symbolic link to a file outside the library" in r for r in rejected.values())


# -- serving --------------------------------------------------------------------------------


@pytest.fixture
def linked_song(db, tmp_path, own_media) -> tuple[Song, Path]:
    """A ready song imported in place from a library, and its library file."""
    track = write_tone(tmp_path / "library" / "Artist" / "Album" / "01 Song.flac", freq=467)
    import_music(tmp_path / "library")
    return ready(Song.objects.get()), track


def served(song: Song, listener) -> dict[str, object]:
    """What every audio endpoint answers for the song: bytes, or a 404 / a Subsonic error."""
    web = Client()
    web.force_login(listener)
    sid = str(song.id)
    return {
        "rest download": call("download", user=listener, id=sid, f="json"),
        "rest stream": call("stream", user=listener, id=sid, f="json"),
        "rest stream raw": call("stream", user=listener, id=sid, format="raw", f="json"),
        "rest stream mp3": call("stream", user=listener, id=sid, format="mp3", f="json"),
        "rest stream offset": call("stream", user=listener, id=sid, timeOffset="1", f="json"),
        "api audio": web.get(f"/api/v1/songs/{song.id}/audio/"),
        "api audio ranged": web.get(
            f"/api/v1/songs/{song.id}/audio/", headers={"Range": "bytes=0-"}
        ),
    }


def test_a_linked_library_file_is_served_while_it_is_in_the_library(linked_song, listener):
    song, track = linked_song

    answers = served(song, listener)

    for name in ["rest download", "rest stream", "rest stream raw", "api audio"]:
        assert answer(answers[name]) == track.read_bytes(), name
    assert answer(answers["rest stream mp3"])[:3] in (b"ID3", b"\xff\xfb", b"\xff\xf3")


def test_a_library_file_replaced_by_a_link_to_the_secret_key_is_not_served(
    linked_song, listener, secret
):
    song, track = linked_song
    track.unlink()
    track.symlink_to(SECRET_KEY_FILE)  # after the import, someone with the library's disk

    answers = served(song, listener)

    for name, response in answers.items():
        assert secret.strip() not in answer(response), name
        if name.startswith("api"):
            assert response.status_code == 404, name
        else:
            assert subsonic_error(response) == 70, name


def test_a_library_folder_replaced_by_a_link_out_is_not_served(linked_song, listener, tmp_path):
    song, track = linked_song
    elsewhere = write_tone(tmp_path / "elsewhere" / "01 Song.flac", freq=479).parent
    album = track.parent
    for child in album.iterdir():
        child.unlink()
    album.rmdir()
    album.symlink_to(elsewhere, target_is_directory=True)

    answers = served(song, listener)

    assert answers["api audio"].status_code == 404
    assert subsonic_error(answers["rest download"]) == 70


def test_a_copied_file_replaced_by_a_link_out_of_the_media_folder_is_not_served(
    db, tmp_path, own_media, listener, secret
):
    upload = write_tone(tmp_path / "upload.flac", freq=487)
    batch = batch_create(source=UploadBatch.Source.WEB, catalogue=catalogue_get_or_create())
    song, _ = song_create_from_file(path=upload, original_name="upload.flac", batch=batch)
    song = ready(song)
    stored = Path(default_storage.path(song.audio.name))
    stored.unlink()
    stored.symlink_to(SECRET_KEY_FILE)

    answers = served(song, listener)

    assert answers["api audio"].status_code == 404
    assert subsonic_error(answers["rest download"]) == 70
    assert all(secret.strip() not in answer(r) for r in answers.values())


# -- FFmpeg opens only the file -------------------------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 - the standard library's name
        _Recorder.requests.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def web_server():
    """A local HTTP server that records every request it gets: the "network" a playlist names."""
    _Recorder.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def stored_song(db, tmp_path, own_media):
    """A ready song copied into the media folder, and a private recording stored beside it (as
    another song's file, or any file the server can read)."""
    batch = batch_create(source=UploadBatch.Source.WEB, catalogue=catalogue_get_or_create())
    song, _ = song_create_from_file(
        path=write_tone(tmp_path / "song.flac", freq=491), original_name="song.flac", batch=batch
    )
    stored = Path(default_storage.path(song.audio.name))
    write_tone(stored.parent / "private.mp3", freq=499, sample_rate=44100)
    write_tone(stored.parent / "private.flac", freq=499, sample_rate=44100)
    return ready(song), stored


def _playlist_as_song(song: Song, stored: Path, suffix: str, text: str) -> None:
    """The song's stored file becomes the playlist ``text`` (named with ``suffix``)."""
    playlist = stored.with_suffix(suffix)
    playlist.write_text(text)
    stored.unlink()
    Song.objects.filter(id=song.id).update(audio=str(Path(song.audio.name).with_suffix(suffix)))
    song.refresh_from_db()


def transcode_attempts(song: Song, listener) -> list:
    sid = str(song.id)
    return [
        call("stream", user=listener, id=sid, format="mp3", f="json"),
        call("stream", user=listener, id=sid, format="opus", f="json"),
        call("stream", user=listener, id=sid, timeOffset="1", f="json"),
    ]


def _is_audio_stream(response) -> bool:
    return response.streaming and len(answer(response)) > 1000


HLS = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:3.0,\n{uri}\n#EXT-X-ENDLIST\n"


@pytest.mark.parametrize(
    ("suffix", "text"),
    [
        (".m3u8", HLS.format(uri="private.mp3")),
        (".flac", "ffconcat version 1.0\nfile private.flac\n"),
        (".mp3", "ffconcat version 1.0\nfile 'private.flac'\nfile 'private.mp3'\n"),
    ],
    ids=["hls-local", "concat-flac", "concat-mp3"],
)
def test_a_stored_playlist_naming_a_local_file_is_not_followed(stored_song, listener, suffix, text):
    song, stored = stored_song
    _playlist_as_song(song, stored, suffix, text)

    for response in transcode_attempts(song, listener):
        assert not _is_audio_stream(response)


def test_a_stored_playlist_naming_a_url_is_not_fetched(stored_song, listener, web_server):
    song, stored = stored_song
    _playlist_as_song(song, stored, ".m3u8", HLS.format(uri=f"{web_server}/private.mp3"))

    for response in transcode_attempts(song, listener):
        assert not _is_audio_stream(response)
    assert _Recorder.requests == []


def test_real_audio_is_still_transcoded(stored_song, listener):
    song, _ = stored_song

    assert all(_is_audio_stream(r) for r in transcode_attempts(song, listener))
