from django.conf import settings
from django.db import models


class AppPassword(models.Model):
    """The separate password a user sets for Subsonic clients that sign requests with
    md5(password + salt): such a check needs the clear text on the server, so it is kept
    encrypted (subsonic.auth) and is never the login password."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subsonic_app_password"
    )
    ciphertext = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"app password of {self.user}"


class PlayQueue(models.Model):
    """A user's one saved play queue, so that a listener who stops on the phone carries on at
    the same song and second on the desktop (savePlayQueue / getPlayQueue). Clearing it keeps
    the row: when and by which client it was cleared is what the next client is told."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subsonic_play_queue"
    )
    # The entry (its PlayQueueEntry.position) that is playing: a position, not a song, because
    # a queue may hold the same song twice (the indexBasedQueue extension).
    current_position = models.PositiveIntegerField(null=True, blank=True)
    position_ms = models.PositiveBigIntegerField(default=0)  # within the current song
    changed_at = models.DateTimeField()
    changed_by = models.CharField(max_length=255, blank=True)  # the client's name (c)

    def __str__(self) -> str:
        return f"play queue of {self.user}"


class PlayQueueEntry(models.Model):
    queue = models.ForeignKey(PlayQueue, on_delete=models.CASCADE, related_name="entries")
    song = models.ForeignKey(
        "songs.Song", on_delete=models.CASCADE, related_name="subsonic_queue_entries"
    )
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]
        verbose_name_plural = "play queue entries"
        constraints = [
            models.UniqueConstraint(
                fields=["queue", "position"], name="one_queue_entry_per_position"
            ),
        ]

    def __str__(self) -> str:
        return f"queue {self.queue_id}#{self.position}: {self.song_id}"


class Bookmark(models.Model):
    """Where a user stopped in one song (an audiobook chapter, a long mix), with a comment of
    their own. Personal: no one else sees it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subsonic_bookmarks"
    )
    song = models.ForeignKey(
        "songs.Song", on_delete=models.CASCADE, related_name="subsonic_bookmarks"
    )
    position_ms = models.PositiveBigIntegerField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "song"], name="one_bookmark_per_user_and_song"),
        ]

    def __str__(self) -> str:
        return f"bookmark of {self.user} in {self.song_id} at {self.position_ms} ms"
