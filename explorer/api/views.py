import gzip

from django.core.files import File
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse
from django.utils.http import parse_etags
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from explorer.models import MapVersion
from explorer.selectors import (
    active_map,
    map_etag,
    map_points_packed,
    map_points_version,
    map_summary,
)
from explorer.tasks import write_map_file
from neuralnotes.api import IsCatalogueManager, error_responses
from songs.api.serializers import QueuedTaskOutput

# What explorer.selectors.map_summary answers.
MapSummaryOutput = inline_serializer(
    "MapSummary",
    fields={
        "id": serializers.IntegerField(),
        "method": serializers.CharField(help_text="tsne or umap"),
        "parameters": serializers.DictField(help_text="seed, perplexity, sample size …"),
        "embedding_model": serializers.CharField(),
        "songs": serializers.IntegerField(),
        "placed_since_built": serializers.IntegerField(),
        "trustworthiness": serializers.FloatField(allow_null=True),
        "created_at": serializers.DateTimeField(),
        "clusters": serializers.ListField(child=serializers.CharField()),
    },
    allow_null=True,
)


class MapView(APIView):
    @extend_schema(
        operation_id="map_retrieve",
        tags=["map"],
        responses={
            200: inline_serializer(
                "MapOutput",
                fields={
                    "map": MapSummaryOutput,
                    "message": serializers.CharField(
                        required=False, help_text="Only when there is no map yet."
                    ),
                },
            ),
            **error_responses(),
        },
    )
    def get(self, request: Request) -> Response:
        """The active map's summary (method, size, trustworthiness, cluster names)."""
        version = active_map()
        if version is None:
            return Response({"map": None, "message": "No map yet: no song has been analysed."})
        return Response({"map": map_summary(version)})


class MapRebuildView(APIView):
    permission_classes = [IsCatalogueManager]

    @extend_schema(
        operation_id="map_rebuild",
        tags=["map"],
        request=None,
        responses={202: QueuedTaskOutput, **error_responses(403)},
    )
    def post(self, request: Request) -> Response:
        """Build a new full map on a worker (one build at a time; the old map stays until then)."""
        from explorer.tasks import build_map

        task = build_map.delay()
        return Response({"task": task.id}, status=status.HTTP_202_ACCEPTED)


class MapPointsView(APIView):
    @extend_schema(
        operation_id="map_points",
        tags=["map"],
        parameters=[
            OpenApiParameter(
                "v",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                description="The version of the points wanted (their ETag without quotes, as "
                "the explorer page names it): when it is the current one, the answer may be "
                "kept for a year (Cache-Control: immutable).",
            ),
            OpenApiParameter(
                "If-None-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="The ETag of the points the client has: unchanged, 304.",
            ),
            OpenApiParameter(
                "ETag",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[200, 304],
                description="A strong validator of the points: the SHA-256 of the message.",
            ),
            OpenApiParameter(
                "X-Map-Length",
                OpenApiTypes.INT,
                OpenApiParameter.HEADER,
                response=[200],
                description="The message's length in bytes once decoded (Content-Encoding).",
            ),
        ],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="Little-endian: uint32 header length | JSON header (count, block, "
                "genres, map) | blocks of `block` points in a random order (the last one "
                "shorter), each int32 ids[m] | int16 xyz[3m] | uint8 genre[m] | uint8 cluster[m].",
            ),
            204: OpenApiResponse(description="No map yet."),
            304: OpenApiResponse(description="Not modified since the ETag sent."),
            **error_responses(),
        },
    )
    def get(self, request: Request) -> HttpResponse:
        """Every point of the active map in one compact binary message (see
        explorer.selectors.map_points_packed), from the file written when the points last
        changed (explorer.map_file), gzip-encoded for clients that accept it, with a strong
        ETag: an unchanged map answers 304 after reading one row."""
        version = active_map()
        if version is None:
            return HttpResponse(status=204)
        sent = parse_etags(request.headers.get("If-None-Match", ""))
        etag = version.points_etag or map_etag(version)
        # Asked for by its version (the explorer page names the current one): these bytes never
        # change at this address, so the browser keeps them without asking again.
        wanted = request.GET.get("v")
        immutable = wanted is not None and wanted == map_points_version(version)
        if etag in sent or "*" in sent:
            return _revalidated(HttpResponse(status=304), etag, immutable=immutable)
        stored = _open_points_file(version)
        if stored is None:
            # Built before maps had files, or its file was lost: packed here until it is written.
            write_map_file.delay(version.id)
            response = HttpResponse(
                map_points_packed(version), content_type="application/octet-stream"
            )
            return _revalidated(response, map_etag(version))
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            response = FileResponse(stored, content_type="application/octet-stream")
            response["Content-Encoding"] = "gzip"
        else:  # rare (browsers all take gzip): unpacked as it is sent; the response closes it
            unpacked = gzip.GzipFile(fileobj=stored)  # noqa: SIM115
            response = FileResponse(unpacked, content_type="application/octet-stream")
        response["Vary"] = "Accept-Encoding"
        # What Content-Length is not when the bytes travel compressed: for a progress bar.
        response["X-Map-Length"] = str(version.points_bytes)
        return _revalidated(response, version.points_etag, immutable=immutable)


def _open_points_file(version: MapVersion) -> File | None:
    """The version's points file, open; None when it has none or it is gone. A newer file may
    replace it between reading the row and opening the file: then that one is read."""
    for _ in range(2):
        if not version.points_file:
            return None
        try:
            return default_storage.open(version.points_file.name)
        except FileNotFoundError:
            version.refresh_from_db(fields=["points_file", "points_etag", "points_bytes"])
    # Lost: forget it (the points are packed per request until the queued write is done).
    MapVersion.objects.filter(id=version.id).update(
        points_file="", points_etag="", points_summary=""
    )
    return None


def _revalidated(response: HttpResponse, etag: str, *, immutable: bool = False) -> HttpResponse:
    """The points change whenever a song is placed, so a client asks each time; the answer to
    an unchanged map is a 304 (the client keeps the bytes it has). At the address of one
    version of them (?v=), they never change: kept for a year, never asked for again."""
    response["ETag"] = etag
    response["Cache-Control"] = (
        "private, max-age=31536000, immutable" if immutable else "private, no-cache"
    )
    return response
