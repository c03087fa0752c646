from django.contrib.auth.decorators import permission_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from songs.models import Catalogue, Song, UploadBatch
from songs.selectors import batch_progress

manager_required = permission_required("songs.manage_catalogue", raise_exception=True)


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
