from celery import shared_task
from django.conf import settings
from django.db import transaction

from explorer import map_file, selectors, services
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
        point = None if song is None else services.song_place_on_map(song=song)
    except SERVICE_DOWN_ERRORS as exc:
        raise retry_after_outage(self, exc) from exc
    if point is not None:
        map_file_changed(point.map_id)
    return point is not None


def map_file_changed(version_id: int) -> None:
    """The map's points changed: queue one rewrite of its file MAP_FILE_DELAY_S from the first
    change (the changes until then go into the same write), once the change has committed."""
    delay = settings.MAP_FILE_DELAY_S
    if map_file.map_file_claim_write(version_id, delay):
        transaction.on_commit(lambda: write_map_file.apply_async((version_id,), countdown=delay))


@shared_task(bind=True, acks_late=True)
def write_map_file(self, version_id: int) -> bool:
    """Rewrite the map version's points file if its points changed; an outage retries."""
    map_file.map_file_write_begins(version_id)
    try:
        return map_file.map_file_write(version_id=version_id)
    except SERVICE_DOWN_ERRORS as exc:
        raise retry_after_outage(self, exc) from exc


# Songs that keep_map_current places a minute, at most, when their placement was lost.
MISSING_PLACEMENTS_PER_RUN = 1000


@shared_task
def keep_map_current() -> str | None:
    """Periodic: build a full map when the current one is missing or out of date; else place
    the analysed songs that missed their placement (its task lost with the broker), and write
    the map's file if a change never reached it (its write lost the same way)."""
    reason = services.map_needs_rebuild()
    if reason is not None:
        build_map.delay()
        return reason
    version = selectors.active_map()
    if version is not None and not map_file.map_file_is_current(version):
        write_map_file.delay(version.id)
    for song_id in selectors.songs_missing_from_map(limit=MISSING_PLACEMENTS_PER_RUN):
        place_song_on_map.delay(song_id)
    return None
