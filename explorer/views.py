from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from songs.models import Song


def explore(request: HttpRequest) -> HttpResponse:
    ready = Song.objects.filter(status=Song.Status.READY).count()
    return render(request, "explorer/explore.html", {"ready_songs": ready})
