"""Import a folder of music on the server, e.g. ``manage.py import_music /srv/music``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from songs.models import UploadBatch
from songs.services.folders import batch_add_folder
from songs.services.ingestion import DEFAULT_CATALOGUE, batch_create, catalogue_get_or_create


class Command(BaseCommand):
    help = (
        "Import every audio file under PATH (Artist/Album/NN Title.ext or anything else); title, "
        "artist, album, genre and track come from the files' tags, else from their paths. The "
        "files stay where they are (the media storage links to them) unless --copy is given."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--catalogue", default=DEFAULT_CATALOGUE)
        parser.add_argument(
            "--genre-from-folder",
            action="store_true",
            help="the first folder under PATH is the genre (Genre/Artist/Album/...)",
        )
        parser.add_argument(
            "--copy",
            action="store_true",
            help="copy the files into the media storage instead of linking to them where they "
            "are (object storage always gets copies)",
        )

    def handle(
        self, *args, path: Path, catalogue: str, genre_from_folder: bool, copy: bool, **options
    ) -> None:
        if not path.is_dir():
            raise CommandError(f"{path} is not a folder.")
        batch = batch_create(
            source=UploadBatch.Source.IMPORT,
            catalogue=catalogue_get_or_create(name=catalogue),
            name=str(path.resolve()),
        )
        outcomes = batch_add_folder(
            batch=batch,
            root=path,
            genre_from_folder=genre_from_folder,
            progress=self._progress,
            in_place=not copy,
        )
        created = sum(o.created for o in outcomes)
        duplicates = sum(o.song is not None and not o.created for o in outcomes)
        rejected = [o for o in outcomes if o.song is None]
        self.stdout.write(
            f"\nBatch {batch.id}: {created} new songs queued for analysis, {duplicates} already "
            f"in the catalogue, {len(rejected)} rejected."
        )
        for outcome in rejected:
            self.stdout.write(f"  rejected {outcome.error}")
        if not copy and created:
            self.stdout.write(
                f"The files stay in {path.resolve()} and are played from there: keep them there, "
                "or import with --copy."
            )

    def _progress(self, done: int, total: int, outcome) -> None:
        width = 30
        filled = width * done // max(total, 1)
        self.stdout.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {outcome.name[-40:]:<40}",
            ending="",
        )
        self.stdout.flush()
