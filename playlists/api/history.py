"""The signed-in listener's own listening history over the API: list, record, delete, pause,
and what is made from it. Nobody else's plays can be reached here: every query is filtered by
the requesting user, so another user's play answers 404 like a missing one."""

from __future__ import annotations

from datetime import timedelta

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from neuralnotes.api import error_responses
from playlists import selectors, services, taste
from playlists.models import Play
from songs.api.serializers import NeighbourOutput, SongListOutput
from songs.models import Song

TAGS = ["history"]
# A client's clock may run a little ahead; a play further in the future is a mistake.
CLOCK_SLACK = timedelta(minutes=5)


class PlayOutput(serializers.ModelSerializer):
    song = SongListOutput()

    class Meta:
        model = Play
        fields = ["id", "song", "played_at", "seconds_heard", "skipped", "source", "client"]


class PlayInput(serializers.Serializer):
    song = serializers.IntegerField(help_text="An analysed song's id (else 404).")
    seconds_heard = serializers.FloatField(
        min_value=0,
        max_value=86400,
        required=False,
        allow_null=True,
        help_text="Seconds actually heard (the time played, not the position reached).",
    )
    skipped = serializers.BooleanField(
        required=False,
        allow_null=True,
        help_text="Left out or null: a skip when less than 30 s and less than half the song "
        "was heard (ml.taste.heard_as_skip); no seconds given, not a skip.",
    )
    played_at = serializers.DateTimeField(required=False, help_text="Default: now.")
    client = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")

    def validate_played_at(self, value):
        if value > timezone.now() + CLOCK_SLACK:
            raise ValidationError("A play cannot be in the future.")
        return value


class NotRecordedOutput(serializers.Serializer):
    recorded = serializers.BooleanField(help_text="Always false.")
    message = serializers.CharField()


class PauseInput(serializers.Serializer):
    paused = serializers.BooleanField()


class PauseOutput(serializers.Serializer):
    paused = serializers.BooleanField()
    since = serializers.DateTimeField(allow_null=True, help_text="When it was paused.")


class TasteInput(serializers.Serializer):
    k = serializers.IntegerField(min_value=1, max_value=100, default=20)


class TasteOutput(serializers.Serializer):
    results = NeighbourOutput(many=True)


class ListeningMapOutput(serializers.Serializer):
    songs = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of the analysed songs played, ascending."
    )
    weights = serializers.ListField(
        child=serializers.FloatField(),
        help_text="Each song's weight, in the same order: played recently and fully weighs about "
        "1 a play, half as much every 30 days; negative: skipped more than liked.",
    )


class HistoryPagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500


_DELETED = OpenApiResponse(description="Done (no body).")


def _source(request: Request) -> str:
    """The web player signs in with the session; other clients with a token."""
    if isinstance(request.successful_authenticator, SessionAuthentication):
        return Play.Source.WEB
    return Play.Source.API


@extend_schema_view(
    get=extend_schema(
        operation_id="history_list",
        tags=TAGS,
        description="Your plays, newest first.",
        responses={200: PlayOutput(many=True), **error_responses()},
    )
)
class HistoryView(ListAPIView):
    serializer_class = PlayOutput
    pagination_class = HistoryPagination

    def get_queryset(self):
        return selectors.history_for(self.request.user)

    @extend_schema(
        operation_id="history_record",
        tags=TAGS,
        request=PlayInput,
        responses={
            201: PlayOutput,
            200: OpenApiResponse(
                NotRecordedOutput,
                description="Your history is paused: the play was not recorded.",
            ),
            **error_responses(400, 404, 415),
        },
    )
    def post(self, request: Request) -> Response:
        """Record a play of an analysed song (the web player sends one when a song stops)."""
        data = PlayInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        song = get_object_or_404(Song.objects.ready().only("id", "duration_s"), id=values["song"])
        play = services.play_record(
            user=request.user,
            song=song,
            source=_source(request),
            client=values["client"],
            played_at=values.get("played_at"),
            seconds_heard=values.get("seconds_heard"),
            skipped=values.get("skipped"),
        )
        if play is None:
            message = "Your listening history is paused: this play was not recorded."
            return Response({"recorded": False, "message": message})
        play = selectors.history_for(request.user).get(id=play.id)
        return Response(PlayOutput(play).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="history_clear",
        tags=TAGS,
        description="Delete your whole listening history (and so everything made from it).",
        responses={204: _DELETED, **error_responses()},
    )
    def delete(self, request: Request) -> Response:
        services.history_delete(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class HistoryPlayView(APIView):
    @extend_schema(
        operation_id="history_destroy",
        tags=TAGS,
        description="Delete one of your plays (anyone else's: 404).",
        responses={204: _DELETED, **error_responses(404)},
    )
    def delete(self, request: Request, pk: int) -> Response:
        play = get_object_or_404(selectors.history_for(request.user), id=pk)
        services.history_delete(user=request.user, play_ids=[play.id])
        return Response(status=status.HTTP_204_NO_CONTENT)


def _pause_state(request: Request) -> dict:
    since = selectors.history_paused_since(request.user)
    return {"paused": since is not None, "since": since}


class HistoryPauseView(APIView):
    @extend_schema(
        operation_id="history_pause_retrieve",
        tags=TAGS,
        description="Whether your history is paused (while it is, no player records a play).",
        responses={200: PauseOutput, **error_responses()},
    )
    def get(self, request: Request) -> Response:
        return Response(PauseOutput(_pause_state(request)).data)

    @extend_schema(
        operation_id="history_pause_set",
        tags=TAGS,
        request=PauseInput,
        description="Pause (true) or resume (false) your history; what is recorded stays.",
        responses={200: PauseOutput, **error_responses(400, 415)},
    )
    def put(self, request: Request) -> Response:
        data = PauseInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.history_pause_set(user=request.user, paused=data.validated_data["paused"])
        return Response(PauseOutput(_pause_state(request)).data)


class _TasteView(APIView):
    def _answer(self, request: Request, find) -> Response:
        params = TasteInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        found = find(user=request.user, k=params.validated_data["k"])
        results = [{"song": song, "distance": distance} for song, distance in found]
        return Response({"results": NeighbourOutput(results, many=True).data})


class MoreLikeMyPlaysView(_TasteView):
    @extend_schema(
        operation_id="history_more_like",
        tags=TAGS,
        parameters=[TasteInput],
        responses={200: TasteOutput, **error_responses(400)},
    )
    def get(self, request: Request) -> Response:
        """Songs near what you play (up to three centres of your liked songs, pushed away from
        what you skip), with the cosine distance to the centre that found each. Never a song you
        skip more than you like, nor one heard in the last 24 hours. No history: no results."""
        return self._answer(request, taste.songs_like_my_plays)


class NewToMeView(_TasteView):
    @extend_schema(
        operation_id="history_new_to_me",
        tags=TAGS,
        parameters=[TasteInput],
        responses={200: TasteOutput, **error_responses(400)},
    )
    def get(self, request: Request) -> Response:
        """Songs near what you play that you have never played. No history: no results."""
        return self._answer(request, taste.songs_new_to_me)


class ListeningMapView(APIView):
    @extend_schema(
        operation_id="history_map",
        tags=TAGS,
        description="Where your listening lives on the map: the songs you played and how much "
        "each weighs in your taste, for an overlay on the map's points (GET /map/points/).",
        responses={200: ListeningMapOutput, **error_responses()},
    )
    def get(self, request: Request) -> Response:
        ids, weights = taste.listening_map(user=request.user)
        return Response({"songs": ids, "weights": weights})
