from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from songs.models import EmbeddingModel, Song


class MapVersionQuerySet(models.QuerySet):
    def active(self) -> "MapVersion | None":
        """The map the explorer shows (None before the first is built)."""
        return self.filter(is_active=True).first()


class MapVersion(models.Model):
    """One 3D layout of the catalogue. A new full map is built beside the active one and switched
    to in one transaction: the explorer never sees half a map."""

    class State(models.TextChoices):
        BUILDING = "building"
        READY = "ready"
        FAILED = "failed"

    embedding_model = models.ForeignKey(
        EmbeddingModel, on_delete=models.CASCADE, related_name="maps"
    )
    method = models.CharField(max_length=16)  # "tsne" or "umap"
    parameters = models.JSONField(default=dict)  # seed, perplexity, sample size …
    state = models.CharField(max_length=16, choices=State.choices, default=State.BUILDING)
    is_active = models.BooleanField(default=False)
    song_count = models.PositiveIntegerField(default=0)  # laid out when the map was built
    trustworthiness = models.FloatField(null=True, blank=True)
    cluster_names = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The packed points as a gzip file (explorer.map_file), their length, their strong validator
    # (the SHA-256 of the packed bytes), and which points it holds ("count-newest id").
    points_file = models.FileField(max_length=200, blank=True)
    points_bytes = models.PositiveBigIntegerField(default=0)  # the message's length, unpacked
    points_etag = models.CharField(max_length=40, blank=True)
    points_summary = models.CharField(max_length=40, blank=True)
    points_written_at = models.DateTimeField(null=True, blank=True)

    objects = MapVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_active_map"
            ),
            # Two builds at once would race to replace the map: the database allows one.
            models.UniqueConstraint(
                fields=["state"], condition=Q(state="building"), name="one_map_building"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} map {self.pk} ({self.song_count} songs)"


class MapPoint(models.Model):
    map = models.ForeignKey(MapVersion, on_delete=models.CASCADE, related_name="points")
    song = models.ForeignKey(Song, on_delete=models.CASCADE, related_name="map_points")
    x = models.FloatField()
    y = models.FloatField()
    z = models.FloatField()
    # Laid out by the map's own method (True) or placed later among its neighbours (False).
    projected = models.BooleanField(default=True)
    cluster = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["map", "song"], name="one_point_per_song_and_map")
        ]

    def __str__(self) -> str:
        return f"{self.song_id} in map {self.map_id}"


class Mix(models.Model):
    """An automatic playlist: one cluster of a map, its most typical songs first, named from the
    tags and genres it has most. A map's mixes are made with it and go with it."""

    map = models.ForeignKey(MapVersion, on_delete=models.CASCADE, related_name="mixes")
    cluster = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    words = models.JSONField(default=list)  # the tags and genres of the name, most typical first
    song_ids = ArrayField(models.IntegerField())  # nearest to the cluster's centre first
    cluster_size = models.PositiveIntegerField()  # songs in the cluster when the map was built

    class Meta:
        ordering = ["map", "cluster"]
        constraints = [
            models.UniqueConstraint(fields=["map", "cluster"], name="one_mix_per_cluster")
        ]

    def __str__(self) -> str:
        return self.name
