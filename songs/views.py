from django.contrib.auth.decorators import permission_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from songs.models import Song


@permission_required("songs.manage_catalogue", raise_exception=True)
def catalogue_overview(request: HttpRequest) -> HttpResponse:
    """The staff page of the catalogue: how many songs are in each state."""
    counts = dict(Song.objects.values_list("status").annotate(n=Count("id")))
    states = [(label, counts.get(value, 0)) for value, label in Song.Status.choices]
    return render(request, "songs/catalogue_overview.html", {"states": states})
