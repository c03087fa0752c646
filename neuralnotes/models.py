import secrets

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    """A mobile client's key to the API. Only a hash is kept: the token is shown once, when it is
    made; it expires, and its owner can list and revoke their tokens."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)  # "Pixel 8", "kitchen tablet"
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)  # to tell tokens apart in a list
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


def invitation_token() -> str:
    return secrets.token_urlsafe(24)


class Invitation(models.Model):
    """A single-use link to create an account while sign-up is by invitation (SIGNUP=invite).
    An admin makes it; whoever has the link may sign up once, before it expires (if it does)."""

    token = models.CharField(max_length=64, unique=True, default=invitation_token, editable=False)
    note = models.CharField(max_length=200, blank=True, help_text="Who it is for.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations_made",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty: the link works until it is used."
    )
    used_at = models.DateTimeField(null=True, blank=True, editable=False)
    used_by = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
        related_name="invitation",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.note or f"invitation {self.token[:6]}…"
