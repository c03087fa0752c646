"""Bring songs analysed by an older version up to date, e.g. after an upgrade."""

import time

from django.core.management.base import BaseCommand

from songs.services.analysis import songs_incomplete
from songs.tasks import complete_analysis

POLL_S = 2.0


class Command(BaseCommand):
    help = (
        "Queue the analysed songs that lack what today's analysis gives (the MagnaTagATune "
        "tags, the descriptor that similarity is computed from) so that the workers add it, "
        "and follow their progress. Search keeps answering from the active embedding "
        "meanwhile; once every song has its descriptor, the embedding is refitted on it."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--no-wait", action="store_false", dest="wait", help="queue them and return"
        )

    def handle(self, *args, wait: bool, **options) -> None:
        ids = list(songs_incomplete().order_by("id").values_list("id", flat=True))
        for song_id in ids:
            complete_analysis.delay(song_id)
        self.stdout.write(f"{len(ids)} songs queued for the workers to complete their analysis.")
        if not wait or not ids:
            return
        self.stdout.write("Waiting for the workers (Ctrl-C stops waiting; they carry on).")
        started = time.monotonic()
        while remaining := songs_incomplete().filter(id__in=ids).count():
            done = len(ids) - remaining
            rate = done / max(time.monotonic() - started, 1e-9) * 60
            self.stdout.write(
                f"\r{done}/{len(ids)} completed, {rate:.0f} songs a minute", ending=""
            )
            self.stdout.flush()
            time.sleep(POLL_S)
        self.stdout.write(f"\r{len(ids)}/{len(ids)} completed.{' ' * 20}")
