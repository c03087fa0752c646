"""Artists over the API. An artist is a name compared without case, identified by its key
(Song.artist_key, the MD5 of the lower-cased name: the same id the Subsonic API uses). Listeners
see only artists of analysed songs; similar artists come from where their songs lie in the
embedding space (songs.selectors.artists_similar_to)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from neuralnotes.api import error_responses
from songs.api.listening import visible_songs
from songs.selectors.catalogue import artist_summary, artists_named
from songs.selectors.similarity import artists_similar_to


class AlbumOutput(serializers.Serializer):
    key = serializers.CharField(help_text="The album's key (artist and album name, any case).")
    name = serializers.CharField(help_text="Empty for songs without an album.")
    year = serializers.IntegerField(allow_null=True)
    song_count = serializers.IntegerField()


class ArtistOutput(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField(help_text="Empty for songs without an artist.")
    song_count = serializers.IntegerField()
    albums = AlbumOutput(many=True)


class SimilarArtistOutput(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    song_count = serializers.IntegerField()
    distance = serializers.FloatField(
        help_text="Cosine distance (0 to 2) from the centre of the artist's songs to this "
        "artist's nearest song."
    )


class SimilarArtistsInput(serializers.Serializer):
    k = serializers.IntegerField(min_value=1, max_value=50, default=10)


def _visible_artist(request: Request, key: str) -> dict:
    summary = artist_summary(songs=visible_songs(request), artist_key=key)
    if summary is None:
        raise Http404("No such artist.")
    return summary


class ArtistDetailView(APIView):
    @extend_schema(
        operation_id="artists_retrieve",
        tags=["artists"],
        responses={200: ArtistOutput, **error_responses(404)},
    )
    def get(self, request: Request, key: str) -> Response:
        """An artist: its name, how many songs it has, and its albums (listeners: analysed songs
        only). The key is a song's ``artist_key``."""
        return Response(ArtistOutput(_visible_artist(request, key)).data)


class ArtistSimilarView(APIView):
    @extend_schema(
        operation_id="artists_similar",
        tags=["artists"],
        parameters=[SimilarArtistsInput],
        responses={
            200: inline_serializer(
                "ArtistSimilarOutput",
                fields={
                    "artist": serializers.CharField(),
                    "results": SimilarArtistOutput(many=True),
                },
            ),
            **error_responses(400, 404),
        },
    )
    def get(self, request: Request, key: str) -> Response:
        """The ``k`` artists whose songs sound most like this artist's, nearest first; never the
        artist itself."""
        params = SimilarArtistsInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        _visible_artist(request, key)
        ranked = artists_similar_to(artist_key=key, k=params.validated_data["k"])
        names = artists_named(artist_keys=[other for other, _ in ranked])
        results = [
            {"key": other, **names[other], "distance": distance}
            for other, distance in ranked
            if other in names
        ]
        return Response({"artist": key, "results": SimilarArtistOutput(results, many=True).data})
