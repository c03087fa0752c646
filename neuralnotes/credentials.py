"""What a new password revokes: the account's API keys and its Subsonic app password.

Whoever changed the password may have done so because the old one leaked, and keys made with it
would outlive it. Django calls ``password_changed`` on every configured password validator after
any password change is saved (the password change page, the admin's, Subsonic's changePassword
and updateUser, ``manage.py changepassword``), and only then: a hash upgraded on sign-in is not
a change. So one hook covers every way in, including those added later.
"""

from __future__ import annotations

from django.contrib.auth.models import User


def user_app_credentials_revoke(*, user: User) -> int:
    """Delete the user's API keys and app password; returns how many went."""
    from neuralnotes.models import ApiToken
    from subsonic.models import AppPassword

    keys, _ = ApiToken.objects.filter(user=user).delete()
    app_passwords, _ = AppPassword.objects.filter(user=user).delete()
    return keys + app_passwords


class RevokeAppCredentialsOnPasswordChange:
    """Listed in AUTH_PASSWORD_VALIDATORS for its ``password_changed`` hook; it rejects nothing."""

    def validate(self, password: str, user: User | None = None) -> None:
        return None

    def password_changed(self, password: str, user: User | None = None) -> None:
        if user is not None and user.pk is not None:
            user_app_credentials_revoke(user=user)

    def get_help_text(self) -> str:
        # Shown under every new-password field, the sign-up form's too: true in both places.
        return "A later change of this password revokes the account's API keys and app password."
