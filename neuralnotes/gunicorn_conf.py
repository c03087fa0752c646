"""gunicorn's settings for the web process, from the environment (README, "Deploying").

Used by ``python -m neuralnotes.serve web``: ``gunicorn -c python:neuralnotes.gunicorn_conf``.
"""

import os
import shutil
import tempfile

from neuralnotes.settings.environment import env_int, env_str

bind = env_str("BIND", "0.0.0.0:8000")
# Sync workers: each request holds one process; a query is milliseconds, an upload is the slow
# case and is bounded by UPLOAD_MAX_BYTES.
workers = env_int("WEB_CONCURRENCY", 2, minimum=1)
timeout = env_int("WEB_TIMEOUT_S", 120, minimum=1)
graceful_timeout = 30
# Requests are logged by neuralnotes.structured_logging, one JSON line each.
accesslog = None
# Should an access log be turned on (--access-logfile), its request lines and headers, and the
# error log's URIs, carry no credentials: queries and Authorization/Cookie values are redacted.
logger_class = "neuralnotes.gunicorn_logging.RedactingLogger"
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# /metrics adds up what every worker process counted (prometheus_client's multiprocess mode):
# each process writes its counters to files in this folder, which starts empty.
# It must be set before anything imports prometheus_client, which reads it once.
_made_metrics_dir = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _made_metrics_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="neuralnotes-metrics-")
_metrics_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"]


def on_starting(server) -> None:
    for entry in os.listdir(_metrics_dir):
        path = os.path.join(_metrics_dir, entry)
        shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)


def child_exit(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server) -> None:
    if _made_metrics_dir:
        shutil.rmtree(_metrics_dir, ignore_errors=True)
