from django.core.management.base import BaseCommand

from songs.models import Song
from songs.tasks import add_mtt_tags


class Command(BaseCommand):
    help = (
        "Queue the songs analysed before the MagnaTagATune tagger existed, so that the workers "
        "add its tags (word search finds a song only once it has them)."
    )

    def handle(self, *args, **options) -> None:
        ids = list(
            Song.objects.filter(
                status=Song.Status.READY, mtt_tag_probabilities__isnull=True
            ).values_list("id", flat=True)
        )
        for song_id in ids:
            add_mtt_tags.delay(song_id)
        self.stdout.write(f"{len(ids)} songs queued for their MagnaTagATune tags.")
