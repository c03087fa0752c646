"""The catalogue's API for listeners: songs, search, neighbours, audio, spectrograms."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from neuralnotes.api import error_responses
from songs.api.serializers import (
    NeighbourOutput,
    SimilarInput,
    SongDetailOutput,
    SongListOutput,
    SurpriseInput,
    UploadedFileField,
)
from songs.api.upload_limits import SizeLimitedUpload
from songs.api.views import uploaded_path
from songs.models import Song
from songs.selectors.catalogue import songs_matching, songs_search
from songs.selectors.similarity import song_at_distance, songs_similar_to
from songs.services.clips import songs_like_clip
from songs.streaming import audio_response


def visible_songs(request: Request):
    """Listeners see analysed songs; catalogue managers see every song."""
    return Song.objects.select_related("catalogue").visible_to(request.user)


def visible_song_for_search(request: Request, pk: int) -> Song:
    """The song a neighbour search starts from: its id and state are all the search needs."""
    return get_object_or_404(
        visible_songs(request).select_related(None).only("id", "status"), pk=pk
    )


class SongPagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500


def _query(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.QUERY, description=description)


_AUDIO = OpenApiResponse(
    OpenApiTypes.BINARY,
    description="The audio bytes: audio/* by the file's format (octet-stream if unknown).",
)


@extend_schema_view(
    get=extend_schema(
        operation_id="songs_list",
        tags=["songs"],
        description="Songs (listeners: analysed ones only), by artist, album and track, filtered "
        "by the parameters below.",
        parameters=[
            _query("genre", "A genre: its label, or the genre predicted for unlabelled songs."),
            _query("artist", "An artist's exact name (case-insensitive)."),
            _query("catalogue", "A catalogue's name."),
            _query("search", "Words that must each be in the title, artist or album."),
        ],
        responses={200: SongListOutput(many=True), **error_responses()},
    )
)
class SongListView(ListAPIView):
    serializer_class = SongListOutput
    pagination_class = SongPagination

    def get_queryset(self):
        """Songs, filtered by ``genre``, ``artist``, ``catalogue`` and ``search`` (words in title,
        artist or album)."""
        songs = visible_songs(self.request)
        # PostgreSQL text cannot hold NUL (a filter with one was a 500); DRF's SearchFilter
        # strips it too.
        params = {k: v.replace("\x00", "") for k, v in self.request.query_params.items()}
        if params.get("genre"):
            songs = songs.filter(
                Q(genre=params["genre"]) | Q(genre="", predicted_genre=params["genre"])
            )
        if params.get("artist"):
            songs = songs.filter(artist__iexact=params["artist"])
        if params.get("catalogue"):
            songs = songs.filter(catalogue__name=params["catalogue"])
        songs = songs_matching(songs, params.get("search", ""))
        return songs.order_by("artist", "album", "track_number", "title", "id")


class SongSearchView(APIView):
    @extend_schema(
        operation_id="songs_search",
        tags=["songs"],
        parameters=[_query("q", "What the listener typed; no q, no results.")],
        responses={
            200: inline_serializer(
                "SongSearchOutput", fields={"results": SongListOutput(many=True)}
            ),
            **error_responses(),
        },
    )
    def get(self, request: Request) -> Response:
        """Typeahead: up to 10 analysed songs matching ``q``, titles starting with it first."""
        query = request.query_params.get("q", "").replace("\x00", "").strip()  # as SongListView
        songs = songs_search(query=query) if query else []
        return Response({"results": SongListOutput(songs, many=True).data})


class SongDetailView(APIView):
    @extend_schema(
        operation_id="songs_retrieve",
        tags=["songs"],
        description="One song (listeners: analysed songs only).",
        responses={200: SongDetailOutput, **error_responses(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        song = get_object_or_404(visible_songs(request), pk=pk)
        return Response(SongDetailOutput(song).data)


class SongSimilarView(APIView):
    @extend_schema(
        operation_id="songs_similar",
        tags=["songs"],
        parameters=[SimilarInput],
        responses={
            200: inline_serializer(
                "SongSimilarOutput",
                fields={
                    "song": serializers.IntegerField(),
                    "results": NeighbourOutput(many=True),
                },
            ),
            **error_responses(400, 404),
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        """The ``k`` nearest songs in the embedding space (cosine distance, active model),
        optionally no farther than ``max_distance``."""
        params = SimilarInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        # Only analysed songs have vectors: neighbours found mean the song is one a listener may
        # see, so the song itself is looked up (to answer 404) only when none are found.
        neighbours = songs_similar_to(song=Song(id=pk), **params.validated_data)
        if not neighbours:
            visible_song_for_search(request, pk)
        results = [{"song": s, "distance": d} for s, d in neighbours]
        return Response({"song": pk, "results": NeighbourOutput(results, many=True).data})


class SongSurpriseView(APIView):
    @extend_schema(
        operation_id="songs_surprise",
        tags=["songs"],
        parameters=[SurpriseInput],
        responses={
            200: inline_serializer(
                "SongSurpriseOutput",
                fields={
                    "result": NeighbourOutput(allow_null=True),
                    "message": serializers.CharField(
                        required=False, help_text="Only when no song lies within the distances."
                    ),
                },
            ),
            **error_responses(400, 404),
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        """A random song between ``min_distance`` and ``max_distance`` from this one: a step out
        of the bubble of nearest neighbours."""
        song = visible_song_for_search(request, pk)
        params = SurpriseInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        found = song_at_distance(song=song, **params.validated_data)
        if found is None:
            return Response({"result": None, "message": "No song lies within those distances."})
        return Response({"result": NeighbourOutput({"song": found[0], "distance": found[1]}).data})


class SongAudioView(APIView):
    @extend_schema(
        operation_id="songs_audio",
        tags=["songs"],
        parameters=[
            OpenApiParameter(
                "Range",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="One byte range, e.g. bytes=0-65535, bytes=1000- or bytes=-500.",
            ),
            OpenApiParameter(
                "Content-Range",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[206, 416],
                description="206: bytes START-END/SIZE; 416: bytes */SIZE.",
            ),
        ],
        responses={
            (200, "audio/*"): _AUDIO,
            (200, "application/octet-stream"): _AUDIO,
            (206, "audio/*"): _AUDIO,
            (206, "application/octet-stream"): _AUDIO,
            416: OpenApiResponse(description="The range lies outside the file (no body)."),
            **error_responses(404),
        },
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        """The song's original audio, with Range requests (206) so that players can seek."""
        return audio_response(request, get_object_or_404(visible_songs(request), pk=pk))


class SongSpectrogramView(APIView):
    @extend_schema(
        operation_id="songs_spectrogram",
        tags=["songs"],
        description="The song's log-mel spectrogram as a PNG image (404 until it is analysed).",
        responses={
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY, description="PNG image."),
            **error_responses(404),
        },
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        song = get_object_or_404(visible_songs(request).exclude(spectrogram=""), pk=pk)
        response = FileResponse(
            default_storage.open(song.spectrogram.name, "rb"), content_type="image/png"
        )
        response["Cache-Control"] = "private, max-age=86400"
        return response


class ClipInput(serializers.Serializer):
    file = UploadedFileField()
    k = serializers.IntegerField(min_value=1, max_value=100, default=10)


class SimilarToClipView(APIView):
    parser_classes = [MultiPartParser]

    def initialize_request(self, request, *args, **kwargs) -> Request:
        # Before anything reads the body (a session's CSRF check reads the form): a clip past
        # CLIP_MAX_BYTES is refused as it streams in, not once it was all written to disk.
        limit = settings.CLIP_MAX_BYTES
        request.upload_handlers.insert(
            0,
            SizeLimitedUpload(
                request, max_bytes=limit, message=f"A clip may be at most {limit // 2**20} MB."
            ),
        )
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(
        operation_id="songs_similar_to_clip",
        tags=["songs"],
        request=ClipInput,
        responses={
            200: inline_serializer(
                "SimilarToClipOutput", fields={"results": NeighbourOutput(many=True)}
            ),
            **error_responses(400, 413, 415, 429, 503),
        },
    )
    def post(self, request: Request) -> Response:
        """Upload up to 30 s of audio; get the nearest catalogue songs (query by example).
        The clip is analysed at once and not kept. One clip per listener at a time (429 while
        the last one is analysed); 503 at once when no worker answers."""
        data = ClipInput(data=request.data)
        data.is_valid(raise_exception=True)
        uploaded = data.validated_data["file"]
        # RejectedFile (400), ClipBusy (429) and ClipServiceUnavailable (503) answer through
        # neuralnotes.api.exception_handler, with their Retry-After.
        with uploaded_path(uploaded) as path:
            neighbours = songs_like_clip(
                path=path,
                original_name=uploaded.name,
                k=data.validated_data["k"],
                user=request.user,
            )
        results = [{"song": s, "distance": d} for s, d in neighbours]
        return Response({"results": NeighbourOutput(results, many=True).data})
