"""The 3D map on synthetic clustered 200-d vectors: time, peak memory, trustworthiness.

    .venv/bin/python bench/map.py [--sizes 10000 50000 100000]

Prints figures; asserts nothing. Each size runs in a fresh process so that its peak resident
memory is its own. Targets (issue 5): 10,000 songs <= 60 s with trustworthiness >= 0.9;
100,000 songs <= 15 minutes and <= 8 GiB; one new song placed <= 200 ms (the placement is timed
as the service does it: a pgvector nearest-neighbour query on the embedded PostgreSQL, then the
weighted mean of the neighbours' map positions).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def clustered(n: int, *, dims: int = 200, clusters: int = 50, seed: int = 0) -> np.ndarray:
    """n vectors around `clusters` centres of different spreads, like genres of a catalogue."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 1, (clusters, dims)) * 2.5
    spreads = rng.uniform(0.6, 1.4, clusters)
    labels = rng.integers(0, clusters, n)
    return (centres[labels] + rng.normal(0, 1, (n, dims)) * spreads[labels, None]).astype(
        np.float32
    )


def one_size(n: int, max_projected: int) -> dict:
    from ml.clusters import cluster_songs
    from ml.projection import layout

    vectors = clustered(n)
    started = time.perf_counter()
    result = layout(vectors, method="tsne", seed=0, max_projected=max_projected)
    layout_s = time.perf_counter() - started
    started = time.perf_counter()
    cluster_songs(vectors, seed=0)
    clusters_s = time.perf_counter() - started
    return {
        "songs": n,
        "projected": int(result.projected.sum()),
        "layout_s": round(layout_s, 1),
        "clusters_s": round(clusters_s, 1),
        "trustworthiness": round(result.trustworthiness, 3),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def placement_ms(samples: int = 50) -> float:
    """Median time of explorer.services.song_place_on_map on a 10,000-song catalogue."""
    os.environ.setdefault("NEURALNOTES_VAR_DIR", str(ROOT / "var" / "bench-map"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "neuralnotes.settings.local"
    import django

    from neuralnotes import embedded

    # The local settings only say where the embedded services are; this process starts them.
    embedded.start_local_services(var_dir=embedded.var_dir(), env=os.environ)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from explorer.models import MapPoint, MapVersion
    from explorer.services import song_place_on_map
    from songs.models import BackboneEmbedding, Song
    from songs.services.embeddings import backbone_model_ensure
    from songs.services.ingestion import catalogue_get_or_create

    MapVersion.objects.all().delete()
    Song.objects.all().delete()
    model = backbone_model_ensure()
    catalogue = catalogue_get_or_create(name="bench")
    vectors = clustered(10_000 + samples, seed=1)
    songs = Song.objects.bulk_create(
        Song(catalogue=catalogue, title=f"s{i}", content_sha256=f"{i:064x}", original_name="x",
             size_bytes=1, status=Song.Status.READY)
        for i in range(len(vectors))
    )  # fmt: skip
    BackboneEmbedding.objects.bulk_create(
        (
            BackboneEmbedding(song=s, model=model, vector=v)
            for s, v in zip(songs, vectors, strict=True)
        ),
        batch_size=2000,
    )
    version = MapVersion.objects.create(
        embedding_model=model, method="tsne", state="ready", is_active=True
    )
    rng = np.random.default_rng(2)
    coordinates = rng.uniform(-1, 1, (10_000, 3)).tolist()
    MapPoint.objects.bulk_create(
        (
            MapPoint(map=version, song=s, x=x, y=y, z=z)
            for s, (x, y, z) in zip(songs[:10_000], coordinates, strict=True)
        ),
        batch_size=5000,
    )
    timings = []
    for song in songs[10_000:]:
        started = time.perf_counter()
        song_place_on_map(song=song)
        timings.append((time.perf_counter() - started) * 1000)
    return float(np.median(timings))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 50_000, 100_000])
    parser.add_argument("--max-projected", type=int, default=3000)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_size(args.child, args.max_projected)))
        return
    print(f"t-SNE 3D (Barnes-Hut, PCA init) on <= {args.max_projected} songs, the rest placed")
    columns = ("songs", "projected", "layout s", "k-means s", "trust.", "peak MiB")
    print(" ".join(f"{c:>9}" for c in columns))
    for n in args.sizes:
        command = [sys.executable, __file__, "--child", str(n)]
        command += ["--max-projected", str(args.max_projected)]
        out = subprocess.run(command, capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        keys = ("songs", "projected", "layout_s", "clusters_s", "trustworthiness", "peak_rss_mib")
        print(" ".join(f"{r[k]:>9}" for k in keys), flush=True)
    print(f"placing one new song on a 10,000-song map: {placement_ms():.1f} ms (median of 50)")


if __name__ == "__main__":
    main()
