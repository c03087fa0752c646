"""Discovery on a large catalogue, through the REST API: word search, alchemy, "more like this".

    .venv/bin/python bench/discovery.py [--songs 100000] [--requests 300]

Prints figures; asserts nothing. Uses its own embedded PostgreSQL (var/bench-discovery) with
synthetic songs: clustered 200-d vectors under the HNSW index (as bench/subsonic.py), a tag
vector per song whose 100 tag probabilities follow its cluster, and one listener with 1,000 plays
of 300 songs (one in ten skipped). Served by gunicorn (4 workers) on loopback; one client on a
kept-alive connection with an API token. Target (issue 11): p50 <= 30 ms for each of word search,
alchemy with 5 songs (3 added, 2 subtracted) and "more like what I play".
"""

import argparse
import http.client
import io
import json
import os
import signal
import sys
import time
from datetime import timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.api import serve  # noqa: E402
from bench.subsonic import load_library, percentiles  # noqa: E402 (sets its environment: reset)

VAR = ROOT / "var" / "bench-discovery"
os.environ.update(
    {
        "NEURALNOTES_VAR_DIR": str(VAR),
        "DJANGO_SETTINGS_MODULE": "neuralnotes.settings.local",
        "REDIS_URL": "redis://127.0.0.1:6379/12",
        "THROTTLE_USER": "100000000/minute",
        "LOG_LEVEL": "WARNING",
    }
)
PORT = 8774
PLAYS = 1000
PLAYED_SONGS = 300
QUERIES = [
    "calm piano", "fast electronic female vocals", "sad acoustic guitar", "drums",
    "quiet strings", "happy dance", "pianno", "heavy guitar drums", "ambient synth",
    "slow choir", "violin cello", "80s rock male vocals",
]  # fmt: skip


def load_tags(ids: list[int]) -> None:
    """A tag vector per song: each of 100 clusters of songs leans to a few tags of each model."""
    from django.db import connection

    from ml.tags import tag_log_probabilities
    from songs.models import TagVector

    if TagVector.objects.count() == len(ids):
        return
    started = time.perf_counter()
    TagVector.objects.all().delete()
    rng = np.random.default_rng(5)
    profiles = rng.beta(0.4, 3.0, (100, 100))  # mostly low, a few strong tags per cluster
    clusters = rng.integers(0, 100, len(ids))
    rows = io.StringIO()
    for song_id, cluster in zip(ids, clusters, strict=True):
        p = np.clip(profiles[cluster] + rng.normal(0, 0.05, 100), 0.001, 0.999)
        vector = tag_log_probabilities(p[:50], p[50:])
        rows.write(f"{song_id}\t[{','.join(f'{x:.4f}' for x in vector)}]\n")
    rows.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert("COPY songs_tagvector (song_id, log_probabilities) FROM STDIN", rows)
        cursor.execute("ANALYZE songs_tagvector")
    print(f"loaded {len(ids)} tag vectors in {time.perf_counter() - started:.0f} s")


def load_plays(user, ids: list[int]) -> None:
    """PLAYS plays of PLAYED_SONGS songs over the last 90 days, one in ten skipped."""
    from django.utils import timezone

    from playlists.models import Play

    if Play.objects.filter(user=user).count() == PLAYS:
        return
    Play.objects.filter(user=user).delete()
    rng = np.random.default_rng(7)
    songs = rng.choice(ids, PLAYED_SONGS, replace=False)
    now = timezone.now()
    Play.objects.bulk_create(
        Play(
            user=user,
            song_id=int(songs[int(rng.zipf(1.5)) % PLAYED_SONGS]),
            played_at=now - timedelta(minutes=int(rng.integers(60, 90 * 24 * 60))),
            seconds_heard=float(rng.uniform(20, 240)),
            skipped=bool(rng.random() < 0.1),
            source=Play.Source.API,
        )
        for _ in range(PLAYS)
    )


def timed(requests: list[tuple[str, str, dict | None]], token: str) -> np.ndarray:
    """Milliseconds of each (method, path, JSON body) request, one kept-alive connection."""
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    times = []
    for method, path, body in requests:
        payload = json.dumps(body) if body is not None else None
        started = time.perf_counter()
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        answer = response.read()
        times.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            raise RuntimeError(f"{method} {path}: {response.status} {answer[:300]!r}")
        if not json.loads(answer).get("results"):
            raise RuntimeError(f"{method} {path}: no results: {answer[:300]!r}")
    connection.close()
    return np.array(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--songs", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
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
    load_tags(ids)
    user, _ = User.objects.get_or_create(username="bench-listener")
    load_plays(user, ids)
    _, token = api_token_create(user=user, name="bench")
    print(f"{args.songs} songs with vectors and tag vectors; {PLAYS} plays of {PLAYED_SONGS}")

    rng = np.random.default_rng(11)
    words = [
        ("GET", f"/api/v1/songs/by-words/?q={QUERIES[i].replace(' ', '+')}&k=50", None)
        for i in rng.integers(0, len(QUERIES), args.requests)
    ]
    alchemy = []
    for _ in range(args.requests):
        five = [int(i) for i in rng.choice(ids, 5, replace=False)]
        body = {
            "add": [{"song": i} for i in five[:3]],
            "subtract": [{"song": i} for i in five[3:]],
            "k": 20,
        }
        alchemy.append(("POST", "/api/v1/songs/alchemy/", body))
    more_like = [("GET", "/api/v1/history/more-like/?k=20", None)] * args.requests

    server = serve("neuralnotes.settings.local", PORT)
    try:
        for requests in (words, alchemy, more_like):
            timed(requests[:30], token)  # warm every server process and the pages it reads
        percentiles("word search, k=50", timed(words, token))
        percentiles("alchemy, 3 added + 2 subtracted, k=20", timed(alchemy, token))
        percentiles(f"more like what I play ({PLAYS} plays), k=20", timed(more_like, token))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)


if __name__ == "__main__":
    main()
