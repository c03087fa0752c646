from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ml.tags import MSD_TAGS
from songs.models import Song, UploadBatch
from songs.selectors.catalogue import SONG_LIST_FIELDS, batch_progress


@extend_schema_field(OpenApiTypes.BINARY)
class UploadedFileField(serializers.FileField):
    """A file sent in a multipart request. Behaves as FileField; the schema says "binary" where
    it would otherwise describe a file field as the URL it has in answers."""


class SongOutput(serializers.ModelSerializer):
    catalogue = serializers.CharField(source="catalogue.name")

    class Meta:
        model = Song
        fields = [
            "id", "title", "artist", "album", "genre", "track_number", "year", "catalogue",
            "duration_s", "sample_rate", "channels", "audio_format", "status", "error",
            "predicted_genre", "predicted_genre_probability", "created_at", "analysed_at",
        ]  # fmt: skip


class SongCountsOutput(serializers.Serializer):
    total = serializers.IntegerField()
    pending = serializers.IntegerField()
    processing = serializers.IntegerField()
    ready = serializers.IntegerField()
    failed = serializers.IntegerField()


class RejectedFileOutput(serializers.Serializer):
    name = serializers.CharField()
    reason = serializers.CharField()


class DuplicateFileOutput(serializers.Serializer):
    name = serializers.CharField()
    song_id = serializers.IntegerField()


class BatchProgressOutput(serializers.Serializer):
    """What songs.selectors.batch_progress answers (documents BatchOutput.progress)."""

    counts = SongCountsOutput()
    songs_per_minute = serializers.FloatField(allow_null=True)
    minutes_left = serializers.FloatField(allow_null=True)
    finished = serializers.BooleanField()
    rejected = RejectedFileOutput(many=True)
    duplicates = DuplicateFileOutput(many=True)


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

    @extend_schema_field(BatchProgressOutput)
    def get_progress(self, batch: UploadBatch) -> dict:
        return batch_progress(batch=batch)


class FileInput(serializers.Serializer):
    file = UploadedFileField()


class UploadInput(serializers.Serializer):
    files = serializers.ListField(child=UploadedFileField(), allow_empty=False)
    catalogue = serializers.CharField(max_length=200, required=False)
    metadata = UploadedFileField(required=False)


class FileOutcomeOutput(serializers.Serializer):
    name = serializers.CharField()
    created = serializers.BooleanField()
    error = serializers.CharField()
    song = SongOutput(allow_null=True)


class QueuedTaskOutput(serializers.Serializer):
    task = serializers.CharField(help_text="The Celery task id of the work queued.")


class SongListOutput(serializers.ModelSerializer):
    """A song in lists: enough to show a row and play it."""

    class Meta:
        model = Song
        fields = list(SONG_LIST_FIELDS)  # the selectors load no more than these


class TopTagOutput(serializers.Serializer):
    tag = serializers.CharField()
    probability = serializers.FloatField()


class SongDetailOutput(serializers.ModelSerializer):
    catalogue = serializers.CharField(source="catalogue.name")
    top_tags = serializers.SerializerMethodField()
    audio_url = serializers.SerializerMethodField()
    spectrogram_url = serializers.SerializerMethodField()

    class Meta:
        model = Song
        fields = [
            "id", "title", "artist", "artist_key", "album", "genre", "predicted_genre",
            "predicted_genre_probability", "track_number", "year", "catalogue", "duration_s",
            "audio_format", "status", "top_tags", "audio_url", "spectrogram_url",
        ]  # fmt: skip

    @extend_schema_field(TopTagOutput(many=True))
    def get_top_tags(self, song: Song) -> list[dict]:
        if not song.msd_tag_probabilities:
            return []
        ranked = sorted(zip(MSD_TAGS, song.msd_tag_probabilities, strict=True), key=lambda t: -t[1])
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
