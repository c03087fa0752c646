"""The server's side of a large catalogue: every hot path at a million songs (issue 23).

    .venv/bin/python bench/scale.py [--songs 1000000] [--requests 20]

Prints figures with their targets; asserts nothing. Uses bench/explorer.py's synthetic
catalogue (songs, clustered vectors with their HNSW index, an active map) in an embedded
PostgreSQL of its own (var/bench-scale), built once per size and kept for reruns: building a million
takes about twenty minutes on two cores. Then, in this process:

- the map file: time to write it (pack + gzip + store), its size, and its size unpacked;
  with ``--map-build``, the whole map built anew (time and peak memory);
- GET /api/v1/map/points/ through Django as a browser asks for it (gzip accepted): server time
  of a first visit (200, the stored bytes) and of a return visit (If-None-Match: 304), p50 of
  ``--requests``;
- for comparison, the same request when the points are packed per request (the way before);
- neighbours: one client's /api/v1/songs/{id}/similar/ (p50) and the HNSW index's recall@10
  against an exact search; Subsonic search3 for a word, getArtists and getIndexes (p50; the
  artist index is kept per version of the library, so the p50 is of a kept one: the first call
  after a change reads it, printed apart);
- discovery: word search, alchemy and "more like what I play" (p50; bench/discovery.py's tag
  vectors and plays, added once), and this process's resident memory once all of it ran;
- the web processes' memory: four gunicorn workers once every hot path ran in each.

The browser's side (first frame, frames per second, picking) is bench/explorer.py's.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import explorer as explorer_bench  # noqa: E402  (sets the environment it runs in)

# A database of its own, so that a million songs built here survive bench/explorer.py's runs.
os.environ["NEURALNOTES_VAR_DIR"] = str(ROOT / "var" / "bench-scale")


def p50_ms(call, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = call()
        times.append(1000 * (time.perf_counter() - started))
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--songs", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument(
        "--map-build",
        action="store_true",
        help="also build the map anew (t-SNE of a sample, the rest placed): about ten minutes",
    )
    args = parser.parse_args()
    import django

    from neuralnotes import embedded

    embedded.start_local_services(var_dir=embedded.var_dir(), env=os.environ)
    django.setup()
    from django.contrib.auth.models import User
    from django.core.files.storage import default_storage
    from django.core.management import call_command
    from django.test import Client

    from explorer.map_file import map_file_write
    from explorer.models import MapVersion

    call_command("migrate", verbosity=0)
    explorer_bench.load_catalogue(args.songs)
    version = MapVersion.objects.active()
    print(f"\n{args.songs:,} songs, map version {version.id}")

    MapVersion.objects.filter(id=version.id).update(points_summary="")  # make it write again
    started = time.perf_counter()
    map_file_write(version_id=version.id)
    written_s = time.perf_counter() - started
    version.refresh_from_db()
    stored = version.points_file.size
    print(f"  map file written in {written_s:.2f} s (pack, gzip, store)")
    print(f"  map file {stored / 1e6:.2f} MB gzip (target <= 2 MB at 100,000 songs)")

    user, _ = User.objects.get_or_create(username="bench-scale")  # signed in by force_login
    client = Client(HTTP_ACCEPT_ENCODING="gzip, deflate, br", HTTP_HOST="127.0.0.1")
    client.force_login(user)

    def first_visit():
        response = client.get("/api/v1/map/points/")
        assert response.status_code == 200
        return b"".join(response.streaming_content)

    def return_visit():
        response = client.get("/api/v1/map/points/", HTTP_IF_NONE_MATCH=version.points_etag)
        assert response.status_code == 304
        return response

    first_ms, body = p50_ms(first_visit, args.requests)
    return_ms, _ = p50_ms(return_visit, args.requests)
    print(f"  first visit: server {first_ms:.1f} ms for {len(body) / 1e6:.2f} MB (p50)")
    print(f"  return visit: server {return_ms:.1f} ms, 304 (p50; target: return visit <= 1 s)")

    # The way before: packed for every request (what a map without its file still gets).
    MapVersion.objects.filter(id=version.id).update(points_file="", points_etag="")
    packed_ms, _ = p50_ms(lambda: client.get("/api/v1/map/points/").content, 3)
    print(f"  packed per request instead: server {packed_ms:.0f} ms (p50 of 3)")
    map_file_write(version_id=version.id)
    default_storage.delete(version.points_file.name)  # the file before this comparison

    if args.map_build:
        map_build_figures()
    neighbours(client, args.requests * 10)
    subsonic(user, args.requests * 5)
    discovery(client, user, args.requests * 5)
    web_memory(user)
    print(f"  load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def map_build_figures() -> None:
    """explorer.services.map_build over the whole catalogue, in a process of its own so that its
    peak memory is its own: its time and peak resident memory (targets: <= 20 minutes, 8 GiB)."""
    import json
    import subprocess

    code = (
        "import json, resource, time, django; django.setup(); "
        "from explorer.services import map_build; started = time.perf_counter(); "
        "version = map_build(seed=0); "
        "print(json.dumps({'s': time.perf_counter() - started, 'songs': version.song_count, "
        "'peak': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "
        "'trust': version.trustworthiness}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    built = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"  map build: {built['songs']:,} songs in {built['s'] / 60:.1f} minutes, peak "
        f"{built['peak'] / 2**20:.2f} GiB resident (targets <= 20 minutes, <= 8 GiB); "
        f"trustworthiness {built['trust']:.3f}"
    )


def neighbours(client, requests: int) -> None:
    """One client's /similar/ through Django (no network), and recall@10 of the HNSW index
    against an exact search over every vector."""
    from songs.models import Song
    from songs.selectors.similarity import songs_similar_to

    ids, vectors = all_vectors()
    rng = np.random.default_rng(7)
    picks = rng.choice(len(ids), requests)

    order = iter(picks)

    def similar():
        response = client.get(f"/api/v1/songs/{ids[next(order)]}/similar/?k=10")
        assert response.status_code == 200

    similar_ms, _ = p50_ms(similar, requests)
    print(f"  /api/v1/songs/{{id}}/similar/?k=10: server {similar_ms:.1f} ms (p50; target <= 15)")
    hits, queries = 0, 100
    for index in picks[:queries]:
        similarity = vectors @ vectors[index]
        similarity[index] = -np.inf
        exact = set(ids[np.argpartition(-similarity, 10)[:10]].tolist())
        found = {s.id for s, _ in songs_similar_to(song=Song(id=int(ids[index])), k=10)}
        hits += len(exact & found)
    print(
        f"  recall@10 of the index: {hits / (10 * queries):.3f} ({queries} songs; target >= 0.95)"
    )


def all_vectors() -> tuple[np.ndarray, np.ndarray]:
    """Every song id and its unit vector of the active model (one binary COPY)."""
    from songs.models import EmbeddingModel
    from songs.selectors.similarity import embedding_model_vectors

    ids, vectors = embedding_model_vectors(EmbeddingModel.objects.active())
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return ids, vectors


def subsonic(user, requests: int) -> None:
    """Subsonic search3 for a word, getArtists and getIndexes, one client through Django."""
    from django.test import Client

    from neuralnotes.tokens import api_token_create
    from songs.models import Song

    _, key = api_token_create(user=user, name="bench-scale")
    client = Client(HTTP_HOST="127.0.0.1")
    auth = f"f=json&v=1.16.1&c=bench&apiKey={key}"
    words = iter(["blue", "night", "river", "gold", "echo", "42", "Song 7", "Artist 12"] * 1000)

    def search3():
        word = next(words)
        assert client.get(f"/rest/search3?query={word}&songCount=20&{auth}").status_code == 200

    def call(method: str):
        def get():
            assert client.get(f"/rest/{method}?{auth}").status_code == 200

        return get

    # A change to the library (a song saved as it is): the next call reads the index again.
    Song.objects.order_by("id").first().save()
    first_ms, _ = p50_ms(call("getArtists"), 1)
    search_ms, _ = p50_ms(search3, requests)
    artists_ms, _ = p50_ms(call("getArtists"), 5)
    indexes_ms, _ = p50_ms(call("getIndexes"), 5)
    print(f"  Subsonic search3, a word, 20 songs: {search_ms:.1f} ms (p50; target <= 50)")
    print(f"  Subsonic getArtists: {artists_ms:.0f} ms (p50 of 5; target <= 50)")
    print(f"  Subsonic getIndexes: {indexes_ms:.0f} ms (p50 of 5; target <= 50)")
    print(f"  Subsonic getArtists after a change to the library: {first_ms:.0f} ms")


def discovery(client, user, requests: int) -> None:
    """Word search, alchemy and "more like what I play" (bench/discovery.py's tag vectors and
    plays, added to this catalogue once), one client through Django; and what this process
    holds once every hot path above has run: a web process's share of the memory."""
    import psutil

    from bench.discovery import PLAYS, QUERIES, load_plays, load_tags
    from songs.models import Song
    from songs.tag_matrix import tag_matrix

    ids = list(Song.objects.order_by("id").values_list("id", flat=True))
    load_tags(ids)
    load_plays(user, ids)
    rng = np.random.default_rng(11)

    def get(path: str):
        response = client.get(path)
        assert response.status_code == 200 and response.json()["results"], path
        return response

    def words():
        query = QUERIES[int(rng.integers(len(QUERIES)))].replace(" ", "+")
        return get(f"/api/v1/songs/by-words/?q={query}&k=50")

    def alchemy():
        five = [int(i) for i in rng.choice(ids, 5, replace=False)]
        body = {"add": [{"song": i} for i in five[:3]], "subtract": [{"song": i} for i in five[3:]]}
        response = client.post(
            "/api/v1/songs/alchemy/", {**body, "k": 20}, content_type="application/json"
        )
        assert response.status_code == 200, response.content[:300]

    before = psutil.Process().memory_info().rss
    first_ms, _ = p50_ms(words, 1)
    print(f"  first word search (reads every tag vector): {first_ms:.0f} ms")
    words_ms, _ = p50_ms(words, requests)
    alchemy_ms, _ = p50_ms(alchemy, requests)
    more_ms, _ = p50_ms(lambda: get("/api/v1/history/more-like/?k=20"), requests)
    print(f"  word search, k=50: {words_ms:.1f} ms (p50; target <= 50)")
    print(f"  alchemy, 3 added + 2 subtracted, k=20: {alchemy_ms:.1f} ms (p50; target <= 50)")
    print(f"  more like what I play ({PLAYS} plays), k=20: {more_ms:.1f} ms (p50; target <= 50)")
    held = tag_matrix.rows.nbytes + tag_matrix.ids.nbytes + tag_matrix.position.nbytes
    rss = psutil.Process().memory_info().rss
    print(
        f"  this process: {rss / 2**20:,.0f} MiB resident, {(rss - before) / 2**20:,.0f} MiB of "
        f"it since word search began; the tag matrix {held / 2**20:,.0f} MiB (a web process's "
        "own copy; target: the web processes together <= 4 GiB)"
    )


def web_memory(user) -> None:
    """bench/api.py's server (gunicorn, four workers) once every hot path has run in each
    worker, through fresh connections (which the workers take in turn): the memory the web
    processes hold together."""
    import http.client
    import signal

    import psutil

    from bench.api import serve
    from neuralnotes.tokens import api_token_create
    from songs.models import Song

    port = 8776
    _, token = api_token_create(user=user, name="bench-scale-web")
    _, key = api_token_create(user=user, name="bench-scale-web-subsonic")
    song = Song.objects.order_by("id").values_list("id", flat=True).first()
    subsonic_auth = f"f=json&v=1.16.1&c=bench&apiKey={key}"
    paths = [
        "/api/v1/songs/by-words/?q=calm+piano&k=50",
        f"/api/v1/songs/{song}/similar/?k=10",
        f"/rest/getArtists?{subsonic_auth}",
        f"/rest/search3?query=blue&songCount=20&{subsonic_auth}",
        "/api/v1/map/points/",
    ]
    server = serve("neuralnotes.settings.local", port)
    try:
        for _ in range(24):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            for path in paths:
                connection.request("GET", path, headers={"Authorization": f"Token {token}"})
                response = connection.getresponse()
                response.read()
                assert response.status == 200, (path, response.status)
            connection.close()
        rss = [worker.memory_info().rss for worker in psutil.Process(server.pid).children()]
        print(
            f"  web: {len(rss)} gunicorn workers after every hot path ran in them: "
            f"{sum(rss) / 2**30:.2f} GiB resident together "
            f"({', '.join(f'{r / 2**20:,.0f}' for r in rss)} MiB; target <= 4 GiB)"
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)


if __name__ == "__main__":
    main()
