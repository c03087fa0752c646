import time

from django.core.management.base import BaseCommand, CommandError

from explorer.services import MapBuildRefused, map_build


class Command(BaseCommand):
    help = "Build a new 3D map of the catalogue (t-SNE by default) and make it the active one."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--method", choices=["tsne", "umap"])
        parser.add_argument("--seed", type=int)

    def handle(self, *args, method: str | None, seed: int | None, **options) -> None:
        started = time.perf_counter()
        try:
            version = map_build(method=method, seed=seed)
        except MapBuildRefused as exc:
            raise CommandError(str(exc)) from exc
        trust = (
            "n/a (too few songs)"
            if version.trustworthiness is None
            else f"{version.trustworthiness:.3f}"
        )
        self.stdout.write(
            f"Map {version.id}: {version.song_count} songs by {version.method} in "
            f"{time.perf_counter() - started:.1f} s; trustworthiness (k=10) {trust}"
        )
        for number, name in enumerate(version.cluster_names, start=1):
            self.stdout.write(f"  cluster {number}: {name}")
