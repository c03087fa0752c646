from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from playlists import selectors, services


def playlist_list(request: HttpRequest) -> HttpResponse:
    services.favourites_get_or_create(user=request.user)
    return render(
        request, "playlists/list.html", {"playlists": selectors.playlists_with_counts(request.user)}
    )


def _detail(request: HttpRequest, playlist, *, editable: bool) -> HttpResponse:
    return render(
        request,
        "playlists/detail.html",
        {
            "playlist": playlist,
            "entries": selectors.playlist_entries(playlist),
            "editable": editable,
            "favourites": selectors.favourite_song_ids(request.user),
        },
    )


def playlist_detail(request: HttpRequest, pk: int) -> HttpResponse:
    playlist = selectors.playlist_readable(user=request.user, playlist_id=pk)
    return _detail(request, playlist, editable=playlist.owner_id == request.user.id)


def playlist_shared(request: HttpRequest, token: str) -> HttpResponse:
    return _detail(request, selectors.playlist_by_share_token(token=token), editable=False)
