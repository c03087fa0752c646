"""Embedding spaces. A song can have vectors from several model versions; exactly one version is
active, and search and the map use only it. Each kind of model has its own table because its
vectors have their own dimension, and pgvector's HNSW index needs a fixed one."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Func, Q, Value
from pgvector.django import HnswIndex, VectorField

from songs.models.catalogue import BACKBONE_DIM, HEAD_DIM, TAG_COUNT, Song


class EmbeddingModelQuerySet(models.QuerySet):
    def active(self) -> "EmbeddingModel | None":
        """The one version search and the map use (None before the first is made)."""
        return self.filter(is_active=True).first()


class EmbeddingModel(models.Model):
    """One version of one way of turning a song's features into a searchable vector."""

    class Kind(models.TextChoices):
        # Song.features (the MSD model's mean penultimate layer), z-scored.
        BACKBONE = "backbone", "musicnn (MSD), standardised"
        # Song.descriptor (both musicnn models' penultimate layers, mean and spread over the
        # patches), z-scored over the catalogue and turned onto 200 axes (ml.descriptor).
        DESCRIPTOR = "descriptor", "musicnn (MSD + MTT) descriptor, fitted on the catalogue"
        GENRE_HEAD = "genre_head", "genre head trained on this catalogue"

    class State(models.TextChoices):
        EMBEDDING = "embedding"  # its vectors for the catalogue are being written
        READY = "ready"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=100, unique=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.EMBEDDING)
    is_active = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    # Per-dimension standardisation of the model's input (Song.features, or Song.descriptor),
    # fitted on the catalogue when the version was made and applied unchanged to every song
    # added later.
    feature_mean = ArrayField(models.FloatField())
    feature_std = ArrayField(models.FloatField())
    # When, and on how many songs, the statistics were fitted (0: not fitted, the raw model).
    # The catalogue changing by EMBEDDING_REFIT_SHARE of this makes a new version by itself.
    fitted_on_songs = models.PositiveIntegerField(default=0)
    fitted_at = models.DateTimeField(null=True, blank=True)
    # Raw (the songs' input as it is) or fitted on the catalogue (statistics, a projection, a
    # head): written by the database from fitted_on_songs, so the two never disagree.
    is_fitted = models.GeneratedField(
        expression=Q(fitted_on_songs__gt=0), output_field=models.BooleanField(), db_persist=True
    )

    # Genre heads: the genres, and the Keras weights. Descriptor models: the projection (.npy).
    genres = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    weights = models.FileField(max_length=200, blank=True)
    # dataset size, accuracy, macro_f1, confusion matrix, epochs, seed ...
    metrics = models.JSONField(default=dict, blank=True)

    objects = EmbeddingModelQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_active_embedding_model"
            ),
            models.CheckConstraint(
                condition=~Q(is_active=True) | Q(state="ready"), name="active_model_is_ready"
            ),
            # Statistics are refitted by one worker at a time (the others' refits are refused).
            models.UniqueConstraint(
                fields=["state"],
                condition=Q(state="embedding", fitted_on_songs__gt=0) & ~Q(kind="genre_head"),
                name="one_refit_at_a_time",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def dimension(self) -> int:
        return HEAD_DIM if self.kind == self.Kind.GENRE_HEAD else BACKBONE_DIM

    @property
    def vector_table(self) -> type["SongVector"]:
        return GenreHeadEmbedding if self.kind == self.Kind.GENRE_HEAD else BackboneEmbedding

    def vectors(self) -> models.QuerySet["SongVector"]:
        """This version's song vectors (rows of its ``vector_table``)."""
        return self.vector_table.objects.filter(model=self)

    @property
    def input_field(self) -> str:
        """The Song field this model's vectors are made from."""
        return self.input_field_of(self.kind)

    @classmethod
    def input_field_of(cls, kind: str) -> str:
        return "descriptor" if kind == cls.Kind.DESCRIPTOR else "features"


class SongVector(models.Model):
    """A song's vector in one embedding model version's space; each kind of model has its own
    table (below) because a table's vectors share one dimension."""

    model = models.ForeignKey(EmbeddingModel, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.model_id}:{self.song_id}"


class BackboneEmbedding(SongVector):
    """A song's 200-d vector in a backbone or descriptor model's space."""

    song = models.ForeignKey(Song, on_delete=models.CASCADE, related_name="backbone_embeddings")
    vector = VectorField(dimensions=BACKBONE_DIM)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["model", "song"], name="one_backbone_vector_per_model")
        ]
        indexes = [
            HnswIndex(
                name="backbone_vector_hnsw",
                fields=["vector"],
                m=16,
                ef_construction=64,
                opclasses=["vector_cosine_ops"],
            )
        ]


class GenreHeadEmbedding(SongVector):
    """A song's vector in a genre head's bottleneck space."""

    song = models.ForeignKey(Song, on_delete=models.CASCADE, related_name="head_embeddings")
    vector = VectorField(dimensions=HEAD_DIM)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["model", "song"], name="one_head_vector_per_model")
        ]
        indexes = [
            HnswIndex(
                name="head_vector_hnsw",
                fields=["vector"],
                m=16,
                ef_construction=64,
                opclasses=["vector_cosine_ops"],
            )
        ]


TAG_VECTOR_REVISIONS = "songs_tagvector_revision_seq"


class TagVector(models.Model):
    """A song's tags from both tagging models as log-probabilities, MSD_TAGS then MTT_TAGS
    (ml.tags.tag_log_probabilities). Word search ranks songs by the inner product of this with the
    query's tag weights (songs.tag_matrix keeps them in each web process's memory).

    ``revision`` comes from a sequence on every insert, so a process holding the vectors reads
    only those written since it last looked. A vector is replaced by deleting and inserting."""

    song = models.OneToOneField(
        Song, on_delete=models.CASCADE, primary_key=True, related_name="tag_vector"
    )
    log_probabilities = VectorField(dimensions=2 * TAG_COUNT)
    revision = models.BigIntegerField(
        db_default=Func(Value(TAG_VECTOR_REVISIONS), function="nextval"),
        db_index=True,
        editable=False,
    )

    def __str__(self) -> str:
        return f"tags of {self.song_id}"
