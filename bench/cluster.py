"""Scale-out figures on separate hosts (tests/cluster/harness.py: network namespaces, needs root).

    .venv/bin/python bench/cluster.py [--songs-per-style 5]

Prints figures; asserts nothing. With the production defaults (10 patches per song, one Celery
process per worker host, one TensorFlow thread each), on the demo catalogue:

1. songs per minute with one worker host, and the CPU it used;
2. the same with two worker hosts (on a 2-core machine the second host competes for the same
   cores: the CPU each used is printed);
3. a worker host killed (SIGKILL, every process) in the middle of a demo batch: the time from its
   death to its songs being taken over, songs lost (must be 0) and results written twice (must
   be 0);
4. `manage.py backup` of the whole installation (database and object storage), and
   `manage.py restore` of it into an empty installation (a new database and a new bucket), with
   the rows compared afterwards.

Each phase imports a different seed of the demo catalogue (`manage.py load_demo` on the web host,
the audio going to object storage), so no song is analysed twice.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.cluster.harness import BUCKET, Cluster, netns_available  # noqa: E402

COMPARED_TABLES = [
    "auth_user",
    "songs_song",
    "songs_backboneembedding",
    "songs_tagvector",
    "explorer_mapversion",
    "explorer_mappoint",
    "playlists_playlist",
    "playlists_playlistentry",
]


def sql(dsn: str, query: str) -> list[tuple]:
    conn = psycopg2.connect(dsn, connect_timeout=5)
    try:
        with conn.cursor() as cursor:
            cursor.execute(query)
            return cursor.fetchall()
    finally:
        conn.close()


def load_demo(cluster: Cluster, *, seed: int, songs_per_style: int) -> tuple[set[int], float]:
    """Import a demo seed; its song ids and when the import command ended (monotonic)."""
    before = set(cluster.songs())
    cluster.manage("load_demo", "--seed", str(seed), "--songs-per-style", str(songs_per_style))
    return set(cluster.songs()) - before, time.monotonic()


def throughput(cluster: Cluster, label: str, *, seed: int, songs_per_style: int) -> None:
    cpu_before = cluster.worker_cpu_seconds()
    song_ids, _ = load_demo(cluster, seed=seed, songs_per_style=songs_per_style)
    songs = cluster.wait_until_settled(song_ids, timeout=1800)
    cpu_after = cluster.worker_cpu_seconds()
    ids = ",".join(map(str, song_ids))
    ((first, last),) = sql(
        cluster.database_dsn,
        "SELECT extract(epoch FROM min(processing_started_at)),"
        f" extract(epoch FROM max(analysed_at)) FROM songs_song WHERE id IN ({ids})",
    )
    window = float(last) - float(first)
    states = Counter(s["status"] for s in songs.values())
    print(
        f"{label}: {len(song_ids)} demo songs in {window:.1f} s = "
        f"{len(song_ids) / window * 60:.1f} songs/min ({dict(states)})"
    )
    for name in cpu_after:
        used = cpu_after[name] - cpu_before.get(name, 0.0)
        if used > 0.5:
            print(f"  {name}: {used:.1f} CPU s = {used / window:.2f} cores busy on average")


def takeover(cluster: Cluster, *, seed: int, songs_per_style: int) -> None:
    before = set(cluster.songs())
    # The import runs on the web host; watch for worker1's first song while it does.
    web = cluster.hosts["web"]
    importing = subprocess.Popen(
        ["ip", "netns", "exec", web.namespace, sys.executable, "manage.py", "load_demo",
         "--seed", str(seed), "--songs-per-style", str(songs_per_style)],
        cwd=ROOT, env=cluster.django_env(web), stdout=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 900
    in_flight: set[int] = set()
    while time.monotonic() < deadline and not in_flight:
        in_flight = {
            i
            for i, s in cluster.songs().items()
            if i not in before
            and s["status"] == "processing"
            and s["claimed_by"] == "celery@worker1"
        }
        time.sleep(0.05)
    time.sleep(0.3)  # well into the song's analysis
    cluster.hosts["worker1"].kill()
    killed_at = time.monotonic()
    songs = cluster.songs()
    in_flight = {i for i in in_flight if songs[i]["claimed_by"] == "celery@worker1"}
    while any(cluster.songs()[i]["claimed_by"] == "celery@worker1" for i in in_flight):
        time.sleep(0.1)
    taken_over_s = time.monotonic() - killed_at
    importing.wait()
    song_ids = set(cluster.songs()) - before
    songs = cluster.wait_until_settled(song_ids, timeout=1800)
    writes = cluster.analysed_writes()
    lost = sum(1 for s in songs.values() if s["status"] != "ready")
    twice = sum(1 for i in song_ids if writes[i] > 1)
    never = sum(1 for i in song_ids if writes[i] == 0)
    print(
        f"worker host killed mid-analysis ({len(in_flight)} song(s) in flight, sweep every 5 s): "
        f"taken over {taken_over_s:.1f} s after its death; of {len(song_ids)} songs "
        f"{lost} lost, {twice} written twice, {never} never written"
    )


def backup_and_restore(cluster: Cluster) -> None:
    # Some listener data to carry over: two listeners and a playlist.
    cluster.manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import User\n"
        "for name in ('lena', 'otto'): User.objects.create_user(name, password='bench-listener')",
    )
    some = sorted(cluster.songs())[:5]
    cluster.api("POST", "/api/v1/playlists/", json={"name": "Bench", "songs": some})
    folder = Path(tempfile.mkdtemp(prefix="nn-backup-", dir=cluster.root)) / "backup"
    started = time.monotonic()
    out = cluster.manage("backup", str(folder))
    print(f"backup: {time.monotonic() - started:.1f} s wall; {out.strip().splitlines()[-1]}")

    restored_dsn = cluster.database_dsn.replace("/neuralnotes", "/restored")
    conn = psycopg2.connect(cluster.database_dsn.replace("/neuralnotes", "/postgres"))
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("CREATE DATABASE restored")
    conn.close()
    cluster.s3().create_bucket(Bucket="restored-media")
    web = cluster.hosts["web"]
    env = cluster.django_env(
        web, DATABASE_URL=restored_dsn, AWS_STORAGE_BUCKET_NAME="restored-media"
    )
    started = time.monotonic()
    out = web.run([sys.executable, "manage.py", "restore", str(folder)], env=env)
    print(f"restore: {time.monotonic() - started:.1f} s wall; {out.strip().splitlines()[-1]}")

    for table in COMPARED_TABLES:
        query = f"SELECT count(*) FROM {table}"
        original, restored = sql(cluster.database_dsn, query), sql(restored_dsn, query)
        mark = "same" if original == restored else "DIFFERENT"
        print(f"  {table}: {original[0][0]} rows, restored {restored[0][0]} ({mark})")
    objects = [
        len(cluster.s3().list_objects_v2(Bucket=bucket).get("Contents", []))
        for bucket in (BUCKET, "restored-media")
    ]
    print(f"  objects: {objects[0]} in the bucket, {objects[1]} restored")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--songs-per-style", type=int, default=5)
    args = parser.parse_args()
    why_not = netns_available()
    if why_not:
        raise SystemExit(f"bench/cluster.py needs network namespaces: {why_not}")
    per_style = args.songs_per_style
    with Cluster(ROOT / "var" / "bench-cluster" / time.strftime("%Y%m%d-%H%M%S")) as cluster:
        hosts = ", ".join(f"{host.name} {host.address}" for host in cluster.hosts.values())
        print(f"cluster up: hosts {hosts}")
        cluster.hosts["worker2"].kill()
        cluster.wait_ready(workers=1)
        throughput(cluster, "1 worker host", seed=1, songs_per_style=per_style)
        cluster.start_worker("worker2")
        cluster.wait_ready(workers=2)
        throughput(cluster, "2 worker hosts", seed=2, songs_per_style=per_style)
        takeover(cluster, seed=3, songs_per_style=per_style)
        cluster.start_worker("worker1")
        cluster.wait_ready(workers=2)
        backup_and_restore(cluster)


if __name__ == "__main__":
    main()
