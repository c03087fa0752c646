"""Nearest-neighbour API under load: the real endpoint against a bare view, side by side.

    .venv/bin/python bench/api.py [--songs 100000] [--seconds 20]

Prints figures; asserts nothing. Uses its own embedded PostgreSQL (var/bench-api) filled with
synthetic clustered 200-d vectors, gunicorn with 4 sync workers, and wrk on loopback. Prints:
the time to bulk-load the vectors and to build the HNSW index; recall@10 of the index against
exact search at the configured hnsw.ef_search; requests per second and p50/p99 latency of
/api/v1/songs/{id}/similar/?k=10 (token auth, middleware, throttling, serializer) and of the
bare view (bench/bare_settings.py) at 20 concurrent clients, and of the real endpoint with one.
Targets (ARCHITECTURE.md): real >= 70% of bare throughput at 20 clients, p99 <= 150 ms; one
client p50 <= 10 ms; recall@10 >= 0.95.
"""

import argparse
import io
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench-api"
sys.path.insert(0, str(ROOT))
ENV = {
    "NEURALNOTES_VAR_DIR": str(VAR),
    "DJANGO_SETTINGS_MODULE": "neuralnotes.settings.local",
    "REDIS_URL": "redis://127.0.0.1:6379/13",
    "THROTTLE_USER": "100000000/minute",  # throttling runs, but never limits the load generator
    "LOG_LEVEL": "WARNING",
}
os.environ.update(ENV)

WRK_SCRIPT = """
local first, count = %d, %d
request = function()
  local id = first + math.random(0, count - 1)
  return wrk.format("GET", string.format("%s", id))
end
"""


def clustered(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 1, (100, 200)) * 2
    return (centres[rng.integers(0, 100, n)] + rng.normal(0, 1, (n, 200))).astype(np.float32)


def load_catalogue(n: int) -> tuple[int, float, float]:
    """Songs and vectors (COPY), then the HNSW index; returns (first song id, load s, index s)."""
    from django.db import connection

    from songs.models import BackboneEmbedding, Song
    from songs.services.embeddings import backbone_model_ensure
    from songs.services.ingestion import catalogue_get_or_create

    model = backbone_model_ensure()
    if Song.objects.count() == n and BackboneEmbedding.objects.filter(model=model).count() == n:
        first = Song.objects.order_by("id").values_list("id", flat=True).first()
        return first, float("nan"), float("nan")  # loaded by an earlier run
    Song.objects.all().delete()
    catalogue = catalogue_get_or_create(name="bench")
    vectors = clustered(n)
    started = time.perf_counter()
    songs = Song.objects.bulk_create(
        (
            Song(catalogue=catalogue, title=f"Song {i}", content_sha256=f"{i:064x}",
                 original_name=f"{i}.flac", size_bytes=1, status=Song.Status.READY)
            for i in range(n)
        ),
        batch_size=5000,
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS backbone_vector_hnsw")
        rows = io.StringIO()
        for song, vector in zip(songs, vectors, strict=True):
            rows.write(f"{song.id}\t{model.id}\t[{','.join(f'{x:.5f}' for x in vector)}]\n")
        rows.seek(0)
        cursor.copy_expert(
            "COPY songs_backboneembedding (song_id, model_id, vector) FROM STDIN", rows
        )
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute("SET maintenance_work_mem = '2GB'")
        cursor.execute(
            "CREATE INDEX backbone_vector_hnsw ON songs_backboneembedding "
            "USING hnsw (vector vector_cosine_ops) WITH (m = 16, ef_construction = 64)"
        )
        cursor.execute("ANALYZE songs_backboneembedding")
    return songs[0].id, load_s, time.perf_counter() - started


def recall_at_10(first_id: int, n: int, queries: int = 200) -> float:
    from songs.models import BackboneEmbedding, Song
    from songs.selectors.similarity import songs_similar_to

    rows = list(BackboneEmbedding.objects.order_by("song_id").values_list("song_id", "vector"))
    ids = np.array([song_id for song_id, _ in rows])
    x = np.stack([np.asarray(v, dtype=np.float32) for _, v in rows])
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    rng = np.random.default_rng(7)
    hits = 0
    for index in rng.choice(len(ids), queries, replace=False):
        similarity = x @ x[index]
        similarity[index] = -np.inf
        exact = set(ids[np.argpartition(-similarity, 10)[:10]].tolist())
        found = {s.id for s, _ in songs_similar_to(song=Song(id=int(ids[index])), k=10)}
        hits += len(exact & found)
    return hits / (10 * queries)


def serve(settings_module: str, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "neuralnotes.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", "4", "--log-level", "warning"],
        cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": settings_module},
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            break
        except urllib.error.HTTPError:
            break  # answering (a 404 or 503 is an answer)
        except OSError:
            time.sleep(0.3)
    return server


def wrk(url: str, first_id: int, n: int, clients: int, seconds: int, token: str = "") -> dict:
    """Load ``url`` (with %d where the song id goes) for ``seconds`` from ``clients`` connections,
    each request for a random song."""
    host, path = re.match(r"(http://[^/]+)(/.*)", url).groups()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % (first_id, n, path))
    command = ["wrk", "-t", str(min(clients, 2)), "-c", str(clients), "-d", f"{seconds}s"]
    command += ["--latency", "-s", script.name]
    if token:
        command += ["-H", f"Authorization: Token {token}"]
    output = subprocess.run([*command, host], capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)

    def ms(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", output).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": ms("50"),
        "p99": ms("99"),
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--songs", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args()
    import django

    from neuralnotes import embedded

    # The local settings only say where the embedded services are; this process starts them.
    embedded.start_local_services(var_dir=embedded.var_dir(), env=os.environ)
    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from neuralnotes.tokens import api_token_create

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    first_id, load_s, index_s = load_catalogue(args.songs)
    print(f"{args.songs} songs, 200-d vectors: COPY {load_s:.1f} s, HNSW index {index_s:.1f} s")
    print(f"recall@10 against exact search at hnsw.ef_search={settings.HNSW_EF_SEARCH}: "
          f"{recall_at_10(first_id, args.songs):.3f}")  # fmt: skip
    user, _ = User.objects.get_or_create(username="bench-listener")
    _, token = api_token_create(user=user, name="bench")

    real = serve("neuralnotes.settings.local", 8771)
    bare = serve("bench.bare_settings", 8772)
    try:
        prefix_real = "http://127.0.0.1:8771/api/v1/songs/%d/similar/?k=10"
        prefix_bare = "http://127.0.0.1:8772/similar/%d/?k=10"
        wrk(prefix_real, first_id, args.songs, 20, 3, token)  # warm both
        wrk(prefix_bare, first_id, args.songs, 20, 3)
        bare_20 = wrk(prefix_bare, first_id, args.songs, 20, args.seconds)
        real_20 = wrk(prefix_real, first_id, args.songs, 20, args.seconds, token)
        real_1 = wrk(prefix_real, first_id, args.songs, 1, args.seconds, token)
        bare_1 = wrk(prefix_bare, first_id, args.songs, 1, args.seconds)
    finally:
        for server in (real, bare):
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
    runs = {
        "bare view, 20 clients": bare_20,
        "real endpoint, 20 clients": real_20,
        "bare view, 1 client": bare_1,
        "real endpoint, 1 client": real_1,
    }
    for label, r in runs.items():
        print(
            f"{label:<26} {r['rps']:7.0f} req/s  p50 {r['p50']:6.1f} ms  p99 {r['p99']:6.1f} ms"
            f"  non-2xx {r['errors']}"
        )
    print(f"real / bare throughput at 20 clients: {real_20['rps'] / bare_20['rps']:.0%}")


if __name__ == "__main__":
    main()
