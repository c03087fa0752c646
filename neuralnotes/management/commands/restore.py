"""Restore a backup of `manage.py backup` into an empty installation."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from neuralnotes.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a folder written by manage.py backup into this installation, whose database "
        "must have no users and no songs (a new database, migrated or not); then run migrate."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("backup", type=Path, help="a folder written by manage.py backup")

    def handle(self, *args, backup: Path, **options) -> None:
        try:
            result = backup_restore(folder=backup)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        counts = ", ".join(f"{n} {key.replace('_', ' ')}" for key, n in result.row_counts.items())
        self.stdout.write(
            f"Restored {counts} (as the backup counted) and {result.files} media files "
            f"({result.bytes / 1e6:.1f} MB, {result.files_already_there} already there) from "
            f"{backup}: database {result.database_seconds:.2f} s, "
            f"media {result.media_seconds:.2f} s."
        )
