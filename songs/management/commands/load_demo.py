"""Build the labelled demo catalogue from nothing but installed packages, and queue its analysis."""

from django.core.management.base import BaseCommand

from songs.models import Song, UploadBatch
from songs.services.demo import DEMO_CATALOGUE, demo_render_folder
from songs.services.ingestion import (
    SongMetadata,
    batch_add_file,
    batch_create,
    catalogue_get_or_create,
)


class Command(BaseCommand):
    help = (
        "Render about 200 thirty-second songs in at least 8 styles (music21's corpus and generated "
        "grooves through a General MIDI SoundFont), deterministically from a seed, and import them "
        "with their genres into the 'Demo' catalogue."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--songs-per-style", type=int, default=25)
        parser.add_argument("--seconds", type=float, default=30.0)
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when the catalogue has songs"
        )

    def handle(
        self, *args, seed: int, songs_per_style: int, seconds: float, if_empty: bool, **options
    ) -> None:
        if if_empty and Song.objects.exists():
            self.stdout.write("The catalogue already has songs; no demo loaded.")
            return
        from songs.demo_catalogue import render_demo_catalogue

        folder = demo_render_folder() / f"seed-{seed}-{seconds:g}s"
        folder.mkdir(parents=True, exist_ok=True)
        songs = render_demo_catalogue(
            folder,
            seed=seed,
            songs_per_style=songs_per_style,
            seconds=seconds,
            progress=self._progress,
        )
        batch = batch_create(
            source=UploadBatch.Source.DEMO,
            catalogue=catalogue_get_or_create(name=DEMO_CATALOGUE),
            name=f"Demo catalogue (seed {seed})",
        )
        created = 0
        for song in songs:
            metadata = SongMetadata(
                title=song.title,
                artist=song.artist,
                album=song.album,
                genre=song.genre,
                year=song.year,
            )
            outcome = batch_add_file(
                batch=batch, path=song.path, original_name=song.path.name, metadata=metadata
            )
            created += outcome.created
        self.stdout.write(
            f"\nDemo catalogue: {created} new songs in {len({s.genre for s in songs})} styles "
            f"queued for analysis (batch {batch.id}); {len(songs) - created} were there already."
        )

    def _progress(self, done: int, total: int) -> None:
        self.stdout.write(f"\rRendering the demo catalogue: {done}/{total}", ending="")
        self.stdout.flush()
