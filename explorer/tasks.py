from celery import shared_task

from explorer import services
from songs.models import Song


@shared_task(acks_late=True)
def build_map(method: str | None = None, seed: int | None = None) -> int | None:
    try:
        return services.map_build(method=method, seed=seed).id
    except services.MapBuildRefused:
        return None


@shared_task(acks_late=True)
def place_song_on_map(song_id: int) -> None:
    song = Song.objects.filter(id=song_id, status=Song.Status.READY).first()
    if song is not None:
        services.song_place_on_map(song=song)


@shared_task
def keep_map_current() -> str | None:
    """Periodic: build a full map when the current one is missing or out of date."""
    reason = services.map_needs_rebuild()
    if reason is not None:
        build_map.delay()
    return reason
