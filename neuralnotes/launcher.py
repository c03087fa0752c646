"""``make run``: the whole platform on one machine, in the foreground, until Ctrl-C.

Starts (or reuses) the database and the broker, prepares the database, then runs a Celery worker
and a gunicorn web server as children, waits until a task has made the round trip through the
worker, and prints the address. Ctrl-C, SIGTERM or a child that dies stops everything: the children
get SIGTERM (and SIGKILL if they linger); the embedded database stops when this process exits.
Children also receive SIGTERM if this process is killed outright, so no server is left orphaned.
"""

from __future__ import annotations

import ctypes
import errno
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from neuralnotes import embedded
from neuralnotes.settings.environment import env_bool, env_int, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT_S = 120
STOP_TIMEOUT_S = 20


class LaunchError(Exception):
    """Something the user must fix before the platform can start; the message says how."""


def _die_with_parent() -> None:
    # Runs in the child between fork and exec: ask the kernel for SIGTERM when the launcher dies.
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def ensure_port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise LaunchError(
                    f"Port {port} on {host} is already in use: stop the program using it "
                    f"(`ss -ltnp 'sport = :{port}'` shows which) or run `PORT={port + 1} make run`."
                ) from exc
            raise LaunchError(f"Cannot listen on {host}:{port}: {exc.strerror}.") from exc


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise LaunchError(f"`manage.py {' '.join(args)}` failed:\n{result.stderr.strip()}")
    return result.stdout


class Children:
    """The long-running child processes, each logging to ``var/log/<name>.log``."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.processes: dict[str, subprocess.Popen] = {}
        log_dir.mkdir(parents=True, exist_ok=True)

    def start(self, name: str, command: list[str]) -> None:
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - kept open for the child
        self.processes[name] = subprocess.Popen(
            command,
            env=self.env,
            cwd=BASE_DIR,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches only us; we stop children in order
            preexec_fn=_die_with_parent,
        )

    def first_dead(self) -> str | None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                return name
        return None

    def log_tail(self, name: str, lines: int = 15) -> str:
        text = (self.log_dir / f"{name}.log").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for process in self.processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_until_healthy(url: str, children: Children, *, token: str) -> None:
    """Until ``url`` (``/readyz?deep=1``) answers 200 to the monitor's ``token``."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    last = "no answer yet"
    while time.monotonic() < deadline:
        dead = children.first_dead()
        if dead:
            raise LaunchError(
                f"The {dead} process exited while starting:\n{children.log_tail(dead)}"
            )
        try:
            with urllib.request.urlopen(request, timeout=10):
                return
        except urllib.error.HTTPError as exc:
            last = exc.read().decode(errors="replace")
        except OSError as exc:
            last = str(exc)
        time.sleep(0.5)
    raise LaunchError(f"The platform did not become healthy in {STARTUP_TIMEOUT_S} s: {last}")


def services_env(var_dir: Path) -> dict[str, str]:
    """The children's environment, with the embedded services this process started (they live as
    long as it does) unless DATABASE_URL and REDIS_URL name others."""
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "neuralnotes.settings.local")
    embedded.start_local_services(var_dir=var_dir, env=env)
    return env


def run(host: str, port: int) -> None:
    ensure_port_free(host, port)
    var_dir = embedded.var_dir()
    print("Starting the database and the broker …", flush=True)
    env = services_env(var_dir)
    # /readyz runs its deep check (a task through the worker) only for staff or this token.
    env.setdefault("METRICS_TOKEN", secrets.token_urlsafe(32))
    print("Preparing the database …", flush=True)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    accounts = manage(env, "ensure_demo_accounts")
    if env_bool("LOAD_DEMO", True):
        print("Loading the demo catalogue if the database is empty (the first time: minutes) …")
        print(manage(env, "load_demo", "--if-empty").strip().splitlines()[-1], flush=True)

    children = Children(env, var_dir / "log")
    try:
        celery = [sys.executable, "-m", "celery", "-A", "neuralnotes"]
        # -B: the same process runs the periodic sweep that re-queues lost songs. Its processes:
        # CELERY_CONCURRENCY (settings).
        beat_schedule = str(var_dir / "celerybeat-schedule")
        worker = [*celery, "worker", "-B", "-s", beat_schedule, "-l", "INFO"]
        children.start("worker", worker)
        children.start(
            "web",
            [
                sys.executable, "-m", "gunicorn", "neuralnotes.wsgi:application",
                "--bind", f"{host}:{port}",
                "--workers", str(env_int("WEB_CONCURRENCY", 2, minimum=1)),
                "--timeout", "120",
                "--logger-class", "neuralnotes.gunicorn_logging.RedactingLogger",
            ],
        )  # fmt: skip
        probe_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        wait_until_healthy(
            f"http://{probe_host}:{port}/readyz?deep=1", children, token=env["METRICS_TOKEN"]
        )
        print(
            f"\nNeural Notes is running at http://{probe_host}:{port}/\n"
            f"Sign in with one of these accounts:\n{accounts.rstrip()}\n"
            f"Music apps (Subsonic / OpenSubsonic) connect to the same address with an API key or\n"
            f"an app password from http://{probe_host}:{port}/accounts/.\n"
            f"Logs are in {var_dir / 'log'}. Press Ctrl-C to stop everything.",
            flush=True,
        )
        while (dead := children.first_dead()) is None:
            time.sleep(1)
        raise LaunchError(f"The {dead} process exited:\n{children.log_tail(dead)}")
    finally:
        print("Stopping …", flush=True)
        children.stop()


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    # SIGINT too: a shell that starts a job in the background makes it ignore Ctrl-C's signal.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _exit_on_signal)
    try:
        run(env_str("HOST", "127.0.0.1"), env_int("PORT", 8000, minimum=1, maximum=65535))
    except KeyboardInterrupt:
        return 0
    except (LaunchError, embedded.EmbeddedServiceError, ImproperlyConfigured) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
