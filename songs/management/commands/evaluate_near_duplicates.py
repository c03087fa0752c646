"""How well does the near-duplicate rule find copies of a song? Measured on the demo catalogue and
re-encoded copies of every song, analysed with the real backbone; no database involved."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand

from ml.copies import COPY_KINDS
from ml.duplicates import cosine_distances, near_duplicate_pairs, precision_recall

ORIGINAL = "original"
# The four kinds, with "first 20 s cut" read as the first 20 s removed; the other reading
# ("first-20s": only the first 20 s kept) is measured and reported beside them.
MAIN_KINDS = ("mp3-64k", "opus-96k", "22khz", "cut-first-20s")
RAW_THRESHOLDS = (0.004, 0.006, 0.008, 0.01, 0.012, 0.015, 0.02, 0.03, 0.05)
STANDARDISED_THRESHOLDS = (0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1, 0.15, 0.2)


class Command(BaseCommand):
    help = (
        "Render the demo catalogue, make copies of every song (MP3 64 kbit/s, Opus 96 kbit/s, "
        "22.05 kHz, trimmed), analyse all of them with the musicnn backbone, standardise like the "
        "catalogue does, and print the near-duplicate rule's precision and recall and the "
        "distances of true pairs and of nearest different songs, in the raw and the "
        "standardised space."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--songs-per-style", type=int, default=25)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--sample-rate",
            type=int,
            default=44_100,
            help="rate the originals are rendered at (Hz); above 22.05 kHz, so that the 22.05 "
            "kHz copy is a real resampling",
        )
        parser.add_argument(
            "--folder",
            type=Path,
            help="keep originals, copies and their features here and reuse them on a second run "
            "(default: a temporary folder)",
        )
        parser.add_argument(
            "--max-distance",
            type=float,
            default=settings.NEAR_DUPLICATE_MAX_DISTANCE,
            help="the rule's threshold (default: NEAR_DUPLICATE_MAX_DISTANCE)",
        )

    def handle(self, *args, folder: Path | None, **options) -> None:
        if folder is None:
            with tempfile.TemporaryDirectory(prefix="near-duplicates-") as tmp:
                self._evaluate(Path(tmp), **options)
        else:
            folder.mkdir(parents=True, exist_ok=True)
            self._evaluate(folder, **options)

    def _evaluate(
        self,
        folder: Path,
        *,
        songs_per_style: int,
        seed: int,
        sample_rate: int,
        max_distance: float,
        **options,
    ) -> None:
        from ml.backbone import fit_standardisation, standardise

        files = self._prepare(folder, songs_per_style, seed, sample_rate)
        features, durations = self._analyse(folder, files)
        kinds = np.array([kind for kind, _, _ in files])
        sources = np.array([source for _, source, _ in files])
        # The catalogue fits its standardisation on the songs it holds: here, the originals.
        mean, std = fit_standardisation(features[kinds == ORIGINAL])
        standardised = standardise(features, mean, std)
        np.savez(
            folder / "evaluation.npz",
            features=features,
            standardised=standardised,
            durations=durations,
            kinds=kinds,
            sources=sources,
        )
        self._report(features, standardised, kinds, sources, max_distance)

    def _prepare(
        self, folder: Path, songs_per_style: int, seed: int, sample_rate: int
    ) -> list[tuple[str, int, Path]]:
        """Render the originals and make every copy of each: [(kind, source index, path)]."""
        from songs.demo_catalogue import render_demo_catalogue

        originals_dir = folder / f"originals-s{seed}-{sample_rate}hz"
        copies_dir = folder / f"copies-s{seed}-{sample_rate}hz"
        copies_dir.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        songs = render_demo_catalogue(
            originals_dir,
            seed=seed,
            songs_per_style=songs_per_style,
            sample_rate=sample_rate,
            progress=lambda done, total: self._progress("Rendering the demo songs", done, total),
        )
        files: list[tuple[str, int, Path]] = []
        for index, song in enumerate(songs):
            files.append((ORIGINAL, index, song.path))
            for kind, (suffix, _, make) in COPY_KINDS.items():
                path = copies_dir / f"{song.path.stem}.{kind}{suffix}"
                if not path.exists():
                    partial = path.with_name(f".partial.{path.name}")
                    make(song.path, partial).replace(path)
                files.append((kind, index, path))
            self._progress("Making copies", index + 1, len(songs))
        self.stdout.write(
            f"{len(songs)} songs of {sample_rate} Hz stereo Ogg Vorbis, {songs[0].path.parent}; "
            f"{len(files) - len(songs)} copies in {copies_dir} "
            f"({time.monotonic() - started:.0f} s)"
        )
        return files

    def _analyse(
        self, folder: Path, files: list[tuple[str, int, Path]]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Raw backbone embeddings (n, 200) and durations (n,) s, as the catalogue's analysis
        makes them; kept in ``folder`` by file name, size and time, so a rerun analyses nothing
        that did not change."""
        from ml.analysis import analyse_file
        from ml.backbone import load_backbone

        cache_path = folder / "features-cache.npz"
        cache: dict[str, tuple[np.ndarray, float]] = {}
        if cache_path.exists():
            with np.load(cache_path) as stored:
                cache = {
                    key: (vector, float(duration))
                    for key, vector, duration in zip(
                        stored["keys"], stored["features"], stored["durations"], strict=True
                    )
                }
        backbone = None
        started = time.monotonic()
        features, durations = [], []
        for done, (_, _, path) in enumerate(files, start=1):
            stat = path.stat()
            key = f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}"
            if key not in cache:
                backbone = backbone or load_backbone(
                    intra_op_threads=settings.ANALYSIS_TF_THREADS, inter_op_threads=1
                )
                analysis = analyse_file(
                    path, backbone=backbone, patch_budget=settings.ANALYSIS_PATCH_BUDGET
                )
                cache[key] = (analysis.embedding, analysis.duration_s)
            features.append(cache[key][0])
            durations.append(cache[key][1])
            self._progress("Analysing", done, len(files))
            if done % 50 == 0 or done == len(files):
                keys = sorted(cache)
                np.savez(
                    cache_path,
                    keys=np.array(keys),
                    features=np.stack([cache[k][0] for k in keys]),
                    durations=np.array([cache[k][1] for k in keys]),
                )
        self.stdout.write(
            f"Analysed {len(files)} files with the musicnn backbone, patch budget "
            f"{settings.ANALYSIS_PATCH_BUDGET} ({time.monotonic() - started:.0f} s)"
        )
        return np.stack(features).astype(np.float32), np.asarray(durations)

    def _report(
        self,
        features: np.ndarray,
        standardised: np.ndarray,
        kinds: np.ndarray,
        sources: np.ndarray,
        max_distance: float,
    ) -> None:
        write = self.stdout.write
        n_songs = int((kinds == ORIGINAL).sum())
        write(f"\n{n_songs} songs and {len(kinds) - n_songs} copies. Copies:")
        for kind, (_, description, _) in COPY_KINDS.items():
            write(f"  {kind:<14} {description}")
        write(
            f"\nThe rule: cosine distance of the raw backbone embeddings <= {max_distance:g}."
            "\nPrecision and recall, each kind alone (the originals and that kind's copies):"
        )
        write(f"  {'copies':<30} {'pairs':>5} {'found':>5} {'precision':>9} {'recall':>6}")
        for kind in COPY_KINDS:
            self._score_line(kind, features, kinds, sources, (kind,), max_distance)
        write("All copies together (any two files of one song are a true pair):")
        alternative = tuple(k if k != "cut-first-20s" else "first-20s" for k in MAIN_KINDS)
        for label, chosen in (
            ("the four kinds", MAIN_KINDS),
            ("the four, first-20s for cut", alternative),
            ("all five", tuple(COPY_KINDS)),
        ):
            self._score_line(label, features, kinds, sources, chosen, max_distance)

        spaces = {
            "raw backbone embeddings (the rule's space)": (features, RAW_THRESHOLDS),
            f"standardised (z-scores fitted on the {n_songs} originals)": (
                standardised,
                STANDARDISED_THRESHOLDS,
            ),
        }
        for name, (vectors, thresholds) in spaces.items():
            write(f"\nCosine distances, {name}:")
            self._distances(vectors, kinds, sources)
            self._sweep(vectors, kinds, sources, thresholds)

    def _distances(self, vectors: np.ndarray, kinds: np.ndarray, sources: np.ndarray) -> None:
        """Quantiles of each copy's distance to its original, and of every file's distance to
        the nearest file of another song (originals and all copies together)."""
        write = self.stdout.write
        distances = cosine_distances(vectors)
        nearest_other = np.where(sources[:, None] != sources[None, :], distances, np.inf).min(1)
        originals = {int(sources[i]): i for i in np.flatnonzero(kinds == ORIGINAL)}
        write(f"  {'':<34} {'min':>6} {'5%':>6} {'median':>6} {'95%':>6} {'max':>6}")
        for kind in COPY_KINDS:
            rows = np.flatnonzero(kinds == kind)
            true = distances[rows, [originals[int(sources[i])] for i in rows]]
            write(self._quantile_line(f"{kind} to its original", true))
        for kind in (ORIGINAL, *COPY_KINDS):
            write(self._quantile_line(f"{kind}: nearest other song", nearest_other[kinds == kind]))

    def _sweep(
        self, vectors: np.ndarray, kinds: np.ndarray, sources: np.ndarray, thresholds
    ) -> None:
        """Precision and recall of the four kinds together, and each kind's recall, by
        threshold; and the threshold of the best F1."""
        write = self.stdout.write
        chosen = np.isin(kinds, (ORIGINAL, *MAIN_KINDS))
        distances = cosine_distances(vectors[chosen])
        sub_kinds, sub_sources = kinds[chosen], sources[chosen]
        rows, cols = np.triu_indices(len(distances), k=1)
        pair_distances = distances[rows, cols]
        true = sub_sources[rows] == sub_sources[cols]
        # A true pair's kind: the copy's kind for (original, copy) pairs, else "copy-copy".
        pair_kind = np.where(
            sub_kinds[rows] == ORIGINAL,
            sub_kinds[cols],
            np.where(sub_kinds[cols] == ORIGINAL, sub_kinds[rows], "copy-copy"),
        )
        write("  The four kinds together, by threshold (recall of each kind's pairs with its")
        write("  original):")
        header = f"  {'threshold':>9} {'found':>6} {'precision':>9} {'recall':>6}  " + " ".join(
            f"{kind:>13}" for kind in MAIN_KINDS
        )
        write(header)
        for threshold in thresholds:
            found = pair_distances <= threshold
            hits = (found & true).sum()
            precision = hits / found.sum() if found.any() else 1.0
            per_kind = " ".join(
                f"{(found & of_kind).sum() / of_kind.sum():>13.2f}"
                for of_kind in (true & (pair_kind == kind) for kind in MAIN_KINDS)
            )
            write(
                f"  {threshold:>9.3f} {found.sum():>6} {precision:>9.3f} "
                f"{hits / true.sum():>6.3f}  {per_kind}"
            )
        order = np.argsort(pair_distances, kind="stable")
        hits = np.cumsum(true[order])
        precision = hits / np.arange(1, len(order) + 1)
        recall = hits / true.sum()
        f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
        best = int(f1.argmax())
        write(
            f"  Best F1 {f1[best]:.3f} at distance {pair_distances[order[best]]:.4f} "
            f"(precision {precision[best]:.3f}, recall {recall[best]:.3f})"
        )

    def _score_line(self, label, vectors, kinds, sources, chosen, max_distance) -> None:
        mask = np.isin(kinds, (ORIGINAL, *chosen))
        truth = _true_pairs(sources[mask])
        found = {
            (i, j) for i, j, _ in near_duplicate_pairs(vectors[mask], max_distance=max_distance)
        }
        precision, recall = precision_recall(found, truth)
        self.stdout.write(
            f"  {label:<30} {len(truth):>5} {len(found):>5} {precision:>9.3f} {recall:>6.3f}"
        )

    def _quantile_line(self, label: str, values: np.ndarray) -> str:
        q = np.quantile(values, [0.0, 0.05, 0.5, 0.95, 1.0])
        return f"  {label:<34} " + " ".join(f"{v:>6.3f}" for v in q)

    def _progress(self, what: str, done: int, total: int) -> None:
        self.stdout.write(f"\r{what}: {done}/{total}", ending="\n" if done == total else "")
        self.stdout.flush()


def _true_pairs(sources: np.ndarray) -> set[tuple[int, int]]:
    """(i, j), i < j, for every two files made from the same song."""
    rows, cols = np.triu_indices(len(sources), k=1)
    same = sources[rows] == sources[cols]
    return set(zip(rows[same].tolist(), cols[same].tolist(), strict=True))
