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
