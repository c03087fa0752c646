"""Look for near-duplicate songs over the whole catalogue, as the manager's "Scan" button does."""

from django.conf import settings
from django.core.management.base import BaseCommand

from songs.models import NearDuplicate
from songs.services.duplicates import duplicate_space, near_duplicates_scan


class Command(BaseCommand):
    help = (
        "Find pairs of songs that sound like one recording in two files (another encoding, bit "
        "rate or sample rate, or a trimmed copy) and list them for catalogue managers at "
        "/catalogue/duplicates/."
    )

    def handle(self, *args, **options) -> None:
        model = duplicate_space()
        if model is None:
            self.stdout.write("No song is analysed yet: nothing to compare.")
            return
        found = near_duplicates_scan()
        waiting = NearDuplicate.objects.filter(dismissed=False).count()
        self.stdout.write(
            f"{found} near-duplicate pairs within cosine distance "
            f"{settings.NEAR_DUPLICATE_MAX_DISTANCE:g} in {model.name}; {waiting} to review."
        )
