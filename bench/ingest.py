"""The whole ingestion pipeline against ml/ alone, on the same generated 4-minute songs.

    .venv/bin/python bench/ingest.py [--songs 30]

Prints figures; asserts nothing. Uses its own embedded PostgreSQL (var/bench-ingest) and Redis
database 14, and starts a real Celery worker (one process, as `make run` does). Measures:

- ml/ alone: songs per minute and realtime factor of analyse_file with the default patch budget,
  in one warm process;
- the pipeline: the same files imported through the import service (validation, hashing,
  storage, database), queued, analysed by the worker, stored with their vectors, placed on the
  map; wall time from the first file to the last song ready. Target: within 15% of ml/ alone;
- the worker's side alone (queue and database): the files imported first, then timed from the
  worker's start to the last song ready;
- the worker's peak resident memory (all its processes) while it analyses a 20-minute track in
  full (every patch). Target: under 1.5 GiB.
"""

import argparse
import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench-ingest"
sys.path.insert(0, str(ROOT))
os.environ["NEURALNOTES_VAR_DIR"] = str(VAR)
os.environ["DJANGO_SETTINGS_MODULE"] = "neuralnotes.settings.local"
os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/14"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def make_songs(folder: Path, count: int, seconds: float) -> list[Path]:
    from bench.embed import synthetic_song, write

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"song-{int(seconds)}s-{i:03d}.flac"
        if not path.exists():
            write(path, synthetic_song(seconds, seed=1000 + i))
        paths.append(path)
    return paths


def ml_alone(paths: list[Path]) -> float:
    """Wall seconds for analyse_file on every path, warm, default policy."""
    from django.conf import settings

    from ml.analysis import analyse_file
    from songs.services.analysis import worker_backbone

    backbone = worker_backbone()
    analyse_file(paths[0], backbone=backbone, patch_budget=settings.ANALYSIS_PATCH_BUDGET)  # warm
    started = time.perf_counter()
    for path in paths:
        analyse_file(path, backbone=backbone, patch_budget=settings.ANALYSIS_PATCH_BUDGET)
    return time.perf_counter() - started


def start_worker(extra_env: dict | None = None) -> subprocess.Popen:
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "neuralnotes", "worker", "-c", "1", "-l", "WARNING"],
        cwd=ROOT,
        env={**os.environ, **(extra_env or {})},
        start_new_session=True,
    )
    from neuralnotes.celery import app
    from neuralnotes.tasks import worker_database_check

    deadline = time.monotonic() + 120
    while not app.control.ping(timeout=1.0) and time.monotonic() < deadline:
        pass
    # A task answered by the pool process: it has loaded the model (worker_process_init), as a
    # long-running worker has. Its warm-up is not what this benchmark measures.
    worker_database_check.delay().get(timeout=120)
    return worker


def stop(worker: subprocess.Popen) -> None:
    worker.terminate()  # the main process: a warm shutdown that lets the pool finish its task
    worker.wait(60)


def tree_rss(process: psutil.Process) -> int:
    total = 0
    for member in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += member.memory_info().rss
    return total


def wait_until_done(song_ids: list[int], worker: subprocess.Popen) -> int:
    """Poll until every song is ready or failed; return the worker's peak RSS meanwhile."""
    from songs.models import Song

    peak = 0
    root = psutil.Process(worker.pid)
    while Song.objects.filter(id__in=song_ids).exclude(status__in=["ready", "failed"]).exists():
        peak = max(peak, tree_rss(root))
        time.sleep(0.2)
    return peak


def fresh_database() -> None:
    from django.core.management import call_command

    from explorer.models import MapVersion
    from neuralnotes.celery import app
    from songs.models import EmbeddingModel, Song, UploadBatch

    call_command("migrate", verbosity=0)
    app.control.purge()
    MapVersion.objects.all().delete()
    Song.objects.all().delete()
    UploadBatch.objects.all().delete()
    EmbeddingModel.objects.all().delete()


def pipeline(paths: list[Path]) -> tuple[float, int, int]:
    from songs.models import Song, UploadBatch
    from songs.services.ingestion import batch_add_file, batch_create, catalogue_get_or_create

    worker = start_worker()
    try:
        batch = batch_create(source=UploadBatch.Source.IMPORT, catalogue=catalogue_get_or_create())
        started = time.perf_counter()
        ids = [batch_add_file(batch=batch, path=p, original_name=p.name).song.id for p in paths]
        peak = wait_until_done(ids, worker)
        elapsed = time.perf_counter() - started
    finally:
        stop(worker)
    failed = Song.objects.filter(id__in=ids, status="failed").count()
    return elapsed, peak, failed


def queue_and_database(paths: list[Path]) -> float:
    """The worker's side alone: every file imported and queued first, then the wall time from the
    warm worker's start to the last song ready."""
    from songs.models import UploadBatch
    from songs.services.ingestion import batch_add_file, batch_create, catalogue_get_or_create

    batch = batch_create(source=UploadBatch.Source.IMPORT, catalogue=catalogue_get_or_create())
    ids = [batch_add_file(batch=batch, path=p, original_name=p.name).song.id for p in paths]
    worker = start_worker()
    try:
        started = time.perf_counter()
        wait_until_done(ids, worker)
        return time.perf_counter() - started
    finally:
        stop(worker)


def long_track_peak(path: Path) -> int:
    from songs.models import UploadBatch
    from songs.services.ingestion import batch_add_file, batch_create, catalogue_get_or_create

    worker = start_worker({"ANALYSIS_PATCH_BUDGET": "full"})
    try:
        batch = batch_create(source=UploadBatch.Source.IMPORT, catalogue=catalogue_get_or_create())
        song = batch_add_file(batch=batch, path=path, original_name=path.name).song
        return wait_until_done([song.id], worker)
    finally:
        stop(worker)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--songs", type=int, default=30)
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings

    paths = make_songs(VAR / "audio", args.songs, 240)
    audio_s = 240 * len(paths)
    print(f"{len(paths)} generated songs of 4 minutes (44.1 kHz stereo FLAC), "
          f"patch budget {settings.ANALYSIS_PATCH_BUDGET}")  # fmt: skip

    alone = ml_alone(paths)
    print(f"ml/ alone: {len(paths) / alone * 60:6.1f} songs/min, {audio_s / alone:6.0f}x realtime")

    fresh_database()
    elapsed, peak, failed = pipeline(paths)
    print(
        f"pipeline:  {len(paths) / elapsed * 60:6.1f} songs/min, "
        f"{audio_s / elapsed:6.0f}x realtime "
        f"({elapsed / alone:.2f}x the time of ml/ alone; {failed} failed); "
        f"worker peak {peak / 2**20:.0f} MiB"
    )
    fresh_database()
    worker_side = queue_and_database(paths)
    print(
        f"worker side: {len(paths) / worker_side * 60:6.1f} songs/min "
        f"({worker_side / alone:.2f}x the time of ml/ alone): files imported first, then queue, "
        "database, analysis, storage of results, map placement"
    )
    (long_path,) = make_songs(VAR / "audio-long", 1, 20 * 60)
    peak = long_track_peak(long_path)
    print(f"worker peak on a 20-minute track, whole song analysed: {peak / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
