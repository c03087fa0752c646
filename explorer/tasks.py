from celery import shared_task

from explorer import selectors, services
from neuralnotes.outages import SERVICE_DOWN_ERRORS, retry_after_outage
from songs.models import Song


@shared_task(acks_late=True)
def build_map(method: str | None = None, seed: int | None = None) -> int | None:
    try:
        return services.map_build(method=method, seed=seed).id
    except services.MapBuildRefused:
        return None


@shared_task(bind=True, acks_late=True)
def place_song_on_map(self, song_id: int) -> bool:
    """Queued when a song is analysed (explorer.receivers): put it on the active map at once.
    Placing twice changes nothing; an outage retries this step alone. True if it is on a map."""
    try:
        song = Song.objects.ready().filter(id=song_id).first()
        return song is not None and services.song_place_on_map(song=song) is not None
    except SERVICE_DOWN_ERRORS as exc:
        raise retry_after_outage(self, exc) from exc


# Songs that keep_map_current places a minute, at most, when their placement was lost.
MISSING_PLACEMENTS_PER_RUN = 1000


@shared_task
def keep_map_current() -> str | None:
    """Periodic: build a full map when the current one is missing or out of date; else place
    the analysed songs that missed their placement (its task lost with the broker)."""
    reason = services.map_needs_rebuild()
    if reason is not None:
        build_map.delay()
        return reason
    for song_id in selectors.songs_missing_from_map(limit=MISSING_PLACEMENTS_PER_RUN):
        place_song_on_map.delay(song_id)
    return None
