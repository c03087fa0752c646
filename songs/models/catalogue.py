from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import MD5, Concat, Lower
from pgvector.django import VectorField

# Dimensions of ml.backbone.EMBEDDING_DIM and ml.head.EMBEDDING_DIM, written out so that the web
# processes need not import TensorFlow (tests/songs/test_models.py keeps them in step).
BACKBONE_DIM = 200
DESCRIPTOR_DIM = 800  # ml.descriptor.DESCRIPTOR_DIM
HEAD_DIM = 32
MFCC_STATS_DIM = 40
TAG_COUNT = 50  # per tagging model: ml.tags.MSD_TAGS and ml.tags.MTT_TAGS


class Catalogue(models.Model):
    """A named collection of songs (an import, a label's back catalogue, the demo)."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UploadBatch(models.Model):
    """The files that arrived together (one web upload, one zip, one import run)."""

    class Source(models.TextChoices):
        WEB = "web"
        API = "api"
        IMPORT = "import"
        DEMO = "demo"

    catalogue = models.ForeignKey(Catalogue, on_delete=models.PROTECT, related_name="batches")
    source = models.CharField(max_length=8, choices=Source.choices)
    name = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Files that never became songs, and files that were songs already: [{"name", "reason"}] and
    # [{"name", "song_id"}]. Kept here because the user asks about them by batch.
    rejected = models.JSONField(default=list, blank=True)
    duplicates = models.JSONField(default=list, blank=True)
    # Title, artist, … by file name, from a metadata file sent with the upload.
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "upload batches"

    def __str__(self) -> str:
        return self.name or f"{self.get_source_display()} batch {self.pk}"


# The permission that makes a catalogue manager (Song.Meta.permissions; the group of
# songs.services.roles holds it). Superusers have every permission.
MANAGE_CATALOGUE = "songs.manage_catalogue"


def can_manage_catalogue(user) -> bool:
    """Whether ``user`` (a User or AnonymousUser) may upload songs and manage the catalogue:
    the one rule for views, API permissions, templates and Subsonic roles."""
    return bool(user and user.has_perm(MANAGE_CATALOGUE))


class SongQuerySet(models.QuerySet):
    def ready(self) -> "SongQuerySet":
        """Analysed songs: the ones listeners see, play and search."""
        return self.filter(Song.ready_q())

    def visible_to(self, user) -> "SongQuerySet":
        """The songs ``user`` may see: catalogue managers every song, listeners the ready ones."""
        return self if can_manage_catalogue(user) else self.ready()


class Song(models.Model):
    """One piece of audio in the catalogue, identified by the SHA-256 of its file."""

    class Status(models.TextChoices):
        PENDING = "pending"
        PROCESSING = "processing"
        READY = "ready"
        FAILED = "failed"

    catalogue = models.ForeignKey(Catalogue, on_delete=models.PROTECT, related_name="songs")
    batch = models.ForeignKey(
        UploadBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="songs"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    title = models.CharField(max_length=300)
    artist = models.CharField(max_length=300, blank=True)
    album = models.CharField(max_length=300, blank=True)
    genre = models.CharField(max_length=100, blank=True, db_index=True)  # a label someone gave
    track_number = models.PositiveIntegerField(null=True, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)

    audio = models.FileField(max_length=200)
    content_sha256 = models.CharField(max_length=64, unique=True)
    original_name = models.CharField(max_length=500)
    size_bytes = models.BigIntegerField()
    audio_format = models.CharField(max_length=32, blank=True)
    duration_s = models.FloatField(null=True, blank=True)
    sample_rate = models.PositiveIntegerField(null=True, blank=True)
    channels = models.PositiveSmallIntegerField(null=True, blank=True)

    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    error = models.TextField(blank=True)  # why analysis failed, in words for the user
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField(null=True, blank=True)  # last handed to the broker
    processing_started_at = models.DateTimeField(null=True, blank=True)
    # The analysis under way: a token new at every claim (only its holder may write the result,
    # so a worker that lost its claim cannot write twice) and the Celery worker holding it (the
    # sweep hands the song on when that worker stops answering).
    claim = models.UUIDField(null=True, blank=True)
    claimed_by = models.CharField(max_length=200, blank=True)
    analysed_at = models.DateTimeField(null=True, blank=True)

    # What analysis found. `features` is the raw backbone embedding (musicnn MSD penultimate
    # layer, mean over patches); the searchable, standardised vectors live in the embedding
    # tables, one row per embedding model version.
    features = VectorField(dimensions=BACKBONE_DIM, null=True, blank=True)
    # What similarity is computed from (ml.descriptor): both musicnn models' penultimate layers,
    # mean and standard deviation over the analysed patches. None for songs analysed before it
    # existed, until `manage.py complete_analysis`.
    descriptor = VectorField(dimensions=DESCRIPTOR_DIM, null=True, blank=True)
    mfcc_stats = VectorField(dimensions=MFCC_STATS_DIM, null=True, blank=True)
    msd_tag_probabilities = ArrayField(models.FloatField(), null=True, blank=True)  # MSD_TAGS order
    # The MagnaTagATune model's 50 tags (instruments, textures, tempo), in ml.tags.MTT_TAGS order.
    mtt_tag_probabilities = ArrayField(models.FloatField(), null=True, blank=True)
    spectrogram = models.FileField(max_length=200, blank=True)
    predicted_genre = models.CharField(max_length=100, blank=True)
    predicted_genre_probability = models.FloatField(null=True, blank=True)

    # The picture embedded in the file's tags (front cover first), if it has one.
    cover = models.FileField(max_length=200, blank=True)
    # The lyrics in the file's tags, structured (songs.services.lyrics): [] when it has none,
    # None when its tags were not read for them (imported before they were; a re-import or
    # library scan of the same file fills them in).
    lyrics = models.JSONField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # An artist is a name and an album an (artist, album) pair, compared without case: the
    # database keeps their keys in step with the tags, and they are the library's stable ids.
    artist_key = models.GeneratedField(
        expression=MD5(Lower("artist")),
        output_field=models.CharField(max_length=32),
        db_persist=True,
    )
    album_key = models.GeneratedField(
        expression=MD5(Concat(Lower("artist"), Value("\x1f"), Lower("album"))),
        output_field=models.CharField(max_length=32),
        db_persist=True,
    )

    # The words of the title, artist and album, for word search (no stemming: names are names).
    search_document = models.GeneratedField(
        expression=SearchVector("title", "artist", "album", config="simple"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = SongQuerySet.as_manager()

    class Meta:
        ordering = ["artist", "album", "track_number", "title", "id"]
        permissions = [("manage_catalogue", "Can upload songs and manage the catalogue")]
        indexes = [
            models.Index(fields=["status", "queued_at"]),
            models.Index(fields=["artist_key"]),
            models.Index(fields=["album_key", "track_number"]),
            GinIndex(fields=["search_document"], name="song_search_document_gin"),
            # Songs by title, the order searches list them in (subsonic.search).
            models.Index(fields=["title", "id"], name="song_title_id"),
        ]

    def __str__(self) -> str:
        return f"{self.artist} – {self.title}" if self.artist else self.title

    @classmethod
    def ready_q(cls, through: str = "") -> Q:
        """The lookup "the song is ready" for querysets of Song (``Song.objects.ready()``) and,
        with ``through`` ("song", "entries__song" …), of the models that point at songs."""
        return Q(**{f"{through}__status" if through else "status": cls.Status.READY})


class NearDuplicate(models.Model):
    """Two songs that sound like the same recording (another encoding, bit rate or sample rate, or
    a trimmed copy), found from their embeddings; a catalogue manager merges or dismisses them.
    The pair is stored once, lower song id first."""

    song = models.ForeignKey(Song, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Song, on_delete=models.CASCADE, related_name="+")
    distance = models.FloatField()  # cosine, in the embedding model that found them
    found_at = models.DateTimeField(auto_now=True)
    dismissed = models.BooleanField(default=False)  # a manager said they are different songs

    class Meta:
        ordering = ["distance", "song_id", "other_id"]
        constraints = [
            models.UniqueConstraint(fields=["song", "other"], name="one_near_duplicate_per_pair"),
            models.CheckConstraint(
                condition=models.Q(song__lt=models.F("other")), name="near_duplicate_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.song_id} ~ {self.other_id} ({self.distance:.3f})"
