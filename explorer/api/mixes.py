"""Mixes over the API: the active map's clusters as automatic playlists, and saving one as the
caller's own playlist. A mix of a replaced map answers 404: its songs belong to a layout that is
gone."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from explorer.models import Mix
from explorer.selectors import mix_songs, mixes_active
from explorer.services import mix_save_as_playlist
from neuralnotes.api import error_responses
from playlists.api.serializers import PlaylistDetailOutput
from songs.api.serializers import SongListOutput


class MixOutput(serializers.ModelSerializer):
    size = serializers.SerializerMethodField(help_text="Songs in the mix when the map was built.")
    cluster_size = serializers.IntegerField(
        help_text="Songs in the mix's cluster when the map was built (the mix has the most "
        "typical of them)."
    )
    words = serializers.ListField(
        child=serializers.CharField(), help_text="The tags and genres of the name."
    )

    class Meta:
        model = Mix
        fields = ["id", "name", "words", "size", "cluster_size", "cluster"]

    def get_size(self, mix: Mix) -> int:
        return len(mix.song_ids)


class MixDetailOutput(MixOutput):
    songs = serializers.SerializerMethodField(
        help_text="Its songs still in the catalogue, the most typical of the cluster first."
    )

    class Meta(MixOutput.Meta):
        fields = [*MixOutput.Meta.fields, "songs"]

    @extend_schema_field(SongListOutput(many=True))
    def get_songs(self, mix: Mix) -> list[dict]:
        return SongListOutput(mix_songs(mix), many=True).data


class MixSaveInput(serializers.Serializer):
    name = serializers.CharField(
        max_length=200, required=False, help_text="The playlist's name; the mix's if none."
    )


def _active_mix(pk: int) -> Mix:
    return get_object_or_404(mixes_active().select_related("map"), pk=pk)


class MixListView(APIView):
    @extend_schema(
        operation_id="mixes_list",
        tags=["mixes"],
        responses={
            200: inline_serializer("MixList", fields={"results": MixOutput(many=True)}),
            **error_responses(),
        },
    )
    def get(self, request: Request) -> Response:
        """The active map's mixes, one per cluster: each named from the tags and genres its
        songs have most. They change when the map is rebuilt; none before the first map."""
        return Response({"results": MixOutput(mixes_active(), many=True).data})


class MixDetailView(APIView):
    @extend_schema(
        operation_id="mixes_retrieve",
        tags=["mixes"],
        responses={200: MixDetailOutput, **error_responses(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        """One mix of the active map with its songs, the most typical of its cluster first."""
        return Response(MixDetailOutput(_active_mix(pk)).data)


class MixSaveView(APIView):
    @extend_schema(
        operation_id="mixes_save",
        tags=["mixes"],
        request=MixSaveInput,
        responses={201: PlaylistDetailOutput, **error_responses(400, 404, 415)},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Save the mix as a new private playlist of yours, its songs in the mix's order. The
        playlist keeps them when the mix changes with the next map."""
        mix = _active_mix(pk)
        data = MixSaveInput(data=request.data)
        data.is_valid(raise_exception=True)
        playlist = mix_save_as_playlist(
            user=request.user, mix=mix, name=data.validated_data.get("name")
        )
        return Response(
            PlaylistDetailOutput(playlist, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )
