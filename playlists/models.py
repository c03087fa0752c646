from django.conf import settings
from django.db import models
from django.db.models import Deferrable, Q

from songs.models import Song


class Playlist(models.Model):
    """A listener's ordered list of songs. Private unless its owner shares it."""

    class Visibility(models.TextChoices):
        PRIVATE = "private"
        LINK = "link", "anyone signed in with the link"
        PUBLIC = "public", "every signed-in user"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="playlists"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_favourites = models.BooleanField(default=False)
    visibility = models.CharField(
        max_length=8, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    # Unguessable; None when no share link exists. A new token revokes the old link.
    share_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    allow_duplicates = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_favourites", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner"], condition=Q(is_favourites=True), name="one_favourites_per_user"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PlaylistEntry(models.Model):
    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE, related_name="entries")
    # A song deleted from the catalogue leaves its playlists (the others keep their order).
    song = models.ForeignKey(Song, on_delete=models.CASCADE, related_name="playlist_entries")
    position = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            # Deferred: a reorder renumbers every entry in one transaction.
            models.UniqueConstraint(
                fields=["playlist", "position"],
                name="one_entry_per_position",
                deferrable=Deferrable.DEFERRED,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.playlist_id}#{self.position}: {self.song_id}"


class Rating(models.Model):
    """A listener's stars for a song, 1 to 5 (no row: not rated)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    song = models.ForeignKey(Song, on_delete=models.CASCADE, related_name="ratings")
    stars = models.PositiveSmallIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "song"], name="one_rating_per_user_and_song"),
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="stars_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} rates {self.song_id}: {self.stars}"


class Play(models.Model):
    """One song played by one listener: their listening history, seen by nobody else."""

    class Source(models.TextChoices):
        WEB = "web"
        API = "api"
        SUBSONIC = "subsonic"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plays"
    )
    song = models.ForeignKey(Song, on_delete=models.CASCADE, related_name="plays")
    played_at = models.DateTimeField(db_index=True)
    seconds_heard = models.FloatField(null=True, blank=True)  # None: the client did not say
    skipped = models.BooleanField(default=False)
    source = models.CharField(max_length=8, choices=Source.choices)
    client = models.CharField(max_length=100, blank=True)  # "Symfonium", "DSub" …

    class Meta:
        ordering = ["-played_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-played_at"]),
            models.Index(fields=["user", "song"], name="play_user_song_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} played {self.song_id} at {self.played_at:%Y-%m-%d %H:%M}"


class HistoryPause(models.Model):
    """While a listener has one, none of their plays is recorded, from any player."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="history_pause"
    )
    since = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user_id}'s history paused since {self.since:%Y-%m-%d %H:%M}"


class LibraryStar(models.Model):
    """A listener's star on a whole album or artist (a song is starred by being in their
    Favourites). ``key`` is the album's or artist's md5 key (songs.models.Song.album_key and
    artist_key), so a star outlives a rescan that keeps the tags."""

    class Kind(models.TextChoices):
        ALBUM = "album"
        ARTIST = "artist"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_stars"
    )
    kind = models.CharField(max_length=6, choices=Kind.choices)
    key = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "key"], name="one_library_star_per_user_and_item"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} stars {self.kind} {self.key}"


class Share(models.Model):
    """A public, read-only link to some songs (a Subsonic share): anyone who has the link may
    list and play them without an account, until it expires. It is a record of its own, apart
    from a playlist's share link, because that link is only for signed-in users and follows the
    playlist's changes, while a share is a fixed selection with its own expiry and visit count."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shares"
    )
    token = models.CharField(max_length=64, unique=True)  # unguessable, URL-safe
    description = models.TextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)  # None: never
    created_at = models.DateTimeField(auto_now_add=True)
    last_visited_at = models.DateTimeField(null=True, blank=True)
    visit_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.owner_id}'s share {self.id}"


class ShareEntry(models.Model):
    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="entries")
    # A song deleted from the catalogue leaves the shares that held it.
    song = models.ForeignKey(Song, on_delete=models.CASCADE, related_name="share_entries")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["share", "position"], name="one_share_entry_per_position"
            ),
        ]

    def __str__(self) -> str:
        return f"share {self.share_id}#{self.position}: {self.song_id}"
