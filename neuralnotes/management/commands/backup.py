"""Back up the database and the media files it names, consistent with each other."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from neuralnotes.backup import BackupError, backup_create

MISSING_SHOWN = 10


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump) and every media file it names, from one snapshot, into "
        "a new folder; manage.py restore puts them back into an empty installation."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("destination", type=Path, help="a folder that does not exist yet")

    def handle(self, *args, destination: Path, **options) -> None:
        try:
            result = backup_create(folder=destination)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        counts = ", ".join(f"{n} {key.replace('_', ' ')}" for key, n in result.row_counts.items())
        self.stdout.write(
            f"Backed up {counts} and {result.files} media files ({result.bytes / 1e6:.1f} MB) "
            f"to {result.folder}: database {result.dump_seconds:.2f} s, "
            f"media {result.media_seconds:.2f} s."
        )
        if result.missing_files:
            shown = ", ".join(result.missing_files[:MISSING_SHOWN])
            more = len(result.missing_files) - MISSING_SHOWN
            self.stderr.write(
                f"{len(result.missing_files)} files the database names are missing from "
                f"storage (listed in manifest.json): {shown}"
                + (f" and {more} more" if more > 0 else "")
            )
