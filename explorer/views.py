"""The explorer page: a shell of HTML whose ES modules (static/js/explorer/) draw the map and
talk to the REST API."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

# Stands for a song id while reversing a URL, replaced by "{id}" for the page's JavaScript.
_ID_PLACEHOLDER = 2147483647


def _song_url_template(name: str) -> str:
    return reverse(name, args=[_ID_PLACEHOLDER]).replace(str(_ID_PLACEHOLDER), "{id}")


def explorer_urls() -> dict[str, str]:
    """The API addresses the explorer calls, "{id}" marking where a song's id goes."""
    return {
        "map": reverse("explorer-api:map"),
        "points": reverse("explorer-api:map-points"),
        "search": reverse("songs-api:song-search"),
        "song": _song_url_template("songs-api:song-detail"),
        "similar": _song_url_template("songs-api:song-similar"),
        "surprise": _song_url_template("songs-api:song-surprise"),
        "audio": _song_url_template("songs-api:song-audio"),
    }


def explore(request: HttpRequest) -> HttpResponse:
    """The 3D map of the catalogue. Everything on it is loaded by the page itself, so that the
    page is the same whatever the catalogue's size: /explore/?song=ID opens with that song."""
    return render(request, "explorer/explore.html", {"explorer_config": {"urls": explorer_urls()}})
