from django.db import models


class Song(models.Model):
    """One piece of audio in the catalogue. Ingestion and analysis fill in the rest."""

    class Status(models.TextChoices):
        PENDING = "pending"
        PROCESSING = "processing"
        READY = "ready"
        FAILED = "failed"

    title = models.CharField(max_length=300)
    artist = models.CharField(max_length=300, blank=True)
    album = models.CharField(max_length=300, blank=True)
    genre = models.CharField(max_length=100, blank=True, db_index=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["artist", "title", "id"]
        permissions = [("manage_catalogue", "Can upload songs and manage the catalogue")]

    def __str__(self) -> str:
        return f"{self.artist} – {self.title}" if self.artist else self.title
