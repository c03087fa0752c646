"""The production processes, one per command, each configured from the environment:

    python -m neuralnotes.serve web      gunicorn (neuralnotes.gunicorn_conf)
    python -m neuralnotes.serve worker   a Celery worker of both queues
    python -m neuralnotes.serve beat     Celery beat: exactly one per installation

Run as many web and worker processes, on as many hosts, as the catalogue needs; README.md
("Deploying") lists the environment. ``make run`` is the single-machine development stack instead.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def command_for(role: str, env: dict[str, str]) -> list[str]:
    """The command line of ``role``; concurrency, prefetch and time limits come from the settings
    (CELERY_CONCURRENCY, CELERY_PREFETCH_MULTIPLIER, CELERY_TASK_TIME_LIMIT_S …)."""
    python = sys.executable
    celery = [python, "-m", "celery", "-A", "neuralnotes"]
    log_level = env.get("LOG_LEVEL", "INFO")
    if role == "web":
        return [
            python, "-m", "gunicorn", "-c", "python:neuralnotes.gunicorn_conf",
            "neuralnotes.wsgi:application",
        ]  # fmt: skip
    if role == "worker":
        # The node name is what the sweep pings: unique per host (and per worker on a host).
        name = env.get("CELERY_WORKER_NAME", "celery@%h")
        return [*celery, "worker", "-n", name, "-Q", "celery,health", "-l", log_level]
    if role == "beat":
        var_dir = Path(env.get("NEURALNOTES_VAR_DIR", "var"))
        schedule = env.get("CELERY_BEAT_SCHEDULE_FILE", str(var_dir / "celerybeat-schedule"))
        return [*celery, "beat", "-s", schedule, "-l", log_level]
    raise SystemExit(f"Unknown role {role!r}: web, worker or beat.")


def main(argv: list[str]) -> None:
    if len(argv) != 2:
        raise SystemExit(__doc__)
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "neuralnotes.settings.production")
    command = command_for(argv[1], env)
    os.execve(command[0], command, env)


if __name__ == "__main__":
    main(sys.argv)
