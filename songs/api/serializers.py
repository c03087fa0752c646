from django.urls import reverse
from rest_framework import serializers

from songs.models import Catalogue, Song, UploadBatch


class SongOutput(serializers.ModelSerializer):
    catalogue = serializers.CharField(source="catalogue.name")

    class Meta:
        model = Song
        fields = [
            "id", "title", "artist", "album", "genre", "track_number", "year", "catalogue",
            "duration_s", "sample_rate", "channels", "audio_format", "status", "error",
            "predicted_genre", "predicted_genre_probability", "created_at", "analysed_at",
        ]  # fmt: skip


class BatchInput(serializers.Serializer):
    catalogue = serializers.CharField(max_length=200, required=False)
    name = serializers.CharField(max_length=300, required=False, allow_blank=True)


class BatchOutput(serializers.ModelSerializer):
    catalogue = serializers.CharField(source="catalogue.name")
    progress = serializers.SerializerMethodField()
    url = serializers.HyperlinkedIdentityField(view_name="songs-api:batch-detail")

    class Meta:
        model = UploadBatch
        fields = ["id", "url", "name", "source", "catalogue", "created_at", "progress"]

    def get_progress(self, batch: UploadBatch) -> dict:
        from songs.selectors import batch_progress

        return batch_progress(batch=batch)


class FileInput(serializers.Serializer):
    file = serializers.FileField()


class UploadInput(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField(), allow_empty=False)
    catalogue = serializers.CharField(max_length=200, required=False)
    metadata = serializers.FileField(required=False)


class FileOutcomeOutput(serializers.Serializer):
    name = serializers.CharField()
    created = serializers.BooleanField()
    error = serializers.CharField()
    song = SongOutput(allow_null=True)


class CatalogueOutput(serializers.ModelSerializer):
    class Meta:
        model = Catalogue
        fields = ["id", "name", "description"]


class SongListOutput(serializers.ModelSerializer):
    """A song in lists: enough to show a row and play it."""

    class Meta:
        model = Song
        fields = ["id", "title", "artist", "album", "genre", "predicted_genre", "duration_s"]


class SongDetailOutput(serializers.ModelSerializer):
    catalogue = serializers.CharField(source="catalogue.name")
    top_tags = serializers.SerializerMethodField()
    audio_url = serializers.SerializerMethodField()
    spectrogram_url = serializers.SerializerMethodField()

    class Meta:
        model = Song
        fields = [
            "id", "title", "artist", "album", "genre", "predicted_genre",
            "predicted_genre_probability", "track_number", "year", "catalogue", "duration_s",
            "audio_format", "status", "top_tags", "audio_url", "spectrogram_url",
        ]  # fmt: skip

    def get_top_tags(self, song: Song) -> list[dict]:
        from ml.tags import MSD_TAGS

        if not song.tag_probabilities:
            return []
        ranked = sorted(zip(MSD_TAGS, song.tag_probabilities, strict=True), key=lambda t: -t[1])
        return [{"tag": tag, "probability": round(p, 3)} for tag, p in ranked[:5]]

    def get_audio_url(self, song: Song) -> str:
        return reverse("songs-api:song-audio", args=[song.id])

    def get_spectrogram_url(self, song: Song) -> str | None:
        return reverse("songs-api:song-spectrogram", args=[song.id]) if song.spectrogram else None


class NeighbourOutput(serializers.Serializer):
    song = SongListOutput()
    distance = serializers.FloatField()


class SimilarInput(serializers.Serializer):
    k = serializers.IntegerField(min_value=1, max_value=100, default=10)
    max_distance = serializers.FloatField(min_value=0, max_value=2, required=False)


class SurpriseInput(serializers.Serializer):
    min_distance = serializers.FloatField(min_value=0, max_value=2, default=0.3)
    max_distance = serializers.FloatField(min_value=0, max_value=2, default=0.8)

    def validate(self, data: dict) -> dict:
        if data["min_distance"] > data["max_distance"]:
            raise serializers.ValidationError("min_distance must not exceed max_distance.")
        return data
