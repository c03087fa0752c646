"""Staff: near-duplicate songs to review, merging or dismissing a pair, scanning the catalogue."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from neuralnotes.api import IsCatalogueManager, error_responses
from songs.api.serializers import QueuedTaskOutput
from songs.models import NearDuplicate, Song
from songs.selectors.catalogue import near_duplicates_to_review
from songs.services.duplicates import (
    better_file,
    near_duplicate_dismiss,
    near_duplicate_merge,
)
from songs.tasks import scan_near_duplicates


class DuplicateSongOutput(serializers.ModelSerializer):
    audio_url = serializers.SerializerMethodField()

    class Meta:
        model = Song
        fields = [
            "id", "title", "artist", "album", "duration_s", "sample_rate", "channels",
            "audio_format", "size_bytes", "original_name", "created_at", "audio_url",
        ]  # fmt: skip

    def get_audio_url(self, song: Song) -> str:
        return reverse("songs-api:song-audio", args=[song.id])


class NearDuplicateOutput(serializers.ModelSerializer):
    song = DuplicateSongOutput()
    other = DuplicateSongOutput()
    suggested_keep = serializers.SerializerMethodField(
        help_text="The song a merge keeps unless told otherwise: the higher sample rate, then "
        "the bigger file, then the longer one."
    )

    class Meta:
        model = NearDuplicate
        fields = ["id", "distance", "found_at", "dismissed", "song", "other", "suggested_keep"]

    def get_suggested_keep(self, pair: NearDuplicate) -> int:
        return better_file(pair.song, pair.other).id


class MergeInput(serializers.Serializer):
    keep = serializers.IntegerField(
        required=False,
        help_text="The id of the song to keep (one of the pair); default: suggested_keep.",
    )


class MergeOutput(serializers.Serializer):
    kept = serializers.IntegerField(source="kept.id")
    dropped = serializers.IntegerField()
    entries_moved = serializers.IntegerField(
        help_text="Playlist and Favourites entries of the other song pointed at the kept one."
    )
    entries_dropped = serializers.IntegerField(
        help_text="Entries then removed because their list held the kept song twice and does not "
        "allow it (the first one stays)."
    )
    ratings_moved = serializers.IntegerField()
    ratings_dropped = serializers.IntegerField(
        help_text="Ratings of listeners who had rated both: their most recent one stays."
    )
    plays_moved = serializers.IntegerField()


class DuplicatePagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500


@extend_schema_view(
    get=extend_schema(
        operation_id="duplicates_list",
        tags=["catalogue"],
        description="Pairs of songs that sound like one recording in two files (another "
        "encoding, bit rate or sample rate, or a trimmed copy), nearest first, with their cosine "
        "distance and both songs' facts; dismissed pairs are not listed.",
        responses={200: NearDuplicateOutput(many=True), **error_responses(403)},
    )
)
class NearDuplicateListView(ListAPIView):
    permission_classes = [IsCatalogueManager]
    serializer_class = NearDuplicateOutput
    pagination_class = DuplicatePagination

    def get_queryset(self):
        return near_duplicates_to_review()


class NearDuplicateMergeView(APIView):
    permission_classes = [IsCatalogueManager]

    @extend_schema(
        operation_id="duplicates_merge",
        tags=["catalogue"],
        request=MergeInput,
        responses={200: MergeOutput, **error_responses(400, 403, 404, 415)},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Merge the pair: one song stays, with every playlist entry, favourite, rating and play
        of the other, which is deleted with its files."""
        data = MergeInput(data=request.data)
        data.is_valid(raise_exception=True)
        pair = get_object_or_404(NearDuplicate.objects.select_related("song", "other"), pk=pk)
        keep = data.validated_data.get("keep")
        if keep is not None and keep not in (pair.song_id, pair.other_id):
            raise ValidationError({"keep": ["The song to keep must be one of the pair."]})
        chosen = None if keep is None else (pair.song if keep == pair.song_id else pair.other)
        outcome = near_duplicate_merge(pair=pair, keep=chosen)  # MergeError: a 400
        return Response(MergeOutput(outcome).data)


class NearDuplicateDismissView(APIView):
    permission_classes = [IsCatalogueManager]

    @extend_schema(
        operation_id="duplicates_dismiss",
        tags=["catalogue"],
        request=None,
        responses={200: NearDuplicateOutput, **error_responses(403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Not duplicates: the pair is no longer listed, and scans do not offer it again."""
        pair = get_object_or_404(NearDuplicate.objects.select_related("song", "other"), pk=pk)
        return Response(NearDuplicateOutput(near_duplicate_dismiss(pair=pair)).data)


class NearDuplicateScanView(APIView):
    permission_classes = [IsCatalogueManager]

    @extend_schema(
        operation_id="duplicates_scan",
        tags=["catalogue"],
        request=None,
        responses={202: QueuedTaskOutput, **error_responses(403)},
    )
    def post(self, request: Request) -> Response:
        """Look for near-duplicates over the whole catalogue, on a worker (songs are also
        checked one by one as their analysis ends)."""
        task = scan_near_duplicates.delay()
        return Response({"task": task.id}, status=status.HTTP_202_ACCEPTED)
