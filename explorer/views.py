"""The explorer page: a shell of HTML whose ES modules (static/js/explorer/) draw the map and
talk to the REST API; and the mixes page, the map's clusters as playlists."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from explorer.selectors import active_map, map_points_version, mixes_active, mixes_songs
from explorer.services import mix_save_as_playlist
from songs.selectors.catalogue import SONG_LIST_FIELDS

# Stands for a song id while reversing a URL, replaced by "{id}" for the page's JavaScript.
_ID_PLACEHOLDER = 2147483647


def _song_url_template(name: str) -> str:
    """The address of ``name`` (a view taking one id: a song's, or a mix's) with "{id}"."""
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
        # The Discover panel's: words, alchemy and the listener's own history.
        "byWords": reverse("songs-api:song-by-words"),
        "alchemy": reverse("songs-api:song-alchemy"),
        "listeningMap": reverse("playlists-api:history-map"),
        "moreLikeMyPlays": reverse("playlists-api:history-more-like"),
        "newToMe": reverse("playlists-api:history-new-to-me"),
        "history": reverse("playlists-api:history"),  # the player records plays (history.js)
        # The list view's regions: the map's mixes, one per cluster (listview.js).
        "mixes": reverse("explorer-api:mix-list"),
        "mix": _song_url_template("explorer-api:mix-detail"),
    }


def explore(request: HttpRequest) -> HttpResponse:
    """The 3D map of the catalogue. Everything on it is loaded by the page itself, so that the
    page is the same whatever the catalogue's size: /explore/?song=ID opens with that song. The
    map's points are asked for at the address of their current version, which the browser
    keeps: a return visit to an unchanged map loads none of it again."""
    urls = explorer_urls()
    version = active_map()
    if version is not None and (points_version := map_points_version(version)):
        urls["points"] += "?" + urlencode({"v": points_version})
    return render(request, "explorer/explore.html", {"explorer_config": {"urls": urls}})


def mixes(request: HttpRequest) -> HttpResponse:
    """The active map's mixes with their songs, each playable and savable as a playlist."""
    found = list(mixes_active())
    songs = mixes_songs(found, fields=(*SONG_LIST_FIELDS, "artist_key"))
    return render(
        request,
        "explorer/mixes.html",
        {"mixes": [(mix, songs[mix.id]) for mix in found]},
    )


@require_POST
def mix_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save a mix as the user's own private playlist (from the mixes page's form)."""
    mix = get_object_or_404(mixes_active().select_related("map"), pk=pk)
    name = request.POST.get("name", "").strip()[:200] or None
    playlist = mix_save_as_playlist(user=request.user, mix=mix, name=name)
    messages.success(request, f"Saved “{mix.name}” as your playlist “{playlist.name}”.")
    return redirect("playlists:detail", pk=playlist.pk)
