"""Backup and restore on the real embedded PostgreSQL: an installation backed up, restored into a
second, empty database and media folder, and compared row by row and byte by byte.

The backup reads committed data through its own connections (pg_dump and the snapshot), hence
transactional_db wherever it runs.
"""

import json
import secrets
import uuid
from io import StringIO
from pathlib import Path

import numpy as np
import psycopg2
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from explorer.models import MapPoint
from explorer.services import map_build
from neuralnotes.backup import FORMAT_VERSION
from playlists.services import playlist_create
from songs.models import BackboneEmbedding, EmbeddingModel, Song
from songs.services.ingestion import catalogue_get_or_create
from tests.conftest import PASSWORD
from tests.factories import make_embedded_songs
from tests.processes import run_django, session_database_url

# What must come back, read with SQL from both databases. Vectors as pgvector's text: equal text,
# equal float32 values.
COMPARED = {
    "users": "SELECT username, password, is_staff FROM auth_user ORDER BY username",
    "songs": "SELECT id, title, audio, spectrogram, content_sha256, features::text "
    "FROM songs_song ORDER BY id",
    "embedding models": "SELECT id, name, kind, is_active, weights FROM songs_embeddingmodel "
    "ORDER BY id",
    "embeddings": "SELECT song_id, model_id, vector::text FROM songs_backboneembedding "
    "ORDER BY song_id, model_id",
    "map": "SELECT v.is_active, p.song_id, p.x, p.y, p.z FROM explorer_mappoint p "
    "JOIN explorer_mapversion v ON v.id = p.map_id ORDER BY p.song_id",
    "playlists": "SELECT u.username, p.name, e.position, e.song_id FROM playlists_playlist p "
    "JOIN auth_user u ON u.id = p.owner_id JOIN playlists_playlistentry e "
    "ON e.playlist_id = p.id ORDER BY e.position",
}


def database_url(name: str) -> str:
    """The URL of database ``name`` on the test session's server."""
    return session_database_url().rsplit("/", 1)[0] + "/" + name


@pytest.fixture
def empty_database():
    """A new database with nothing in it on the same server; dropped afterwards."""
    name = f"restore_{uuid.uuid4().hex[:12]}"
    server = psycopg2.connect(database_url("postgres"))
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with server.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.close()


def run_on(name: str, var_dir: Path, code: str):
    """Run ``code`` in a Django process whose database is ``name`` and whose media folder is
    ``var_dir``/test-media: another installation on the same servers."""
    done = run_django(
        code,
        TEST_DATABASE_URL=database_url(name),
        NEURALNOTES_VAR_DIR=str(var_dir),
        TEST_REDIS_URL=settings.REDIS_URL,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def rows_of(cursor) -> dict[str, list[tuple]]:
    rows = {}
    for what, query in COMPARED.items():
        cursor.execute(query)
        rows[what] = [tuple(row) for row in cursor.fetchall()]
    return rows


def make_installation() -> dict[str, bytes]:
    """Two accounts, three analysed songs with vectors and a map (and its file), two of them
    with stored audio and a spectrogram, a listener's playlist, and a genre head's weights file.
    Returns the stored files' bytes by name."""
    lena = User.objects.create_user("lena", password=PASSWORD)
    User.objects.create_superuser("ada", password=PASSWORD)
    songs = make_embedded_songs(per_genre=1, unlabelled=0)
    stored = []
    for song in songs[:2]:
        digest = song.content_sha256
        audio = default_storage.save(
            f"audio/{digest[:2]}/{digest}.wav", ContentFile(secrets.token_bytes(150_000))
        )
        picture = default_storage.save(
            f"spectrograms/{digest[:2]}/{digest}.png", ContentFile(secrets.token_bytes(3_000))
        )
        Song.objects.filter(id=song.id).update(audio=audio, spectrogram=picture)
        stored += [audio, picture]
    weights = default_storage.save("models/head-1.keras", ContentFile(secrets.token_bytes(5_000)))
    EmbeddingModel.objects.create(
        kind=EmbeddingModel.Kind.GENRE_HEAD,
        name="head-1",
        feature_mean=[0.0],
        feature_std=[1.0],
        weights=weights,
    )
    stored.append(weights)
    stored.append(map_build(seed=0).points_file.name)  # the map's points, as served
    playlist_create(owner=lena, name="Road trip", songs=[songs[2], songs[0]])
    assert MapPoint.objects.count() == 3
    return {name: default_storage.open(name, "rb").read() for name in stored}


@pytest.mark.parametrize("target", ["new", "migrated"])
def test_a_backup_restores_everything_into_an_empty_installation(
    transactional_db, django_db_serialized_rollback, settings, tmp_path, empty_database, target
):
    settings.MEDIA_ROOT = tmp_path / "media"
    files = make_installation()
    with connection.cursor() as cursor:
        before = rows_of(cursor)
    assert all(before.values())
    vectors = {e.song_id: np.asarray(e.vector) for e in BackboneEmbedding.objects.all()}

    out = StringIO()
    call_command("backup", str(tmp_path / "backup"), stdout=out)
    assert "3 songs" in out.getvalue() and "database" in out.getvalue()
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["format"] == FORMAT_VERSION
    assert manifest["files"] == len(files) and manifest["missing_files"] == []
    assert manifest["bytes"] == sum(len(data) for data in files.values())
    assert manifest["row_counts"] == {
        "users": 2,
        "songs": 3,
        "embeddings": 3,
        "map_points": 3,
        "playlists": 1,
        "playlist_entries": 2,
    }

    restored = tmp_path / "restored"
    if target == "migrated":
        run_on(
            empty_database,
            restored,
            "from django.core.management import call_command; call_command('migrate', verbosity=0)",
        )
    done = run_on(
        empty_database,
        restored,
        f"""
import json
from django.core.management import call_command
from pgvector.django import CosineDistance
from songs.models import BackboneEmbedding

call_command("restore", {str(tmp_path / "backup")!r})
# The same process goes on with the restored database, as a server started afterwards would.
first = BackboneEmbedding.objects.order_by("song_id").first()
nearest = BackboneEmbedding.objects.order_by(CosineDistance("vector", first.vector)).first()
vectors = {{e.song_id: [float(x) for x in e.vector] for e in BackboneEmbedding.objects.all()}}
print(json.dumps({{"vectors": vectors, "first": first.song_id, "nearest": nearest.song_id}}))
""",
    )
    assert "Restored 2 users, 3 songs, 3 embeddings" in done.stdout
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["nearest"] == answer["first"]
    assert {int(k): v for k, v in answer["vectors"].items()}.keys() == vectors.keys()
    for song_id, vector in answer["vectors"].items():
        assert np.array_equal(np.asarray(vector, np.float32), vectors[int(song_id)])

    with psycopg2.connect(database_url(empty_database)) as other, other.cursor() as cursor:
        assert rows_of(cursor) == before
        cursor.execute("SELECT count(*) FROM pg_extension WHERE extname = 'vector'")
        assert cursor.fetchone()[0] == 1
    other.close()
    media = restored / "test-media"
    assert {p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()} == set(files)
    for name, data in files.items():
        assert (media / name).read_bytes() == data


def test_a_file_missing_from_storage_is_reported_not_fatal(
    transactional_db, django_db_serialized_rollback, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    catalogue = catalogue_get_or_create()
    kept = default_storage.save("audio/aa/kept.wav", ContentFile(b"RIFF and the rest"))
    for title, audio in (("kept", kept), ("gone", "audio/bb/gone.wav")):
        Song.objects.create(
            catalogue=catalogue,
            title=title,
            audio=audio,
            original_name=f"{title}.wav",
            content_sha256=secrets.token_hex(32),
            size_bytes=1,
        )

    err = StringIO()
    call_command("backup", str(tmp_path / "backup"), stdout=StringIO(), stderr=err)

    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["missing_files"] == ["audio/bb/gone.wav"]
    assert manifest["files"] == 1 and manifest["row_counts"]["songs"] == 2
    assert "audio/bb/gone.wav" in err.getvalue()
    assert (tmp_path / "backup" / "media" / kept).read_bytes() == b"RIFF and the rest"


def test_backup_refuses_a_folder_that_holds_something(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path))
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_restore_refuses_an_installation_with_users(listener, tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"format": FORMAT_VERSION}))
    (tmp_path / "database.dump").write_bytes(b"")
    with pytest.raises(CommandError, match="already has users"):
        call_command("restore", str(tmp_path))
    assert User.objects.filter(username="lena").exists()


def test_restore_refuses_a_folder_that_is_not_a_finished_backup(db, tmp_path):
    (tmp_path / "database.dump").write_bytes(b"")
    with pytest.raises(CommandError, match="not a finished backup"):
        call_command("restore", str(tmp_path))
