"""Make the three demo accounts of a fresh install and print how to sign in.

Passwords are random, made once, and kept (mode 600) in a file under ``var/`` so a restart prints
the same ones. Nothing is made when the database already has accounts that this command did not
make: a real installation keeps its own.
"""

import json
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction

from songs.services.roles import user_make_catalogue_manager

ROLES = {"admin": "admin", "manager": "catalogue manager", "listener": "listener"}


class Command(BaseCommand):
    help = "Create demo admin, catalogue-manager and listener accounts on an empty install."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--credentials-file", type=Path, default=settings.VAR_DIR / "demo-accounts.json"
        )

    def handle(self, *args, credentials_file: Path, **options) -> None:
        credentials = self._load(credentials_file)
        if not credentials:
            if User.objects.exists():
                self.stdout.write("Accounts already exist; no demo accounts made.")
                return
            credentials = self._create()
            credentials_file.parent.mkdir(parents=True, exist_ok=True)
            credentials_file.touch(mode=0o600)
            credentials_file.write_text(json.dumps(credentials, indent=2))
        for username, password in credentials.items():
            self.stdout.write(f"  {ROLES[username]:<18} {username} / {password}")

    def _load(self, path: Path) -> dict[str, str]:
        if not path.exists():
            return {}
        credentials = json.loads(path.read_text())
        # A file from an earlier database (var/pg deleted) no longer says the truth.
        if User.objects.filter(username__in=credentials).count() != len(credentials):
            return {}
        return credentials

    @transaction.atomic
    def _create(self) -> dict[str, str]:
        credentials = {username: secrets.token_urlsafe(9) for username in ROLES}
        User.objects.create_superuser("admin", "", credentials["admin"])
        manager = User.objects.create_user("manager", "", credentials["manager"])
        user_make_catalogue_manager(user=manager)
        User.objects.create_user("listener", "", credentials["listener"])
        return credentials
