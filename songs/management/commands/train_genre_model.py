from django.core.management.base import BaseCommand, CommandError

from ml.head import GenreTrainingError
from songs.services.genre_models import genre_model_train


class Command(BaseCommand):
    help = "Train a genre head on the analysed, genre-labelled songs and fill in its embeddings."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--max-epochs", type=int, default=300)
        parser.add_argument("--activate", action="store_true", help="make it the active embedding")

    def handle(self, *args, seed: int, max_epochs: int, activate: bool, **options) -> None:
        try:
            model = genre_model_train(seed=seed, max_epochs=max_epochs, activate=activate)
        except GenreTrainingError as exc:
            raise CommandError(str(exc)) from exc
        m = model.metrics
        self.stdout.write(
            f"{model.name}: {m['labelled_songs']} labelled songs ({m['train_songs']} to train, "
            f"{m['validation_songs']} held out), {len(model.genres)} genres, {m['epochs']} epochs\n"
            f"held-out accuracy {m['accuracy']:.3f}, macro-F1 {m['macro_f1']:.3f}"
            + ("; now active" if model.is_active else "")
        )
        width = max(len(g) for g in model.genres)
        self.stdout.write("confusion (rows: true genre, columns: predicted)")
        for genre, row in zip(model.genres, m["confusion"], strict=True):
            self.stdout.write(f"  {genre:>{width}} " + " ".join(f"{n:3d}" for n in row))
