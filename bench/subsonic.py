"""The Subsonic API on a large library, single client, against the REST API's similar endpoint.

    .venv/bin/python bench/subsonic.py [--songs 100000] [--requests 400]

Prints figures; asserts nothing. Uses its own embedded PostgreSQL (var/bench-subsonic) with
synthetic songs in albums of 20 (5,000 albums for 100,000 songs, 5 albums an artist) and
clustered 200-d vectors under an HNSW index, served by gunicorn on loopback. Measures, one
client on a kept-alive connection, random songs: p50/p99 of /rest/getSimilarSongs2?count=50
and of /rest/getSonicSimilarTracks?count=50 (apiKey) against /api/v1/songs/{id}/similar/?k=50
(token), of search3 for a word, of savePlayQueue and getPlayQueue with a queue of 200 songs, and
the time to page through the whole library with the empty search3 query at 500 songs a page.
Targets: similar songs and sonic similar tracks within 2 ms of the REST API at p50 (issues 10
and 19); the play queue's two methods p50 <= 15 ms (issue 19); the page-through under 60 s.
"""

import argparse
import http.client
import io
import json
import os
import signal
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.api import clustered, serve  # noqa: E402 (sets bench-api's environment: reset below)

VAR = ROOT / "var" / "bench-subsonic"
os.environ.update(
    {
        "NEURALNOTES_VAR_DIR": str(VAR),
        "DJANGO_SETTINGS_MODULE": "neuralnotes.settings.local",
        "REDIS_URL": "redis://127.0.0.1:6379/12",
        "THROTTLE_USER": "100000000/minute",
        "LOG_LEVEL": "WARNING",
    }
)
PORT = 8773
SONGS_PER_ALBUM = 20
ALBUMS_PER_ARTIST = 5
WORDS = ["blue", "night", "river", "gold", "echo", "storm", "glass", "fire", "moon", "dust"]


def load_library(n: int) -> list[int]:
    """n songs with artists, albums and tracks, and their vectors (COPY, then the HNSW index);
    returns the song ids. Reused when an earlier run loaded the same number."""
    from django.db import connection

    from songs.models import BackboneEmbedding, Song
    from songs.services.embeddings import backbone_model_ensure
    from songs.services.ingestion import catalogue_get_or_create

    model = backbone_model_ensure()
    if Song.objects.count() == n and BackboneEmbedding.objects.filter(model=model).count() == n:
        return list(Song.objects.order_by("id").values_list("id", flat=True))
    Song.objects.all().delete()
    catalogue = catalogue_get_or_create(name="bench")
    started = time.perf_counter()
    songs = Song.objects.bulk_create(
        (
            Song(
                catalogue=catalogue,
                title=f"{WORDS[i % len(WORDS)].title()} song {i}",
                artist=f"Artist {i // (SONGS_PER_ALBUM * ALBUMS_PER_ARTIST):04d}",
                album=f"Album {i // SONGS_PER_ALBUM:05d}",
                track_number=i % SONGS_PER_ALBUM + 1,
                year=1960 + i % 60,
                genre=["rock", "jazz", "folk", "techno", "classical"][i // 997 % 5],
                content_sha256=f"{i:064x}",
                original_name=f"{i}.flac",
                size_bytes=8_000_000,
                duration_s=240.0,
                audio_format="FLAC",
                status=Song.Status.READY,
            )
            for i in range(n)
        ),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS backbone_vector_hnsw")
        rows = io.StringIO()
        for song, vector in zip(songs, clustered(n), strict=True):
            rows.write(f"{song.id}\t{model.id}\t[{','.join(f'{x:.5f}' for x in vector)}]\n")
        rows.seek(0)
        cursor.copy_expert(
            "COPY songs_backboneembedding (song_id, model_id, vector) FROM STDIN", rows
        )
        cursor.execute("SET maintenance_work_mem = '2GB'")
        cursor.execute(
            "CREATE INDEX backbone_vector_hnsw ON songs_backboneembedding "
            "USING hnsw (vector vector_cosine_ops) WITH (m = 16, ef_construction = 64)"
        )
        cursor.execute("ANALYZE")
    print(
        f"loaded {n} songs with vectors and the HNSW index in {time.perf_counter() - started:.0f} s"
    )
    return [song.id for song in songs]


def timed_gets(paths: list[str], headers: dict | None = None, *, method: str = "GET") -> np.ndarray:
    """Milliseconds of each request, one client on one kept-alive connection; checks each answer.
    A POST sends the path's query string as its form body (the formPost extension)."""
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    times = []
    for path in paths:
        started = time.perf_counter()
        if method == "POST":
            target, _, form = path.partition("?")
            form_headers = {"Content-Type": "application/x-www-form-urlencoded"}
            connection.request(
                "POST", target, body=form, headers={**form_headers, **(headers or {})}
            )
        else:
            connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        times.append((time.perf_counter() - started) * 1000)
        if response.status != 200 or b'"failed"' in body[:200]:
            raise RuntimeError(f"{path}: {response.status} {body[:300]!r}")
    connection.close()
    return np.array(times)


def page_through(key: str) -> tuple[float, int]:
    """The empty search3 query, 500 songs a page, until a short page: (seconds, songs seen)."""
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    seen, offset = set(), 0
    started = time.perf_counter()
    while True:
        connection.request(
            "GET",
            f"/rest/search3?query=&songCount=500&songOffset={offset}&artistCount=0&albumCount=0"
            f"&f=json&v=1.16.1&c=bench&apiKey={key}",
        )
        page = json.loads(connection.getresponse().read())["subsonic-response"]
        songs = page["searchResult3"].get("song", [])
        seen.update(song["id"] for song in songs)
        offset += 500
        if len(songs) < 500:
            break
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed, len(seen)


def percentiles(label: str, times: np.ndarray) -> float:
    p50, p99 = np.percentile(times, [50, 99])
    print(f"{label:<44} p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  ({len(times)} requests)")
    return p50


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--songs", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    import django

    from neuralnotes import embedded

    # The local settings only say where the embedded services are; this process starts them.
    embedded.start_local_services(var_dir=embedded.var_dir(), env=os.environ)
    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from neuralnotes.tokens import api_token_create

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    ids = load_library(args.songs)
    albums = args.songs // SONGS_PER_ALBUM
    print(f"{args.songs} songs in {albums} albums of {SONGS_PER_ALBUM}")
    user, _ = User.objects.get_or_create(username="bench-listener")
    _, key = api_token_create(user=user, name="bench")
    rng = np.random.default_rng(3)
    picks = [int(i) for i in rng.choice(ids, args.requests)]
    words = [WORDS[i] for i in rng.integers(0, len(WORDS), args.requests)]
    query = f"f=json&v=1.16.1&c=bench&apiKey={key}"

    server = serve("neuralnotes.settings.local", PORT)
    try:
        rest = [f"/api/v1/songs/{i}/similar/?k=50" for i in picks]
        subsonic = [f"/rest/getSimilarSongs2?id={i}&count=50&{query}" for i in picks]
        sonic = [f"/rest/getSonicSimilarTracks?id={i}&count=50&{query}" for i in picks]
        search = [f"/rest/search3?query={w}&songCount=20&{query}" for w in words]
        auth = {"Authorization": f"Token {key}"}
        timed_gets(rest[:50], auth)  # warm the server's processes and the index pages
        timed_gets(subsonic[:50])
        rest_p50 = percentiles("REST API similar, k=50", timed_gets(rest, auth))
        sub_p50 = percentiles("Subsonic getSimilarSongs2, count=50", timed_gets(subsonic))
        print(f"getSimilarSongs2 - REST similar at p50: {sub_p50 - rest_p50:+.1f} ms (target <= 2)")
        timed_gets(sonic[:50])
        sonic_p50 = percentiles("Subsonic getSonicSimilarTracks, count=50", timed_gets(sonic))
        print(
            f"getSonicSimilarTracks - REST similar at p50: {sonic_p50 - rest_p50:+.1f} ms "
            "(target <= 2)"
        )
        queues = []
        for _ in range(args.requests // 4):
            songs = [int(i) for i in rng.choice(ids, 200, replace=False)]
            ids_query = "&".join(f"id={i}" for i in songs)
            queues.append(
                f"/rest/savePlayQueue?{ids_query}&current={songs[7]}&position=61000&{query}"
            )
        timed_gets(queues[:10], method="POST")
        percentiles("Subsonic savePlayQueue, 200 songs (POST)", timed_gets(queues, method="POST"))
        reads = [f"/rest/getPlayQueue?{query}"] * len(queues)
        percentiles("Subsonic getPlayQueue, 200 songs", timed_gets(reads))
        percentiles("Subsonic search3, one word, 20 songs", timed_gets(search))
        seconds, seen = page_through(key)
        print(
            f"search3 empty query, 500 a page: {seen} songs in {seconds:.1f} s "
            f"({seen / seconds:.0f} songs/s; target: the library under 60 s)"
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)


if __name__ == "__main__":
    main()
