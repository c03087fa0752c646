from django.http import HttpResponse
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

from explorer.selectors import active_map, map_etag, map_points_packed, map_summary
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
                description="Identifies this version of the points.",
            ),
        ],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="Little-endian: uint32 header length | JSON header | int32 ids[n] | "
                "int16 xyz[3n] | uint8 genre[n] | uint8 cluster[n].",
            ),
            204: OpenApiResponse(description="No map yet."),
            304: OpenApiResponse(description="Not modified since the ETag sent."),
            **error_responses(),
        },
    )
    def get(self, request: Request) -> HttpResponse:
        """Every point of the active map in one compact binary message (see
        explorer.selectors.map_points_packed), with an ETag: an unchanged map answers 304."""
        version = active_map()
        if version is None:
            return HttpResponse(status=204)
        etag = map_etag(version)
        if request.headers.get("If-None-Match") == etag:
            response = HttpResponse(status=304)
        else:
            response = HttpResponse(
                map_points_packed(version), content_type="application/octet-stream"
            )
        response["ETag"] = etag
        response["Cache-Control"] = "private, no-cache"
        return response
