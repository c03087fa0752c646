from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from playlists import selectors, services, taste
from songs.streaming import audio_response


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


@login_not_required  # a share is for people without an account
def share_public(request: HttpRequest, token: str) -> HttpResponse:
    """A share's songs, to play in the browser: read-only, nothing else of the site; each
    opening counts as a visit."""
    share = selectors.share_by_token(token=token)
    services.share_visit(share=share)
    return render(
        request,
        "playlists/share.html",
        {"share": share, "songs": selectors.share_songs(share).only("id", "title", "artist")},
    )


@login_not_required
def share_audio(request: HttpRequest, token: str, song_id: int) -> HttpResponse:
    """The audio of one song of a live share (ranges served, so the player can seek)."""
    share = selectors.share_by_token(token=token)
    return audio_response(request, selectors.share_has_song(share=share, song_id=song_id))


def history(request: HttpRequest) -> HttpResponse:
    """The listener's own plays, newest first, with what is made from them."""
    plays = Paginator(selectors.history_for(request.user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "playlists/history.html",
        {
            "plays": plays,
            "paused_since": selectors.history_paused_since(request.user),
            "more_like": taste.songs_like_my_plays(user=request.user, k=10),
            "new_to_me": taste.songs_new_to_me(user=request.user, k=10),
        },
    )


@require_POST
def history_pause(request: HttpRequest) -> HttpResponse:
    paused = services.history_pause_set(user=request.user, paused=request.POST.get("paused") == "1")
    messages.info(
        request,
        "History paused: nothing you play is recorded until you resume it."
        if paused
        else "History resumed: what you play is recorded again.",
    )
    return redirect("playlists:history")


@require_POST
def history_delete_play(request: HttpRequest, pk: int) -> HttpResponse:
    play = get_object_or_404(selectors.history_for(request.user), id=pk)  # others': 404
    services.history_delete(user=request.user, play_ids=[play.id])
    messages.info(request, f"Deleted the play of “{play.song.title}”.")
    return redirect("playlists:history")


@require_POST
def history_delete_all(request: HttpRequest) -> HttpResponse:
    """Only with the confirmation the page asks for (the button inside "Delete all…")."""
    if request.POST.get("confirm") != "all":
        messages.error(request, "Nothing deleted: confirm that you want to delete everything.")
    else:
        count = services.history_delete(user=request.user)
        messages.info(request, f"Deleted your whole history ({count} plays).")
    return redirect("playlists:history")
