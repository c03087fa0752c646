"""Does the CNN earn its place? Genre k-NN quality of each embedding against an MFCC baseline."""

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from ml.evaluation import knn_accuracy, precision_at_k
from songs.models import EmbeddingModel, Song


class Command(BaseCommand):
    help = (
        "On the analysed, genre-labelled songs: leave-one-out k-NN genre accuracy and mean "
        "precision@k of same-genre neighbours (cosine), for every embedding model and for "
        "MFCC statistics, side by side."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("-k", type=int, default=5)

    def handle(self, *args, k: int, **options) -> None:
        songs = Song.objects.ready().exclude(genre="").order_by("id")
        rows = list(songs.values_list("id", "genre", "mfcc_stats"))
        if len(rows) <= k or len({genre for _, genre, _ in rows}) < 2:
            raise CommandError(
                f"Need more than {k} analysed songs with genre labels, of at least 2 genres; "
                f"found {len(rows)}."
            )
        ids = [song_id for song_id, _, _ in rows]
        labels = [genre for _, genre, _ in rows]
        spaces = {"MFCC statistics (baseline)": np.stack([np.asarray(m) for _, _, m in rows])}
        for embedding_model in EmbeddingModel.objects.filter(state=EmbeddingModel.State.READY):
            vectors = dict(
                embedding_model.vectors().filter(song_id__in=ids).values_list("song_id", "vector")
            )
            if len(vectors) == len(ids):
                label = embedding_model.name + (" (active)" if embedding_model.is_active else "")
                if embedding_model.kind == EmbeddingModel.Kind.GENRE_HEAD:
                    label += " (trained on these labels: optimistic)"
                spaces[label] = np.stack([np.asarray(vectors[i]) for i in ids])
        self.stdout.write(
            f"{len(ids)} labelled songs, {len(set(labels))} genres, k={k}, cosine distance\n"
        )
        width = max(len(name) for name in spaces)
        self.stdout.write(f"{'embedding':<{width}}  dims  k-NN accuracy  precision@{k}")
        for name, vectors in spaces.items():
            self.stdout.write(
                f"{name:<{width}}  {vectors.shape[1]:>4}  {knn_accuracy(vectors, labels, k):>13.3f}"
                f"  {precision_at_k(vectors, labels, k):>11.3f}"
            )
