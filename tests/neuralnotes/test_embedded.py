"""The embedded PostgreSQL runs with the platform's own settings, new or already there."""

import shutil
import subprocess
import sys

import psutil

from neuralnotes import embedded
from tests.processes import BASE_DIR

DATA_DIR = BASE_DIR / "var" / "test-embedded" / "pg"  # in var/: the server may run as pgserver

SHOW_CACHE = (
    "from neuralnotes import embedded; import pathlib, psycopg2, sys; "
    "url = embedded.start_postgres(pathlib.Path(sys.argv[1])); "
    "cursor = psycopg2.connect(url).cursor(); cursor.execute('SHOW shared_buffers'); "
    "print(cursor.fetchone()[0])"
)


def shared_buffers_of_a_start() -> str:
    """The cache of the server a fresh process starts (it stops when that process exits)."""
    done = subprocess.run(
        [sys.executable, "-c", SHOW_CACHE, DATA_DIR],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return done.stdout.strip()


def test_a_new_server_and_one_made_before_keep_a_quarter_of_the_memory_as_their_cache():
    shutil.rmtree(DATA_DIR.parent, ignore_errors=True)
    expected = f"{min(psutil.virtual_memory().total // 4 // 2**20, 8192)}MB"  # at most 8 GiB
    try:
        assert shared_buffers_of_a_start() == expected  # made now
        # One made by an earlier version, which knew no settings file: it gets it at its start.
        (DATA_DIR / embedded.SERVER_SETTINGS_FILE).unlink()
        config = DATA_DIR / "postgresql.conf"
        include = f"include_if_exists = '{embedded.SERVER_SETTINGS_FILE}'\n"
        config.write_text(config.read_text().replace(include, ""))
        assert shared_buffers_of_a_start() == expected
        assert config.read_text().count(include) == 1
        assert shared_buffers_of_a_start() == expected  # and the include is written once
        assert config.read_text().count(include) == 1
    finally:
        shutil.rmtree(DATA_DIR.parent, ignore_errors=True)
