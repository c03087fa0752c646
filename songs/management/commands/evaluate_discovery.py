"""How good are word search and song alchemy? Measured on the demo catalogue's ground truth."""

from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from songs.demo_catalogue import read_ground_truth
from songs.models import Song
from songs.selectors.alchemy import songs_alchemy
from songs.selectors.similarity import active_embedding_model
from songs.selectors.words import songs_by_words
from songs.services.demo import DEMO_CATALOGUE, demo_render_folder

K = 10


class Command(BaseCommand):
    help = (
        "On the analysed demo catalogue (manage.py load_demo): precision@10 of word search for "
        "every instrument and style word the demo has ground truth for, and the share of song "
        "alchemy results closer to the added songs than to the subtracted ones."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seed", type=int, default=0, help="the demo's seed (load_demo)")
        parser.add_argument("--seconds", type=float, default=30.0, help="as given to load_demo")
        parser.add_argument("--alchemy-trials", type=int, default=200)
        parser.add_argument(
            "--compare-patch-budgets",
            default="",
            help="e.g. 3,10: analyse the demo files again with that many patches each "
            "(both models), and compare word search precision on instrument words (slow)",
        )

    def handle(
        self,
        *args,
        seed: int,
        seconds: float,
        alchemy_trials: int,
        compare_patch_budgets: str,
        **options,
    ) -> None:
        folder = demo_render_folder() / f"seed-{seed}-{seconds:g}s"
        truth_by_file = read_ground_truth(folder)
        songs = Song.objects.ready().filter(
            catalogue__name=DEMO_CATALOGUE, original_name__in=list(truth_by_file)
        )
        truth = {
            song_id: truth_by_file[name]
            for song_id, name in songs.values_list("id", "original_name")
        }
        if len(truth) < 20:
            raise CommandError(
                f"Found {len(truth)} analysed demo songs with ground truth in {folder}: run "
                "manage.py load_demo (with the same --seed and --seconds) and let the worker "
                "analyse them first."
            )
        untagged = songs.filter(tag_vector__isnull=True).count()
        self.stdout.write(
            f"{len(truth)} analysed demo songs with ground truth ({folder}); "
            f"{Song.objects.ready().count()} analysed songs in all"
            + (f"; {untagged} without tags yet (manage.py tag_songs)" if untagged else "")
        )
        self.word_search(truth)
        self.alchemy(truth, alchemy_trials)
        if compare_patch_budgets:
            budgets = [int(b) for b in compare_patch_budgets.split(",")]
            self.patch_budgets(folder, truth_by_file, budgets)

    def word_search(self, truth: dict[int, dict]) -> None:
        instruments = sorted({word for t in truth.values() for word in t["instruments"]})
        styles = sorted({t["style"] for t in truth.values()})
        self.stdout.write(
            f"\nWord search, precision@{K} (the share of the first {K} songs that have it). "
            "'base rate': the share of demo songs that have it, what a random pick scores. "
            "'tags alone': style words with the catalogue's genre labels ignored, so ranked by "
            "the models' tags only."
        )
        self.stdout.write(
            f"{'word':16} {'understood as':44} {'P@10':>5} {'tags alone':>10} {'base rate':>9}"
        )
        scores = {"instrument": [], "style": []}
        for kind, words in (("instrument", instruments), ("style", styles)):
            for word in words:

                def relevant(song_id, kind=kind, word=word) -> bool:
                    t = truth.get(song_id)
                    if t is None:
                        return False
                    return word in t["instruments"] if kind == "instrument" else t["style"] == word

                base = np.mean([relevant(song_id) for song_id in truth])
                search = songs_by_words(query=word.lower(), k=K)
                understood = "; ".join(
                    _describe(term) for term in search.understanding.terms if term.kind != "ignored"
                )
                precision = _precision(search, relevant)
                alone = ""
                if kind == "style":
                    tags_only = songs_by_words(query=word.lower(), k=K, use_genres=False)
                    if any(term.tag_indices for term in tags_only.understanding.terms):
                        alone = f"{_precision(tags_only, relevant):.2f}"
                    else:
                        alone = "-"
                shown = f"{precision:.2f}" if precision is not None else "-"
                self.stdout.write(
                    f"{word:16} {understood[:44]:44} {shown:>5} {alone:>10} {base:9.2f}"
                )
                if precision is not None:
                    scores[kind].append(precision)
        for kind, values in scores.items():
            if values:
                self.stdout.write(
                    f"mean precision@{K} over the {len(values)} understood {kind} words: "
                    f"{np.mean(values):.2f}"
                )

    def alchemy(self, truth: dict[int, dict], trials: int) -> None:
        embedding_model = active_embedding_model()
        vectors = {
            song_id: _unit(vector)
            for song_id, vector in embedding_model.vectors()
            .filter(song_id__in=list(truth))
            .values_list("song_id", "vector")
        }
        by_style: dict[str, list[int]] = {}
        for song_id, t in truth.items():
            if song_id in vectors:
                by_style.setdefault(t["style"], []).append(song_id)
        rng = np.random.default_rng(0)
        styles = sorted(by_style)
        self.stdout.write(
            f"\nSong alchemy ({embedding_model.name}), {trials} random recipes per setting, "
            f"{K} results each: the share of results closer (cosine) to the added songs' centre "
            "than to the subtracted songs' centre, and the share in the added songs' style."
        )
        for n_add, n_subtract in ((1, 1), (2, 1), (3, 2)):
            closer = in_style = total = 0
            for _ in range(trials):
                added_style, subtracted_style = rng.choice(styles, 2, replace=False)
                add = list(rng.choice(by_style[added_style], n_add, replace=False))
                subtract = list(rng.choice(by_style[subtracted_style], n_subtract, replace=False))
                found = songs_alchemy(
                    add=[(int(i), 1.0) for i in add],
                    subtract=[(int(i), 1.0) for i in subtract],
                    k=K,
                    fields=("id",),
                )
                towards = _unit(np.mean([vectors[i] for i in add], axis=0))
                away = _unit(np.mean([vectors[i] for i in subtract], axis=0))
                for song, _ in found:
                    v = vectors.get(song.id)
                    if v is None:
                        continue
                    total += 1
                    closer += float(v @ towards) > float(v @ away)
                    in_style += truth[song.id]["style"] == added_style
            self.stdout.write(
                f"  add {n_add}, subtract {n_subtract}: closer to the added {closer / total:.3f}, "
                f"in the added style {in_style / total:.3f} ({total} results)"
            )

    def patch_budgets(self, folder: Path, truth: dict[str, dict], budgets: list[int]) -> None:
        """Word search precision@10 on instrument words with each budget of analysed patches,
        ranked as songs_by_words ranks (tags only, in numpy)."""
        from ml.analysis import analyse_file
        from ml.backbone import load_backbone, load_mtt_tagger
        from ml.tags import tag_log_probabilities
        from ml.vocabulary import tag_weights, understand

        backbone, tagger = load_backbone(), load_mtt_tagger()
        names = sorted(truth)
        words = sorted({w for t in truth.values() for w in t["instruments"]})
        self.stdout.write(
            f"\nPatch budgets on {len(names)} demo files: precision@{K} by instrument word"
        )
        self.stdout.write(f"{'word':16}" + "".join(f"{f'{b} patches':>12}" for b in budgets))
        table = {}
        for budget in budgets:
            vectors = []
            for name in names:
                analysis = analyse_file(
                    folder / name, backbone=backbone, tagger=tagger, patch_budget=budget
                )
                msd, mtt = analysis.msd_tag_probabilities, analysis.mtt_tag_probabilities
                vectors.append(tag_log_probabilities(msd, mtt))
            vectors = np.stack(vectors)
            for word in words:
                weights = tag_weights(understand(word))
                if not weights:
                    continue
                query = np.zeros(vectors.shape[1])
                for index, weight in weights.items():
                    query[index] = weight
                top = np.argsort(-(vectors @ query), kind="stable")[:K]
                hits = sum(word in truth[names[i]]["instruments"] for i in top)
                table.setdefault(word, {})[budget] = hits / K
        for word, row in table.items():
            self.stdout.write(f"{word:16}" + "".join(f"{row[b]:12.2f}" for b in budgets))
        means = [np.mean([row[b] for row in table.values()]) for b in budgets]
        self.stdout.write(f"{'mean':16}" + "".join(f"{m:12.2f}" for m in means))


def _precision(search, relevant) -> float | None:
    if not search.songs:
        return None
    hits = [relevant(song.id) for song, _ in search.songs[:K]]
    return sum(hits) / K


def _describe(term) -> str:
    if term.kind == "tags":
        return f"{term.how}: " + ",".join(dict.fromkeys(t.lower() for t in term.tags))
    if term.kind == "genre":
        return "genre " + "/".join(term.genres)
    return term.kind


def _unit(vector) -> np.ndarray:
    vector = np.asarray(vector, np.float64)
    return vector / (np.linalg.norm(vector) or 1.0)
