"""Take the demo catalogue away, leaving nothing of it behind (songs.services.demo)."""

from django.core.management.base import BaseCommand

from songs.services.demo import demo_catalogue_remove, demo_songs


class Command(BaseCommand):
    help = (
        "Delete the demo catalogue's songs with their files, vectors, map points, places in "
        "mixes and playlists, ratings and plays; the embedding statistics are then refitted "
        "on the songs that remain."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--no-input", action="store_false", dest="interactive", help="do not ask to confirm"
        )

    def handle(self, *args, interactive: bool, **options) -> None:
        count = demo_songs().count()
        if not count:
            self.stdout.write("There is no demo catalogue to remove.")
            return
        if interactive:
            answer = input(f"Delete the {count} demo songs and all that hangs on them? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                self.stdout.write("Nothing removed.")
                return
        removed = demo_catalogue_remove()
        self.stdout.write(
            f"Removed {removed.songs} demo songs, {removed.playlist_entries} playlist entries "
            f"and {removed.files} files."
        )
