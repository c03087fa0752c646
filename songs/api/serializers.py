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
