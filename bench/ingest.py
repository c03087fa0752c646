"""The whole ingestion pipeline against ml/ alone, on the same generated 4-minute songs.

    .venv/bin/python bench/ingest.py [--songs 30] [--concurrency N]

Prints figures; asserts nothing. Uses its own embedded PostgreSQL (var/bench-ingest) and Redis
database 14, and starts a real Celery worker with as many processes as `make run`'s (one per
core) unless --concurrency says otherwise. Measures:

- ml/ alone: songs per minute and realtime factor of analyse_file with the default patch budget,
  warm, in one process with every core's threads, and in as many processes as the worker has
  (the fair comparison: the same use of the cores, without Django, queue or database);
- the pipeline: a folder of the same files imported as `manage.py import_music` does (tags,
  validation, hashing, storage, database) while a warm worker analyses them, stores their
  vectors and places them on the map; wall time from the start of the import to the last song
  ready, with the files linked where they lie (import_music's default) and copied (--copy).
  Target: within 15% of ml/ alone;
- the worker's side alone (queue and database): the files imported and queued while the worker
  does not consume, then timed from the moment it does to the last song ready;
- the peak resident memory of the worker process that analyses a 20-minute track in full (every
  patch), and of all the worker's processes together. Target: under 1.5 GiB.
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


def _analyse_part(paths: list[Path], threads: int, budget: int | None, barrier) -> None:
    from ml.analysis import analyse_file, warm_up
    from ml.backbone import load_backbone, load_mtt_tagger

    models = {
        "backbone": load_backbone(intra_op_threads=threads),
        "tagger": load_mtt_tagger(intra_op_threads=threads),
        "patch_budget": budget,
    }
    warm_up(**models)
    barrier.wait()
    for path in paths:
        analyse_file(path, **models)


def ml_alone(paths: list[Path], processes: int) -> float:
    """Wall seconds for analyse_file on every path with the default policy, warm, in `processes`
    processes that share the cores' TensorFlow threads (no Django, no queue, no database)."""
    import multiprocessing

    from django.conf import settings

    threads = max(1, (os.cpu_count() or 1) // processes)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes + 1)
    parts = [
        context.Process(
            target=_analyse_part,
            args=(paths[i::processes], threads, settings.ANALYSIS_PATCH_BUDGET, barrier),
        )
        for i in range(processes)
    ]
    for part in parts:
        part.start()
    barrier.wait()
    started = time.perf_counter()
    for part in parts:
        part.join()
        if part.exitcode:
            raise RuntimeError("ml/ alone failed")
    return time.perf_counter() - started


def start_worker(concurrency: int = 1, extra_env: dict | None = None) -> subprocess.Popen:
    """A Celery worker of `concurrency` processes that share the cores' TensorFlow threads (the
    settings derive ANALYSIS_TF_THREADS from CELERY_CONCURRENCY, as for `make run`)."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "neuralnotes", "worker", "-l", "WARNING"],
        cwd=ROOT,
        env={**os.environ, "CELERY_CONCURRENCY": str(concurrency), **(extra_env or {})},
        start_new_session=True,
    )
    from neuralnotes.celery import app
    from neuralnotes.tasks import worker_database_check

    deadline = time.monotonic() + 120
    while not app.control.ping(timeout=1.0) and time.monotonic() < deadline:
        pass
    # Until every pool process has answered, so has loaded the model and warmed up
    # (worker_process_init), as a long-running worker has: that is not what this measures.
    answered = set()
    while len(answered) < concurrency and time.monotonic() < deadline:
        checks = [worker_database_check.delay() for _ in range(concurrency)]
        answered.update(check.get(timeout=120)["process"] for check in checks)
    return worker


def stop(worker: subprocess.Popen) -> None:
    worker.terminate()  # the main process: a warm shutdown that lets the pool finish its task
    worker.wait(60)


def worker_memory(process: psutil.Process) -> tuple[int, int]:
    """Resident memory of the worker: (all its processes together, the largest one alone)."""
    sizes = []
    for member in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            sizes.append(member.memory_info().rss)
    return sum(sizes), max(sizes)


def wait_until_done(count: int, worker: subprocess.Popen) -> tuple[int, int]:
    """Poll until `count` songs are ready or failed; return the worker's peak memory meanwhile
    (all processes, one process)."""
    from songs.models import Song

    peak_all = peak_one = 0
    root = psutil.Process(worker.pid)
    while Song.objects.filter(status__in=["ready", "failed"]).count() < count:
        together, largest = worker_memory(root)
        peak_all, peak_one = max(peak_all, together), max(peak_one, largest)
        time.sleep(0.05)
    return peak_all, peak_one


def fresh_database() -> None:
    """An empty catalogue: no songs, models or maps in the database, and no stored files (an
    import must copy every file, as a first import does)."""
    import shutil

    from django.conf import settings
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
    for stored in ("audio", "spectrograms"):
        shutil.rmtree(Path(settings.MEDIA_ROOT) / stored, ignore_errors=True)


def start_import(folder: Path, copy: bool) -> int:
    """Fork a child that does what `manage.py import_music FOLDER [--copy]` does (tags read,
    files hashed, linked where they lie or copied into storage, queued); return its pid.
    Forked, so that Python and Django are loaded already: a command's start-up is not what this
    measures."""
    from django.db import connections

    import ml.audio  # noqa: F401 - loaded before the fork, as a long import has it loaded
    from songs.models import UploadBatch
    from songs.services.folders import batch_add_folder
    from songs.services.ingestion import batch_create, catalogue_get_or_create

    connections.close_all()  # parent and child each open their own connection
    child = os.fork()
    if child:
        return child
    status = 1
    try:
        batch = batch_create(source=UploadBatch.Source.IMPORT, catalogue=catalogue_get_or_create())
        batch_add_folder(batch=batch, root=folder, in_place=not copy)
        status = 0
    finally:
        os._exit(status)


def pipeline(
    folder: Path, count: int, concurrency: int, copy: bool = False
) -> tuple[float, tuple[int, int], int]:
    from songs.models import Song

    worker = start_worker(concurrency)
    try:
        started = time.perf_counter()
        importer = start_import(folder, copy)
        peak = wait_until_done(count, worker)
        elapsed = time.perf_counter() - started
        _, status = os.waitpid(importer, 0)
        if os.waitstatus_to_exitcode(status):
            raise RuntimeError("the import failed")
    finally:
        stop(worker)
    return elapsed, peak, Song.objects.filter(status="failed").count()


def queue_and_database(paths: list[Path], concurrency: int) -> float:
    """The worker's side alone: every file imported and queued while the warm worker does not
    consume, then the wall time from the moment it does to the last song ready."""
    from neuralnotes.celery import app
    from songs.models import UploadBatch
    from songs.services.ingestion import batch_add_file, batch_create, catalogue_get_or_create

    worker = start_worker(concurrency)
    try:
        app.control.cancel_consumer("celery", reply=True)
        batch = batch_create(source=UploadBatch.Source.IMPORT, catalogue=catalogue_get_or_create())
        for path in paths:
            batch_add_file(batch=batch, path=path, original_name=path.name)
        started = time.perf_counter()
        app.control.add_consumer("celery", reply=True)
        wait_until_done(len(paths), worker)
        return time.perf_counter() - started
    finally:
        stop(worker)


def long_track_peak(path: Path, concurrency: int) -> tuple[int, int]:
    from songs.models import UploadBatch
    from songs.services.ingestion import batch_add_file, batch_create, catalogue_get_or_create

    worker = start_worker(concurrency, extra_env={"ANALYSIS_PATCH_BUDGET": "full"})
    try:
        batch = batch_create(source=UploadBatch.Source.IMPORT, catalogue=catalogue_get_or_create())
        batch_add_file(batch=batch, path=path, original_name=path.name)
        return wait_until_done(1, worker)
    finally:
        stop(worker)


def import_folder_of(paths: list[Path]) -> Path:
    """A folder holding exactly these files (hard links), as a music library to import."""
    folder = VAR / f"library-{len(paths)}"
    folder.mkdir(exist_ok=True)
    for path in paths:
        if not (folder / path.name).exists():
            os.link(path, folder / path.name)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--songs", type=int, default=30)
    parser.add_argument(
        "--concurrency",
        type=int,
        help="worker processes, sharing the cores' TensorFlow threads (default: the settings')",
    )
    args = parser.parse_args()
    import django

    from neuralnotes import embedded

    # The local settings only say where the embedded services are; this process starts them.
    embedded.start_local_services(var_dir=embedded.var_dir(), env=os.environ)
    django.setup()
    from django.conf import settings

    concurrency = args.concurrency or settings.CELERY_WORKER_CONCURRENCY

    paths = make_songs(VAR / "audio", args.songs, 240)
    audio_s = 240 * len(paths)
    print(f"{len(paths)} generated songs of 4 minutes (44.1 kHz stereo FLAC), "
          f"patch budget {settings.ANALYSIS_PATCH_BUDGET}")  # fmt: skip

    for processes in sorted({1, concurrency}):
        seconds = ml_alone(paths, processes)
        print(
            f"ml/ alone in {processes} process(es): {len(paths) / seconds * 60:6.1f} songs/min, "
            f"{audio_s / seconds:6.0f}x realtime"
        )
    alone = seconds  # the same number of processes as the worker: the fair comparison

    for copy in (False, True):
        fresh_database()
        elapsed, peak, failed = pipeline(import_folder_of(paths), len(paths), concurrency, copy)
        print(
            f"pipeline, {'files copied' if copy else 'files linked where they lie'} "
            f"({concurrency} worker process(es)): "
            f"{len(paths) / elapsed * 60:6.1f} songs/min, {audio_s / elapsed:6.0f}x realtime "
            f"({elapsed / alone:.2f}x the time of ml/ alone; {failed} failed); "
            f"worker peak {peak[0] / 2**20:.0f} MiB (largest process {peak[1] / 2**20:.0f} MiB)"
        )
    fresh_database()
    worker_side = queue_and_database(paths, concurrency)
    print(
        f"worker side: {len(paths) / worker_side * 60:6.1f} songs/min "
        f"({worker_side / alone:.2f}x the time of ml/ alone): files imported first, then queue, "
        "database, analysis, storage of results, map placement"
    )
    fresh_database()
    (long_path,) = make_songs(VAR / "audio-long", 1, 20 * 60)
    together, largest = long_track_peak(long_path, concurrency)
    print(
        f"worker peak on a 20-minute track, whole song analysed: the process analysing it "
        f"{largest / 2**20:.0f} MiB, all {concurrency} together {together / 2**20:.0f} MiB"
    )


if __name__ == "__main__":
    main()
