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
