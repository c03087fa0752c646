from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from playlists.models import Playlist, PlaylistEntry
from songs.api.serializers import SongListOutput


class EntryOutput(serializers.ModelSerializer):
    song = SongListOutput()

    class Meta:
        model = PlaylistEntry
        fields = ["id", "position", "song", "added_at"]


class PlaylistOutput(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username")
    share_url = serializers.SerializerMethodField()

    class Meta:
        model = Playlist
        fields = [
            "id", "name", "description", "owner", "is_favourites", "visibility",
            "allow_duplicates", "share_url", "created_at", "updated_at",
        ]  # fmt: skip

    def get_share_url(self, playlist: Playlist) -> str | None:
        request = self.context.get("request")
        if not playlist.share_token or request is None or request.user != playlist.owner:
            return None  # only the owner sees the link
        return request.build_absolute_uri(reverse("playlists:shared", args=[playlist.share_token]))


class PlaylistDetailOutput(PlaylistOutput):
    entries = serializers.SerializerMethodField()

    class Meta(PlaylistOutput.Meta):
        fields = [*PlaylistOutput.Meta.fields, "entries"]

    @extend_schema_field(EntryOutput(many=True))
    def get_entries(self, playlist: Playlist) -> list:
        from playlists.selectors import playlist_entries

        return EntryOutput(playlist_entries(playlist), many=True).data


class PlaylistInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    songs = serializers.ListField(child=serializers.IntegerField(), required=False, max_length=1000)


class PlaylistUpdateInput(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    visibility = serializers.ChoiceField(choices=Playlist.Visibility.choices, required=False)
    allow_duplicates = serializers.BooleanField(required=False)


class AddSongInput(serializers.Serializer):
    song = serializers.IntegerField()
    position = serializers.IntegerField(min_value=0, required=False)


class MoveInput(serializers.Serializer):
    position = serializers.IntegerField(min_value=0)


class GenerateInput(serializers.Serializer):
    start = serializers.IntegerField()
    end = serializers.IntegerField(required=False)
    length = serializers.IntegerField(min_value=2, max_value=100, default=10)


class FavouriteOutput(serializers.Serializer):
    song = serializers.IntegerField()
    favourite = serializers.BooleanField()


class ExportedSongOutput(serializers.Serializer):
    position = serializers.IntegerField()
    id = serializers.IntegerField()
    title = serializers.CharField()
    artist = serializers.CharField()
    album = serializers.CharField()
    genre = serializers.CharField()
    duration_s = serializers.FloatField(allow_null=True)


class PlaylistExportOutput(serializers.Serializer):
    """What playlists.exports.playlist_json writes (documents export.json)."""

    name = serializers.CharField()
    description = serializers.CharField()
    owner = serializers.CharField()
    songs = ExportedSongOutput(many=True)
