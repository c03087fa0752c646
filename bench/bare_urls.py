"""The bare view: the same selector and serializer as /api/v1/songs/{id}/similar/, nothing else."""

from django.shortcuts import get_object_or_404
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from songs.api.serializers import NeighbourOutput
from songs.models import Song
from songs.selectors.similarity import songs_similar_to


class BareSimilarView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request, pk: int) -> Response:
        song = get_object_or_404(Song, pk=pk)
        neighbours = songs_similar_to(song=song, k=int(request.query_params.get("k", 10)))
        results = [{"song": s, "distance": d} for s, d in neighbours]
        return Response({"song": song.id, "results": NeighbourOutput(results, many=True).data})


urlpatterns = [path("similar/<int:pk>/", BareSimilarView.as_view())]
