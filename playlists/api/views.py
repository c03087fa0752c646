"""Playlists and favourites over the API. Other users' private playlists answer 404 everywhere."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from neuralnotes.api import error_responses
from playlists import selectors, services
from playlists.api.serializers import (
    AddSongInput,
    EntryOutput,
    FavouriteOutput,
    GenerateInput,
    MoveInput,
    PlaylistDetailOutput,
    PlaylistExportOutput,
    PlaylistInput,
    PlaylistOutput,
    PlaylistUpdateInput,
)
from playlists.exports import playlist_json, playlist_m3u8
from playlists.models import PlaylistEntry
from songs.api.serializers import SongListOutput
from songs.models import Song


def _ready_song(song_id: int) -> Song:
    return get_object_or_404(Song.objects.ready(), id=song_id)


_DELETED = OpenApiResponse(description="Done (no body).")


class PlaylistListView(APIView):
    @extend_schema(
        operation_id="playlists_list",
        tags=["playlists"],
        parameters=[
            OpenApiParameter(
                "public",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                enum=["1"],
                description="1: every public playlist instead of your own.",
            )
        ],
        responses={
            200: inline_serializer("PlaylistList", fields={"results": PlaylistOutput(many=True)}),
            **error_responses(),
        },
    )
    def get(self, request: Request) -> Response:
        """Your playlists (``?public=1``: every public playlist)."""
        if request.query_params.get("public") == "1":
            playlists = selectors.playlists_readable_by(request.user).filter(visibility="public")
        else:
            services.favourites_get_or_create(user=request.user)
            playlists = selectors.playlists_with_counts(request.user)
        data = PlaylistOutput(
            playlists.select_related("owner"), many=True, context={"request": request}
        ).data
        return Response({"results": data})

    @extend_schema(
        operation_id="playlists_create",
        tags=["playlists"],
        request=PlaylistInput,
        responses={201: PlaylistDetailOutput, **error_responses(400, 415)},
    )
    def post(self, request: Request) -> Response:
        """A new playlist, optionally with songs (e.g. a generated one being saved)."""
        data = PlaylistInput(data=request.data)
        data.is_valid(raise_exception=True)
        ids = data.validated_data.get("songs", [])
        found = Song.objects.ready().filter(id__in=ids).in_bulk()
        missing = [i for i in ids if i not in found]
        if missing:
            raise ValidationError({"songs": [f"No such songs: {missing[:10]}"]})
        playlist = services.playlist_create(
            owner=request.user,
            name=data.validated_data["name"],
            description=data.validated_data["description"],
            songs=[found[i] for i in ids],
        )
        return Response(
            PlaylistDetailOutput(playlist, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class PlaylistDetailView(APIView):
    @extend_schema(
        operation_id="playlists_retrieve",
        tags=["playlists"],
        description="A playlist you own or a public one, with its songs.",
        responses={200: PlaylistDetailOutput, **error_responses(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        playlist = selectors.playlist_readable(user=request.user, playlist_id=pk)
        return Response(PlaylistDetailOutput(playlist, context={"request": request}).data)

    @extend_schema(
        operation_id="playlists_update",
        tags=["playlists"],
        request=PlaylistUpdateInput,
        responses={200: PlaylistDetailOutput, **error_responses(400, 404, 415)},
    )
    def patch(self, request: Request, pk: int) -> Response:
        """Rename, describe, change visibility or whether a song may appear twice."""
        playlist = selectors.playlist_owned(user=request.user, playlist_id=pk)
        data = PlaylistUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        playlist = services.playlist_update(playlist=playlist, **data.validated_data)
        return Response(PlaylistDetailOutput(playlist, context={"request": request}).data)

    @extend_schema(
        operation_id="playlists_destroy",
        tags=["playlists"],
        description="Delete one of your playlists (Favourites cannot be: 400).",
        responses={204: _DELETED, **error_responses(400, 404)},
    )
    def delete(self, request: Request, pk: int) -> Response:
        playlist = selectors.playlist_owned(user=request.user, playlist_id=pk)
        services.playlist_delete(playlist=playlist)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PlaylistSongsView(APIView):
    @extend_schema(
        operation_id="playlists_songs_add",
        tags=["playlists"],
        request=AddSongInput,
        responses={201: EntryOutput, **error_responses(400, 404, 415)},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Add a song (at ``position``, default the end)."""
        playlist = selectors.playlist_owned(user=request.user, playlist_id=pk)
        data = AddSongInput(data=request.data)
        data.is_valid(raise_exception=True)
        song = _ready_song(data.validated_data["song"])
        position = data.validated_data.get("position")
        entry = services.playlist_add_song(playlist=playlist, song=song, position=position)
        return Response(EntryOutput(entry).data, status=status.HTTP_201_CREATED)


class PlaylistEntryView(APIView):
    def _entry(self, request: Request, pk: int, entry_id: int) -> PlaylistEntry:
        playlist = selectors.playlist_owned(user=request.user, playlist_id=pk)
        return get_object_or_404(PlaylistEntry, playlist=playlist, id=entry_id)

    @extend_schema(
        operation_id="playlists_entries_move",
        tags=["playlists"],
        # Written out: drf-spectacular makes every field of a PATCH body optional, but this
        # view needs position (MoveInput, not partial).
        request={
            "application/json": {
                "type": "object",
                "properties": {"position": {"type": "integer", "minimum": 0}},
                "required": ["position"],
            }
        },
        responses={
            200: inline_serializer("EntryOrder", fields={"entries": EntryOutput(many=True)}),
            **error_responses(400, 404, 415),
        },
    )
    def patch(self, request: Request, pk: int, entry_id: int) -> Response:
        """Move the entry to ``position``; answers the whole new order."""
        entry = self._entry(request, pk, entry_id)
        data = MoveInput(data=request.data)
        data.is_valid(raise_exception=True)
        ordered = services.playlist_move_entry(
            entry=entry, position=data.validated_data["position"]
        )
        return Response({"entries": EntryOutput(ordered, many=True).data})

    @extend_schema(
        operation_id="playlists_entries_destroy",
        tags=["playlists"],
        description="Remove the entry from the playlist.",
        responses={204: _DELETED, **error_responses(404)},
    )
    def delete(self, request: Request, pk: int, entry_id: int) -> Response:
        services.playlist_remove_entry(entry=self._entry(request, pk, entry_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PlaylistShareView(APIView):
    @extend_schema(
        operation_id="playlists_share_renew",
        tags=["playlists"],
        request=None,
        responses={200: PlaylistOutput, **error_responses(404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Make (or renew: the old link stops working) the read-only share link."""
        playlist = selectors.playlist_owned(user=request.user, playlist_id=pk)
        playlist = services.playlist_share_link_renew(playlist=playlist)
        return Response(PlaylistOutput(playlist, context={"request": request}).data)

    @extend_schema(
        operation_id="playlists_share_revoke",
        tags=["playlists"],
        description="Revoke the share link (a link-only playlist becomes private).",
        responses={204: _DELETED, **error_responses(404)},
    )
    def delete(self, request: Request, pk: int) -> Response:
        playlist = selectors.playlist_owned(user=request.user, playlist_id=pk)
        services.playlist_share_link_revoke(playlist=playlist)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SharedPlaylistView(APIView):
    @extend_schema(
        operation_id="playlists_shared_retrieve",
        tags=["playlists"],
        description="A playlist shared by link, read-only, for any signed-in user.",
        responses={200: PlaylistDetailOutput, **error_responses(404)},
    )
    def get(self, request: Request, token: str) -> Response:
        playlist = selectors.playlist_by_share_token(token=token)
        return Response(PlaylistDetailOutput(playlist, context={"request": request}).data)


class PlaylistExportView(APIView):
    @extend_schema(
        operation_id="playlists_export",
        tags=["playlists"],
        parameters=[
            # A regex route: without these the schema would say "string" for id.
            OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH),
            OpenApiParameter("fmt", OpenApiTypes.STR, OpenApiParameter.PATH, enum=["m3u8", "json"]),
            OpenApiParameter(
                "Content-Disposition",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[200],
                description='attachment; filename="playlist-ID.FMT"',
            ),
        ],
        responses={
            (200, "audio/x-mpegurl"): OpenApiResponse(
                OpenApiTypes.STR, description="export.m3u8: extended M3U, UTF-8."
            ),
            (200, "application/json"): OpenApiResponse(
                PlaylistExportOutput, description="export.json"
            ),
            **error_responses(404),
        },
    )
    def get(self, request: Request, pk: int, fmt: str) -> HttpResponse:
        """The playlist as M3U8 (``export.m3u8``) or JSON (``export.json``) to download."""
        playlist = selectors.playlist_readable(user=request.user, playlist_id=pk)
        if fmt == "m3u8":
            body = playlist_m3u8(playlist, base_url=request.build_absolute_uri("/"))
            response = HttpResponse(body, content_type="audio/x-mpegurl; charset=utf-8")
        else:
            body = json.dumps(playlist_json(playlist), indent=2, ensure_ascii=False)
            response = HttpResponse(body, content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="playlist-{playlist.id}.{fmt}"'
        return response


class FavouriteView(APIView):
    @extend_schema(
        operation_id="favourites_add",
        tags=["playlists"],
        request=None,
        description="Add an analysed song to your Favourites (no change if it is there).",
        responses={200: FavouriteOutput, **error_responses(404)},
    )
    def put(self, request: Request, song_id: int) -> Response:
        services.favourite_set(user=request.user, song=_ready_song(song_id), favourite=True)
        return Response({"song": song_id, "favourite": True})

    @extend_schema(
        operation_id="favourites_remove",
        tags=["playlists"],
        description="Take a song out of your Favourites (no change if it is not there).",
        responses={200: FavouriteOutput, **error_responses(404)},
    )
    def delete(self, request: Request, song_id: int) -> Response:
        services.favourite_set(user=request.user, song=_ready_song(song_id), favourite=False)
        return Response({"song": song_id, "favourite": False})


class FavouriteListView(APIView):
    @extend_schema(
        operation_id="favourites_list",
        tags=["playlists"],
        description="The ids of the songs in your Favourites.",
        responses={
            200: inline_serializer(
                "FavouriteSongs",
                fields={"songs": serializers.ListField(child=serializers.IntegerField())},
            ),
            **error_responses(),
        },
    )
    def get(self, request: Request) -> Response:
        return Response({"songs": sorted(selectors.favourite_song_ids(request.user))})


class GenerateView(APIView):
    @extend_schema(
        operation_id="playlists_generate",
        tags=["playlists"],
        request=GenerateInput,
        responses={
            200: inline_serializer("GeneratedSongs", fields={"songs": SongListOutput(many=True)}),
            **error_responses(400, 404, 415),
        },
    )
    def post(self, request: Request) -> Response:
        """Songs made from sound, not saved: from ``start`` walking nearest neighbours, or with
        ``end`` a path from one song to the other. Save them by POSTing to /playlists/."""
        data = GenerateInput(data=request.data)
        data.is_valid(raise_exception=True)
        start = _ready_song(data.validated_data["start"])
        length = data.validated_data["length"]
        if "end" in data.validated_data:
            songs = selectors.songs_path_between(
                start=start, end=_ready_song(data.validated_data["end"]), length=length
            )
        else:
            songs = selectors.songs_walk_from(song=start, length=length)
        return Response({"songs": SongListOutput(songs, many=True).data})
