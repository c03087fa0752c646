from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import user_passes_test
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from songs.models import Catalogue, NearDuplicate, Song, UploadBatch, can_manage_catalogue
from songs.selectors.catalogue import (
    SONG_LIST_FIELDS,
    artist_summary,
    artists_named,
    batch_progress,
    near_duplicates_to_review,
)
from songs.selectors.similarity import artists_similar_to
from songs.services.duplicates import (
    MergeError,
    better_file,
    near_duplicate_dismiss,
    near_duplicate_merge,
)
from songs.tasks import scan_near_duplicates


def _manager_or_403(user) -> bool:
    """As permission_required(..., raise_exception=True): 403, not the login page."""
    if can_manage_catalogue(user):
        return True
    raise PermissionDenied


manager_required = user_passes_test(_manager_or_403)
DUPLICATES_PER_PAGE = 100


@manager_required
def catalogue_overview(request: HttpRequest) -> HttpResponse:
    """The staff page of the catalogue: how many songs are in each state, the latest batches."""
    counts = dict(Song.objects.values_list("status").annotate(n=Count("id")))
    states = [(label, counts.get(value, 0)) for value, label in Song.Status.choices]
    batches = UploadBatch.objects.select_related("catalogue").annotate(n_songs=Count("songs"))[:20]
    return render(request, "songs/catalogue_overview.html", {"states": states, "batches": batches})


@manager_required
def upload(request: HttpRequest) -> HttpResponse:
    catalogues = Catalogue.objects.values_list("name", flat=True)
    return render(request, "songs/upload.html", {"catalogues": catalogues})


@manager_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(UploadBatch.objects.select_related("catalogue"), pk=pk)
    return render(
        request,
        "songs/batch_detail.html",
        {"batch": batch, "progress": batch_progress(batch=batch)},
    )


@manager_required
def duplicates(request: HttpRequest) -> HttpResponse:
    """Near-duplicate pairs to review, nearest first, each with a player per song and the
    buttons to merge it (into either song) or dismiss it."""
    pairs = list(near_duplicates_to_review()[:DUPLICATES_PER_PAGE])
    for pair in pairs:
        pair.suggested_keep = better_file(pair.song, pair.other).id
    return render(
        request,
        "songs/duplicates.html",
        {
            "pairs": pairs,
            "total": near_duplicates_to_review().count(),
            "threshold": settings.NEAR_DUPLICATE_MAX_DISTANCE,
        },
    )


@manager_required
@require_POST
def duplicate_merge(request: HttpRequest, pk: int) -> HttpResponse:
    pair = get_object_or_404(NearDuplicate.objects.select_related("song", "other"), pk=pk)
    keep = {pair.song_id: pair.song, pair.other_id: pair.other}.get(
        int(request.POST["keep"]) if request.POST.get("keep", "").isdigit() else None
    )
    try:
        outcome = near_duplicate_merge(pair=pair, keep=keep)
    except MergeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"Merged into “{outcome.kept.title}”: {outcome.entries_moved} playlist entries, "
            f"{outcome.ratings_moved} ratings and {outcome.plays_moved} plays moved"
            + (
                f", {outcome.entries_dropped} entries that would have been the song twice removed"
                if outcome.entries_dropped
                else ""
            )
            + ".",
        )
    return redirect("songs:duplicates")


@manager_required
@require_POST
def duplicate_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    near_duplicate_dismiss(pair=get_object_or_404(NearDuplicate, pk=pk))
    messages.success(request, "Marked as different songs; the pair is no longer listed.")
    return redirect("songs:duplicates")


@manager_required
@require_POST
def duplicates_scan(request: HttpRequest) -> HttpResponse:
    scan_near_duplicates.delay()
    messages.success(request, "The catalogue is being scanned; new pairs appear here when done.")
    return redirect("songs:duplicates")


SIMILAR_ARTISTS = 10


def artist_detail(request: HttpRequest, key: str) -> HttpResponse:
    """An artist's analysed songs by album, and the artists that sound most like it (for any
    signed-in user: the songs a listener may play)."""
    ready = Song.objects.ready()
    artist = artist_summary(songs=ready, artist_key=key)
    if artist is None:
        raise Http404("No such artist.")
    songs = (
        ready.filter(artist_key=key)
        .only(*SONG_LIST_FIELDS, "album_key", "track_number", "year")
        .order_by("album", "album_key", "track_number", "title", "id")
    )
    ranked = artists_similar_to(artist_key=key, k=SIMILAR_ARTISTS)
    names = artists_named(artist_keys=[other for other, _ in ranked])
    similar = [
        {"key": other, **names[other], "distance": distance}
        for other, distance in ranked
        if other in names
    ]
    return render(
        request, "songs/artist.html", {"artist": artist, "songs": songs, "similar": similar}
    )
