"""Running code in a separate Python process, for behaviour fixed when a process starts."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent


def run_django(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh Python with Django set up on the test settings and ``env`` added:
    for behaviour that depends on settings read at start-up (service addresses, secrets)."""
    prelude = "import django; django.setup()\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + code],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "neuralnotes.settings.test", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def session_database_url() -> str:
    """The URL of the test database this session created, for a worker in another process."""
    from django.db import connection

    params = connection.settings_dict
    host = params["HOST"] or params["OPTIONS"].get("host", "")
    return f"postgres://{params['USER']}@{quote(host, safe='')}/{params['NAME']}"
