"""The import of a million songs, planned (issue 23): the hours it takes with N worker hosts, and
how many worker hosts the database and the broker can keep up with.

    .venv/bin/python bench/import_plan.py [--songs 3000] [--writers 2] [--rate 136]

Prints figures; asserts nothing. A worker host spends its time in the model: ``--rate`` songs a
minute on real music on a 2-core host (136, measured end to end through real workers;
ARCHITECTURE.md). What a song asks of the shared services is measured here without the model,
in an embedded PostgreSQL of its own (var/bench-import) over BASE songs with an active map
(bench/explorer.py's synthetic catalogue): ``--writers`` processes store ``--songs`` analysed
songs as workers do (the claim, then songs.services.analysis.song_store_analysis with a
synthetic analysis whose vectors lie around the catalogue's clusters), and a real Celery worker
runs the follow-ups they queue through the real broker (the song placed on the map, its
near-duplicates looked for, the map's file written again). The CPU seconds PostgreSQL and the
broker spend per song give the songs a minute a 2-core database host could take, and so the
number of worker hosts past which the database, not the hosts, would set the pace.
"""

import argparse
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import explorer as explorer_bench  # noqa: E402  (sets the environment it runs in)

os.environ["NEURALNOTES_VAR_DIR"] = str(ROOT / "var" / "bench-import")
BASE = 20_000
MILLION = 1_000_000
HOSTS = (1, 2, 4, 8, 16, 32, 64)


def cpu_seconds(process: psutil.Process) -> float:
    """CPU time of a process and of all it started, including children it has reaped (the
    PostgreSQL backends of connections that closed)."""
    total = 0.0
    for p in [process, *process.children(recursive=True)]:
        try:
            times = p.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


def services() -> dict[str, psutil.Process]:
    from neuralnotes import embedded

    data_dir = embedded.var_dir() / "pg"
    postmaster = int((data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
    found = {"PostgreSQL": psutil.Process(postmaster)}
    if embedded.local_redis_answers():
        for p in psutil.process_iter(["name"]):
            if p.info["name"] == "redis-server":
                found["broker (Redis)"] = p
    return found


def new_songs(n: int) -> list[int]:
    """``n`` songs waiting for analysis (their audio is the bench's tone: never decoded here)."""
    from songs.models import Song
    from songs.services.ingestion import catalogue_get_or_create

    catalogue = catalogue_get_or_create(name="bench")
    songs = Song.objects.bulk_create(
        Song(catalogue=catalogue, title=f"Imported {i}", artist=f"New artist {i % 300}",
             album=f"New album {i % 1000}", audio=explorer_bench.TONE, audio_format="WAV",
             duration_s=6.0, content_sha256=f"{10**9 + i:064x}", original_name=f"new-{i}.wav",
             size_bytes=1, status=Song.Status.PENDING)
        for i in range(n)
    )  # fmt: skip
    return [song.id for song in songs]


def store(ids: list[int], seed: int) -> None:
    """A writer: claim and store each song as a worker does once its analysis is done."""
    import django

    django.setup()
    from ml.analysis import SongAnalysis
    from songs.services.analysis import song_claim_for_analysis, song_store_analysis

    rng = np.random.default_rng(seed)
    vectors, _, _ = explorer_bench.synthetic_catalogue(len(ids), seed=0)
    for song_id, vector in zip(ids, vectors, strict=True):
        song = song_claim_for_analysis(song_id=song_id, worker=f"bench-{seed}")
        analysis = SongAnalysis(
            embedding=vector, msd_tag_probabilities=rng.uniform(0, 1, 50).astype(np.float32),
            mtt_tag_probabilities=rng.uniform(0, 1, 50).astype(np.float32),
            descriptor=rng.normal(0, 1, 800).astype(np.float32),
            thumbnail=rng.uniform(-80, 0, (96, 200)).astype(np.float32), duration_s=240.0,
            sample_rate=44100, channels=2, patches_analysed=10, patches_in_song=80,
            mfcc_stats=rng.normal(0, 1, 40).astype(np.float32),
        )  # fmt: skip
        song_store_analysis(song=song, analysis=analysis)


def followed_up(ids: list[int], timeout: float) -> bool:
    """Whether every stored song was placed on the map (the last follow-up of each) in time."""
    from explorer.models import MapPoint

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if MapPoint.objects.filter(song_id__in=ids).count() == len(ids):
            return True
        time.sleep(0.5)
    return False


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--songs", type=int, default=3000)
    parser.add_argument("--writers", type=int, default=2)
    parser.add_argument("--rate", type=float, default=136.0, help="songs a minute per host")
    args = parser.parse_args()
    import django

    from neuralnotes import embedded

    embedded.start_local_services(var_dir=embedded.var_dir(), env=os.environ)
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from songs.models import Song

    call_command("migrate", verbosity=0)
    # The songs an earlier run imported go first, so that the base catalogue is kept; then a
    # vacuum, so that no autovacuum of what they left behind runs while CPU time is measured.
    Song.objects.filter(title__startswith="Imported ").delete()
    explorer_bench.load_catalogue(BASE)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    ids = new_songs(args.songs)
    n = args.songs
    watched = services()

    # Phase 1: the writers store every song (their follow-ups wait in the broker's queues).
    before = {name: cpu_seconds(p) for name, p in watched.items()}
    mine = psutil.Process().cpu_times()
    children_before = mine.children_user + mine.children_system
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    parts = [ids[w :: args.writers] for w in range(args.writers)]
    writers = [context.Process(target=store, args=(part, w)) for w, part in enumerate(parts)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
        if writer.exitcode:
            raise SystemExit(f"a writer failed (exit code {writer.exitcode}): see above")
    # The writers have been reaped: their CPU time is this process's children's.
    mine = psutil.Process().cpu_times()
    writers_cpu = mine.children_user + mine.children_system - children_before
    used = {"storing": {name: cpu_seconds(p) - before[name] for name, p in watched.items()}}
    stored_s = time.perf_counter() - started

    # Phase 2: a real Celery worker runs the follow-ups queued (map, near-duplicates, file).
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "neuralnotes", "worker", "--pool", "solo",
         "-Q", "celery,health", "--loglevel", "WARNING", "--without-mingle", "--without-gossip"],
        cwd=ROOT,
    )  # fmt: skip
    try:
        before = {name: cpu_seconds(p) for name, p in watched.items()}
        worker_before = cpu_seconds(psutil.Process(worker.pid))
        started = time.perf_counter()
        done = followed_up(ids, timeout=600)
        followed_s = time.perf_counter() - started
        worker_cpu = cpu_seconds(psutil.Process(worker.pid)) - worker_before
        used["following up"] = {name: cpu_seconds(p) - before[name] for name, p in watched.items()}
    finally:
        worker.terminate()
        worker.wait(60)

    print(
        f"\n{n:,} songs stored by {args.writers} writers in {stored_s:.1f} s "
        f"({60 * n / stored_s:,.0f} a minute), then their follow-ups done by one Celery worker "
        f"in {followed_s:.1f} s{'' if done else ' (NOT all placed on the map in ten minutes)'}; "
        f"all on this machine's {os.cpu_count()} cores. CPU time per song:"
    )
    print(f"  storing: the writers {1000 * writers_cpu / n:.1f} ms (on the worker hosts)")
    print(f"  following up: the Celery worker {1000 * worker_cpu / n:.1f} ms (on the worker hosts)")
    for phase, spent in used.items():
        for name, seconds in spent.items():
            print(f"  {phase}: {name} {1000 * seconds / n:.1f} ms")
    database_ms = 1000 * sum(spent["PostgreSQL"] for spent in used.values()) / n
    capacity = 2 * 60_000 / database_ms  # songs a minute that two cores of PostgreSQL can take
    print(
        f"  a 2-core PostgreSQL host could take {capacity:,.0f} songs a minute: the database "
        f"sets the pace past {capacity / args.rate:,.0f} worker hosts at {args.rate:.0f} songs a "
        "minute each"
    )
    broker = sum(spent.get("broker (Redis)", 0.0) for spent in used.values())
    if broker:
        broker_capacity = 60_000 / (1000 * broker / n)  # Redis runs commands on one core
        print(
            f"  the broker (one core) could take {broker_capacity:,.0f} songs a minute: "
            f"{broker_capacity / args.rate:,.0f} worker hosts"
        )
    print(f"\na million songs at {args.rate:.0f} songs a minute per worker host:")
    for hosts in HOSTS:
        rate = min(hosts * args.rate, capacity)
        limit = "  (the database's pace)" if hosts * args.rate > capacity else ""
        print(f"  {hosts:>3} hosts: {MILLION / rate / 60:6.1f} hours{limit}")


if __name__ == "__main__":
    main()
