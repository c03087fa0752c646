from django.http import HttpResponse
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from explorer.selectors import active_map, map_etag, map_points_packed, map_summary
from neuralnotes.api import IsCatalogueManager


class MapView(APIView):
    def get(self, request: Request) -> Response:
        """The active map's summary (method, size, trustworthiness, cluster names)."""
        version = active_map()
        if version is None:
            return Response({"map": None, "message": "No map yet: no song has been analysed."})
        return Response({"map": map_summary(version)})


class MapRebuildView(APIView):
    permission_classes = [IsCatalogueManager]

    def post(self, request: Request) -> Response:
        """Build a new full map on a worker (one build at a time; the old map stays until then)."""
        from explorer.tasks import build_map

        task = build_map.delay()
        return Response({"task": task.id}, status=status.HTTP_202_ACCEPTED)


class MapPointsView(APIView):
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
