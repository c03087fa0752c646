"""Do songs that belong together come out as neighbours, on real recordings?

    .venv/bin/python bench/similarity.py DIR [--skip-platform] [--skip-candidates]

DIR is made by ../shared/tools/real-music-dev.sh DIR (191 tracks of 8 game soundtracks); the
only labels used are DIR/labels.tsv's (same soundtrack = belongs together), and only to score:
every embedding comes from the audio alone. Prints figures; asserts nothing. Two parts:

1. The platform, as a user runs it: a fresh installation (its own embedded PostgreSQL in
   var/bench-similarity, Redis database 13), a real Celery worker with beat as `make run`
   starts it, and `manage.py import_music DIR/library` (no --genre-from-folder); once into an
   empty catalogue, once after the demo catalogue as `make run` leaves it. For the active
   embedding (after its refit on the folder) and two baselines (the stored MFCC statistics and
   the raw MSD musicnn mean, each z-scored on the folder): same-soundtrack precision@5 and 5-NN
   accuracy within the folder (cosine, leave-one-out); precision@5 of `songs_similar_to` over
   the whole catalogue, and the share of demo songs among those neighbours; the end-to-end
   analysis speed from the import's start to the last song ready (x realtime, songs a minute).
2. The candidates, side by side: every patch of every file through both musicnn models once
   (cached in var/bench-similarity/patches), then each way of pooling, combining and fitting
   the space scored as above, with the demo's songs (if part 1 rendered them) as distractors;
   and the table of patch budget x precision x speed that chose the default budget, the speed
   measured with ml.analysis.analyse_file on a sample of the files.
"""

import argparse
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench-similarity"
sys.path.insert(0, str(ROOT))
os.environ["NEURALNOTES_VAR_DIR"] = str(VAR)
os.environ["DJANGO_SETTINGS_MODULE"] = "neuralnotes.settings.local"
os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/13"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

K = 5


def read_labels(folder: Path) -> dict[str, str]:
    """SHA-256 of each labelled file's bytes -> its soundtrack (the platform knows songs by it)."""
    labels = {}
    for line in (folder / "labels.tsv").read_text().splitlines():
        relative, label = line.split("\t")
        labels[hashlib.sha256((folder / relative).read_bytes()).hexdigest()] = label
    return labels


def scores(vectors: np.ndarray, labels: list[str]) -> tuple[float, float]:
    from ml.evaluation import knn_accuracy, precision_at_k

    return precision_at_k(vectors, labels, K), knn_accuracy(vectors, labels, K)


def z_scored(x: np.ndarray) -> np.ndarray:
    from ml.backbone import fit_standardisation, standardise

    return standardise(x, *fit_standardisation(x))


# --- part 1: the platform ---------------------------------------------------------------------


def fresh_platform() -> None:
    import shutil

    from django.conf import settings
    from django.core.management import call_command

    from explorer.models import MapVersion
    from neuralnotes.celery import app
    from songs.models import Catalogue, EmbeddingModel, Song, UploadBatch

    call_command("migrate", verbosity=0)
    app.control.purge()
    MapVersion.objects.all().delete()
    Song.objects.all().delete()
    UploadBatch.objects.all().delete()
    Catalogue.objects.all().delete()
    EmbeddingModel.objects.all().delete()
    shutil.rmtree(Path(settings.MEDIA_ROOT), ignore_errors=True)


def start_worker() -> subprocess.Popen:
    """The worker as `make run` starts it (one process per core, beat inside), once every
    process has loaded the models and warmed up."""
    from neuralnotes.celery import app
    from neuralnotes.tasks import worker_database_check

    schedule = VAR / "celerybeat-schedule"
    schedule.unlink(missing_ok=True)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "neuralnotes", "worker", "-B"]
        + ["-s", str(schedule), "-l", "WARNING"],
        cwd=ROOT,
        start_new_session=True,
    )
    processes = os.cpu_count() or 1
    deadline = time.monotonic() + 180
    while not app.control.ping(timeout=1.0) and time.monotonic() < deadline:
        pass
    answered = set()
    while len(answered) < processes and time.monotonic() < deadline:
        checks = [worker_database_check.delay() for _ in range(processes)]
        answered.update(check.get(timeout=180)["process"] for check in checks)
    return worker


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def wait_analysed(timeout_s: float = 3600) -> float:
    """Seconds until no song is pending or processing."""
    from songs.models import Song

    started = time.perf_counter()
    while Song.objects.filter(status__in=["pending", "processing"]).exists():
        if time.perf_counter() - started > timeout_s:
            raise TimeoutError("songs still being analysed")
        time.sleep(0.5)
    return time.perf_counter() - started


def wait_refitted(timeout_s: float = 300) -> float:
    """Seconds until the statistics fit the catalogue (beat checks every minute)."""
    from songs.models import EmbeddingModel
    from songs.services.embeddings import embedding_refit_reason

    started = time.perf_counter()
    while (
        embedding_refit_reason() is not None
        or EmbeddingModel.objects.filter(state="embedding").exists()
    ):
        if time.perf_counter() - started > timeout_s:
            raise TimeoutError("no refit came")
        time.sleep(1.0)
    return time.perf_counter() - started


def platform_figures(folder: Path, labels: dict[str, str], title: str) -> None:
    from songs.models import EmbeddingModel, Song
    from songs.selectors.similarity import songs_similar_to
    from songs.services.demo import demo_songs

    songs = list(Song.objects.filter(content_sha256__in=labels, status="ready").order_by("id"))
    failed = Song.objects.filter(content_sha256__in=labels, status="failed").count()
    song_labels = [labels[s.content_sha256] for s in songs]
    active = EmbeddingModel.objects.get(is_active=True)
    vectors = dict(
        active.vector_table.objects.filter(model=active).values_list("song_id", "vector")
    )
    print(
        f"\n{title}: {len(songs)} songs of the folder ready, {failed} failed; {active.name} "
        f"active, fitted on {active.fitted_on_songs} songs"
        f"{' (demo left out)' if active.metrics.get('demo_left_out') else ''}"
    )
    spaces = {
        f"active: {active.name}": np.stack([np.asarray(vectors[s.id]) for s in songs]),
        "baseline: MFCC statistics, z-scored": z_scored(
            np.stack([np.asarray(s.mfcc_stats) for s in songs])
        ),
        "baseline: raw MSD musicnn mean, z-scored": z_scored(
            np.stack([np.asarray(s.features) for s in songs])
        ),
    }
    print(f"  {'embedding':<52} precision@5  5-NN accuracy")
    for name, space in spaces.items():
        p5, knn = scores(space, song_labels)
        print(f"  {name:<52} {p5:>11.3f}  {knn:>13.3f}")
    label_of = {s.id: label for s, label in zip(songs, song_labels, strict=True)}
    demo_ids = set(demo_songs().values_list("id", flat=True))
    same = demo = total = 0
    for song in songs:
        for neighbour, _ in songs_similar_to(song=song, k=K, fields=("id",)):
            total += 1
            same += label_of.get(neighbour.id) == label_of[song.id]
            demo += neighbour.id in demo_ids
    print(
        f"  songs_similar_to over the whole catalogue ({Song.objects.count()} songs): "
        f"precision@5 {same / total:.3f}, demo songs among the neighbours {demo / total:.1%}"
    )


def platform(folder: Path, labels: dict[str, str]) -> None:
    from songs.models import Song

    library = folder / "library"
    minutes = None
    for with_demo in (False, True):
        fresh_platform()
        worker = start_worker()
        try:
            if with_demo:
                manage("load_demo", "--if-empty")
                wait_analysed()
                wait_refitted()
            started = time.perf_counter()
            manage("import_music", str(library))
            analysed_s = time.perf_counter() - started + wait_analysed()
            refit_s = wait_refitted()
            folder_songs = Song.objects.filter(content_sha256__in=labels)
            minutes = sum(s.duration_s or 0 for s in folder_songs) / 60
            print(
                f"\nimport_music of {folder_songs.count()} files ({minutes:.0f} minutes of "
                f"audio){' after the demo' if with_demo else ''}: all analysed in "
                f"{analysed_s:.0f} s = {minutes * 60 / analysed_s:.0f}x realtime, "
                f"{folder_songs.count() / analysed_s * 60:.0f} songs a minute; refitted "
                f"{refit_s:.0f} s later"
            )
            platform_figures(
                folder, labels, "After the demo" if with_demo else "Into an empty catalogue"
            )
        finally:
            worker.terminate()
            worker.wait(120)


# --- part 2: the candidates -------------------------------------------------------------------


def patch_outputs(path: Path, backbone, tagger) -> dict[str, np.ndarray]:
    """Every 3-second patch of the file through both models: penultimate features and tags per
    patch, and each patch's MFCC mean and mean square (for the baseline's statistics)."""
    import scipy.fft

    from ml.audio import stream_mono
    from ml.spectrogram import LogMelStream, repeat_pad, split_patches

    stream, frames = LogMelStream(), []
    for block in stream_mono(path):
        frames.append(stream.push(block))
    frames.append(stream.finish())
    patches, left = split_patches(np.concatenate(frames))
    if not len(patches):
        patches = repeat_pad(left)[None]
    msd, msd_tags = backbone.predict(patches)
    mtt, mtt_tags = tagger.predict(patches)
    mfcc = scipy.fft.dct(patches.astype(np.float64), type=2, norm="ortho", axis=2)[:, :, :20]
    return {
        "msd": msd, "msd_tags": msd_tags, "mtt": mtt, "mtt_tags": mtt_tags,
        "mfcc_mean": mfcc.mean(axis=1), "mfcc_square": (mfcc**2).mean(axis=1),
    }  # fmt: skip


def cached_patches(paths: list[Path], cache: Path) -> list[dict[str, np.ndarray]]:
    from ml.backbone import load_backbone, load_mtt_tagger

    cache.mkdir(parents=True, exist_ok=True)
    models = None
    out = []
    started = time.perf_counter()
    for i, path in enumerate(paths):
        name = cache / (hashlib.sha1(str(path.resolve()).encode()).hexdigest() + ".npz")
        if not name.exists():
            models = models or (load_backbone(), load_mtt_tagger())
            np.savez(name, **patch_outputs(path, *models))
            print(
                f"\r  patches of {i + 1}/{len(paths)} files, {time.perf_counter() - started:.0f} s",
                end="",
                flush=True,
            )
        out.append(dict(np.load(name)))
    return out


def pooled(patches: dict, budget: int | None, parts: tuple[str, ...]) -> np.ndarray:
    """One song's vector from its patches at a patch budget: the named blocks, concatenated."""
    from ml.analysis import budget_patch_indices

    n = len(patches["msd"])
    chosen = np.arange(n) if budget is None or n <= budget else budget_patch_indices(n, budget)
    blocks = []
    for part in parts:
        source, statistic = part.split(".")
        if source == "mfcc":
            mean = patches["mfcc_mean"][chosen].mean(axis=0)
            square = patches["mfcc_square"][chosen].mean(axis=0)
            blocks.append(np.concatenate([mean, np.sqrt(np.maximum(square - mean**2, 0))]))
            continue
        x = patches[source][chosen].astype(np.float64)
        if source.endswith("tags"):
            x = np.log(np.clip(x, 1e-4, 1.0))
        if statistic == "weighted":  # patches nearer the song's mean count more
            unit = x / np.linalg.norm(x, axis=1, keepdims=True)
            centre = unit.mean(axis=0)
            weights = np.exp((unit @ (centre / np.linalg.norm(centre))) / 0.05)
            blocks.append((weights[:, None] * x).sum(axis=0) / weights.sum())
        else:
            blocks.append(np.concatenate([getattr(x, s)(axis=0) for s in statistic.split("+")]))
    return np.concatenate(blocks)


def balanced(x: np.ndarray, block_sizes: list[int], fit_rows: np.ndarray) -> np.ndarray:
    """Each block z-scored on ``fit_rows`` and divided by the root of its size."""
    out, start = [], 0
    for size in block_sizes:
        block = x[:, start : start + size]
        mean, std = block[fit_rows].mean(axis=0), block[fit_rows].std(axis=0)
        std[std < 1e-8] = 1.0
        out.append((block - mean) / std / np.sqrt(size))
        start += size
    return np.concatenate(out, axis=1)


def rerank_scores(vectors: np.ndarray, labels: list[str], how: str) -> float:
    """precision@5 after re-ranking the cosine similarities to damp hub songs."""
    x = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    s = x @ x.T
    np.fill_diagonal(s, -np.inf)
    if how == "CSLS":
        hubness = np.sort(s, axis=1)[:, -10:].mean(axis=1)
        s = 2 * s - hubness[:, None] - hubness[None, :]
    else:  # mutual proximity, empirical: how many songs are farther from each of the two
        ranks = s.argsort(axis=1).argsort(axis=1) / (len(s) - 1)
        s = ranks * ranks.T
    np.fill_diagonal(s, -np.inf)
    nearest = np.argsort(-s, axis=1)[:, :K]
    labels_arr = np.asarray(labels)
    return float((labels_arr[nearest] == labels_arr[:, None]).mean())


CANDIDATES = {
    "MFCC statistics (baseline)": ("mfcc.stats",),
    "MSD musicnn mean (today's Song.features)": ("msd.mean",),
    "MTT musicnn mean": ("mtt.mean",),
    "MSD + MTT mean": ("msd.mean", "mtt.mean"),
    "MSD + MTT representative-weighted mean": ("msd.weighted", "mtt.weighted"),
    "MSD + MTT mean and std (the descriptor)": ("msd.mean+std", "mtt.mean+std"),
    "descriptor + MFCC statistics": ("msd.mean+std", "mtt.mean+std", "mfcc.stats"),
    "descriptor + both models' tags": (
        "msd.mean+std",
        "mtt.mean+std",
        "msd_tags.mean",
        "mtt_tags.mean",
    ),  # fmt: skip
    "MSD + MTT tags mean": ("msd_tags.mean", "mtt_tags.mean"),
}


def sizes_of(parts: tuple[str, ...]) -> list[int]:
    sizes = []
    for part in parts:
        source, statistic = part.split(".")
        if source == "mfcc":
            sizes.append(40)
        else:
            sizes += [200 if source in ("msd", "mtt") else 50] * len(statistic.split("+"))
    return sizes


def candidates(folder: Path, labels: dict[str, str], budget: int | None) -> None:
    from ml.descriptor import embed, fit_space

    rows = [line.split("\t") for line in (folder / "labels.tsv").read_text().splitlines()]
    paths = [folder / relative for relative, _ in rows]
    song_labels = [label for _, label in rows]
    print(f"\nCandidates: {len(paths)} files, every patch through both models once")
    patches = cached_patches(paths, VAR / "patches")
    demo_paths = sorted((VAR / "demo-catalogue").glob("*/*.ogg"))
    demo = cached_patches(demo_paths, VAR / "patches-demo") if demo_paths else []
    n = len(patches)
    fit_rows = np.arange(n)  # fitted on the folder, as the platform fits without the demo
    with_demo_labels = song_labels + [f"demo {i}" for i in range(len(demo))]
    print(
        f"\n  at {budget or 'all'} patches a song, cosine; precision@5 with the {len(demo)} "
        "demo songs as distractors in the last column"
    )
    print(f"  {'candidate':<52} {'dims':>5}  precision@5  5-NN accuracy  with demo")

    def show(name: str, vectors: np.ndarray) -> None:
        p5, knn = scores(vectors[:n], song_labels)
        distracted = _precision_of_folder(vectors, with_demo_labels, n) if demo else float("nan")
        print(f"  {name:<52} {vectors.shape[1]:>5} {p5:>12.3f}  {knn:>13.3f}  {distracted:>9.3f}")

    for name, parts in CANDIDATES.items():
        x = np.stack([pooled(p, budget, parts) for p in patches + demo])
        if name.startswith("MSD musicnn mean"):
            show(name + ", raw", x)
        show(name, balanced(x, sizes_of(parts), fit_rows))
    descriptor_parts = CANDIDATES["MSD + MTT mean and std (the descriptor)"]
    x = np.stack([pooled(p, budget, descriptor_parts) for p in patches + demo])
    space = fit_space(x[fit_rows])
    z = (x - space.mean) / space.scale
    show("descriptor, z-scored, all 800 numbers", z)
    centred = z[fit_rows] - z[fit_rows].mean(axis=0)
    _, singular, axes = np.linalg.svd(centred, full_matrices=False)
    show("descriptor on the fitted songs' 200 principal axes", z @ axes[:200].T)
    for whitening in (0.5, 1.0):
        weights = (singular[:200] ** 2 / len(centred) + 1e-12) ** (-whitening / 2)
        show(f"  the same, whitened ({whitening})", z @ (axes[:200].T * weights))
    for k in (1, 3):
        top = axes[:k].T
        show(f"  the same, less the top {k} axes", (z - (z @ top) @ top.T) @ axes[:200].T)
    show("descriptor on the fixed random rotation (default)", embed(x, space))
    heads = self_supervised_head(patches + demo, budget, n)
    show("self-supervised head (InfoNCE, views of one song)", heads)
    default = embed(x[:n], fit_space(x[fit_rows]))
    for how in ("CSLS", "mutual proximity"):
        print(
            f"  {'default, re-ranked by ' + how:<52} {'':>5} "
            f"{rerank_scores(default, song_labels, how):>12.3f}"
        )
    budgets(paths, patches, song_labels)


def self_supervised_head(patches: list[dict], budget: int | None, n: int, seed: int = 0):
    """An MLP trained on the folder's own songs without labels: two random halves of a song's
    patches, each pooled into a descriptor, are a positive pair, other songs' halves the
    negatives (InfoNCE, temperature 0.1); a new split every step. Returns every song's 64-d
    embedding of its whole descriptor."""
    import tensorflow as tf

    from ml.analysis import budget_patch_indices

    rng = np.random.default_rng(seed)
    tf.keras.utils.set_random_seed(seed)
    chosen = [
        np.arange(len(p["msd"]))
        if budget is None or len(p["msd"]) <= budget
        else budget_patch_indices(len(p["msd"]), budget)
        for p in patches
    ]
    both = [
        np.concatenate([p["msd"], p["mtt"]], axis=1)[c]
        for p, c in zip(patches, chosen, strict=True)
    ]

    def describe(x: np.ndarray) -> np.ndarray:
        mean, std = x.mean(axis=0), x.std(axis=0)
        return np.concatenate([mean[:200], std[:200], mean[200:], std[200:]])

    full = np.stack([describe(x) for x in both])
    mean, std = full[:n].mean(axis=0), full[:n].std(axis=0) + 1e-6
    head = tf.keras.Sequential(
        [
            tf.keras.Input((800,)),
            tf.keras.layers.Dense(256, activation="relu"),
            tf.keras.layers.Dense(64),
        ]
    )
    optimiser = tf.keras.optimizers.Adam(1e-3)
    for _ in range(400):
        batch = rng.choice(n, size=min(64, n), replace=False)
        views = [[], []]
        for i in batch:
            order = rng.permutation(len(both[i]))
            half = max(1, len(order) // 2)
            views[0].append(describe(both[i][order[:half]]))
            views[1].append(describe(both[i][order[half:]] if len(order) > 1 else both[i]))
        a, b = ((np.stack(v) - mean) / std for v in views)
        with tf.GradientTape() as tape:
            za = tf.math.l2_normalize(head(a, training=True), axis=1)
            zb = tf.math.l2_normalize(head(b, training=True), axis=1)
            logits = tf.matmul(za, zb, transpose_b=True) / 0.1
            target = tf.range(len(batch))
            loss = tf.reduce_mean(
                tf.keras.losses.sparse_categorical_crossentropy(target, logits, from_logits=True)
                + tf.keras.losses.sparse_categorical_crossentropy(
                    target, tf.transpose(logits), from_logits=True
                )
            )
        grads = tape.gradient(loss, head.trainable_variables)
        optimiser.apply_gradients(zip(grads, head.trainable_variables, strict=True))
    return head((full - mean) / std, training=False).numpy()


def _precision_of_folder(vectors: np.ndarray, labels: list[str], n: int) -> float:
    """precision@5 of the folder's songs when the neighbours are searched among all rows."""
    from ml.evaluation import cosine_neighbours

    nearest = cosine_neighbours(vectors, K)[:n]
    labels_arr = np.asarray(labels)
    return float((labels_arr[nearest] == labels_arr[:n, None]).mean())


def budgets(paths: list[Path], patches: list[dict], labels: list[str]) -> None:
    """Patch budget x precision x speed: analyse_file on every 16th file, one process with both
    cores' threads, both models (the default) and the MSD model alone (as before)."""
    from ml.analysis import analyse_file, warm_up
    from ml.backbone import load_backbone, load_mtt_tagger
    from ml.descriptor import embed, fit_space

    backbone, tagger = load_backbone(), load_mtt_tagger()
    warm_up(backbone, tagger=tagger)
    sample = paths[::16]
    print(
        f"\n  patch budget x precision x speed (speed: analyse_file on {len(sample)} files, "
        "decode included, one process, 2 threads)"
    )
    print(
        f"  {'budget':>6}  {'descriptor P@5':>14}  {'5-NN':>5}  {'MSD mean P@5':>12}  "
        f"{'both models':>12}  {'MSD alone':>10}"
    )
    for budget in (3, 5, 10, 20, 30, None):
        x = np.stack([pooled(p, budget, ("msd.mean+std", "mtt.mean+std")) for p in patches])
        p5, knn = scores(embed(x, fit_space(x)), labels)
        msd = z_scored(np.stack([pooled(p, budget, ("msd.mean",)) for p in patches]))
        speeds = []
        for model_tagger in (tagger, None):
            seconds = audio = 0.0
            for path in sample:
                started = time.perf_counter()
                result = analyse_file(
                    path, backbone=backbone, tagger=model_tagger, patch_budget=budget
                )
                seconds += time.perf_counter() - started
                audio += result.duration_s
            speeds.append(audio / seconds)
        print(
            f"  {budget or 'all':>6}  {p5:>14.3f}  {knn:>5.3f}  {scores(msd, labels)[0]:>12.3f}"
            f"  {speeds[0]:>11.0f}x  {speeds[1]:>9.0f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--skip-platform", action="store_true")
    parser.add_argument("--skip-candidates", action="store_true")
    args = parser.parse_args()
    folder = args.folder.resolve()

    import django

    from neuralnotes import embedded

    # The local settings only say where the embedded services are; this process starts them.
    embedded.start_local_services(var_dir=embedded.var_dir(), env=os.environ)
    django.setup()
    from django.conf import settings

    labels = read_labels(folder)
    print(f"{len(labels)} labelled files in {folder}, {len(set(labels.values()))} soundtracks")
    if not args.skip_platform:
        platform(folder, labels)
    if not args.skip_candidates:
        candidates(folder, labels, settings.ANALYSIS_PATCH_BUDGET)


if __name__ == "__main__":
    main()
