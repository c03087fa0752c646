"""``make run``'s launcher, started for real: services up, address printed, Ctrl-C stops all."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import psutil
import pytest

from neuralnotes.launcher import LaunchError, ensure_port_free
from tests.processes import BASE_DIR

VAR_DIR = BASE_DIR / "var" / "test-launcher"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def launch(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "PORT": str(port),
        "NEURALNOTES_VAR_DIR": str(VAR_DIR),
        "DJANGO_SETTINGS_MODULE": "neuralnotes.settings.local",
        "LOAD_DEMO": "0",  # rendering it takes minutes; tests/songs/test_load_demo.py covers it
    }
    for name in ("DATABASE_URL", "REDIS_URL", "TEST_DATABASE_URL", "TEST_REDIS_URL"):
        env.pop(name, None)
    return subprocess.Popen(
        [sys.executable, "-m", "neuralnotes.launcher"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def read_until(process: subprocess.Popen, marker: str, timeout: float = 180) -> str:
    output = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        output.append(line)
        if marker in line:
            return "".join(output)
    raise AssertionError(f"{marker!r} never printed:\n{''.join(output)}")


def test_port_in_use_is_explained_in_one_sentence():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(LaunchError, match=rf"Port {port} on 127.0.0.1 is already in use"):
            ensure_port_free("127.0.0.1", port)


def test_launcher_refuses_a_taken_port_without_starting_anything():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        process = launch(taken.getsockname()[1])
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "is already in use" in output and "PORT=" in output
    assert "Starting the database" not in output


def command_lines(processes: list[psutil.Process]) -> str:
    """The command lines of the processes still running (one may exit while we look)."""
    lines = []
    for process in processes:
        try:
            lines.append(" ".join(process.cmdline()))
        except psutil.Error:
            continue
    return " ".join(lines)


def test_run_serves_the_platform_and_ctrl_c_stops_everything():
    # A database left by a killed run: its lock file names a process that no longer exists.
    start_and_stop = "from neuralnotes import embedded; import sys, pathlib; "
    start_and_stop += "embedded.start_postgres(pathlib.Path(sys.argv[1]))"
    subprocess.run([sys.executable, "-c", start_and_stop, VAR_DIR / "pg"], cwd=BASE_DIR, check=True)
    (VAR_DIR / "pg" / "postmaster.pid").write_text(f"999999\n{VAR_DIR / 'pg'}\n")
    port = free_port()
    process = launch(port)
    try:
        output = read_until(process, "Press Ctrl-C")
        assert f"Neural Notes is running at http://127.0.0.1:{port}/" in output
        assert "admin / " in output and "listener / " in output

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz?deep=1") as response:
            assert json.load(response)["status"] == "ok"
        children = psutil.Process(process.pid).children(recursive=True)
        assert "gunicorn" in command_lines(children) and "celery" in command_lines(children)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    assert process.returncode == 0
    alive = [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    assert not alive
    assert not (VAR_DIR / "pg" / "postmaster.pid").exists(), "the embedded database still runs"


def test_missing_npm_is_explained(tmp_path):
    # A PATH with make and a shell but no npm; -B makes the install step run even if done.
    for tool in ("make", "sh"):
        (tmp_path / tool).symlink_to(f"/usr/bin/{tool}")
    result = subprocess.run(
        ["make", "-B", "node_modules/.installed"],
        cwd=BASE_DIR,
        env={"PATH": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "npm is missing: install Node.js 18 or newer with npm" in result.stderr
