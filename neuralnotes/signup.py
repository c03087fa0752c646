"""Who may create an account: everyone (``SIGNUP=open``), whoever holds an unused invitation
link that an admin made (``invite``), or nobody (``closed``: admins make accounts). Production
defaults to closed, ``make run`` to open (settings). Attempts are limited per client address
whatever the mode, so one address cannot make accounts (or guess invitations) by the thousand.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from neuralnotes.client_address import client_address
from neuralnotes.errors import DomainError
from neuralnotes.models import Invitation
from neuralnotes.throttling import fixed_window_hit

OPEN, INVITE, CLOSED = "open", "invite", "closed"
MODES = (OPEN, INVITE, CLOSED)


class InvitationUnusable(DomainError):
    """The invitation was used (by someone else, a moment ago) or has expired."""

    status = 403
    code = "invitation_unusable"


def signup_mode() -> str:
    """The SIGNUP setting: "open", "invite" or "closed"."""
    return settings.SIGNUP


def signup_offered() -> bool:
    """Whether pages offer a link to sign up (the sign-in page does while sign-up is open)."""
    return signup_mode() == OPEN


def invitation_create(*, created_by: User | None, note: str = "", expires_at=None) -> Invitation:
    return Invitation.objects.create(created_by=created_by, note=note, expires_at=expires_at)


def invitation_path(invitation: Invitation) -> str:
    """The invitation's link, without the server's address."""
    return f"{reverse('signup')}?invitation={invitation.token}"


def invitation_usable(*, token: str) -> Invitation | None:
    """The unused, unexpired invitation of ``token``, else None."""
    if not token or len(token) > Invitation._meta.get_field("token").max_length:
        return None
    return (
        Invitation.objects.filter(token=token, used_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .first()
    )


def user_sign_up(*, form: UserCreationForm, invitation: Invitation | None = None) -> User:
    """Create the account of a valid sign-up form; with an invitation, use it up in the same
    transaction. Two people with one link at once: one account, the other gets
    InvitationUnusable and no account (the guarded update lets only one through)."""
    with transaction.atomic():
        user = form.save()
        if invitation is not None:
            taken = (
                Invitation.objects.filter(id=invitation.id, used_at__isnull=True)
                .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
                .update(used_at=timezone.now(), used_by=user)
            )
            if not taken:
                raise InvitationUnusable("This invitation has been used or has expired.")
    return user


@dataclass(frozen=True)
class Limit:
    count: int
    window_s: int


def signup_limit() -> Limit:
    """SIGNUP_RATE ("10/hour") as attempts per window."""
    count, _, period = settings.SIGNUP_RATE.partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period.strip()[:1] or "h"]
    return Limit(int(count), seconds)


def signup_attempt_wait(*, request: HttpRequest) -> int:
    """Count one sign-up attempt of the request's client address; 0 when it may go ahead, else
    the seconds until it may try again (fixed windows, as the API's throttles count)."""
    limit = signup_limit()
    count, window_ends = fixed_window_hit(
        f"signup-attempts:{client_address(request)}", limit.window_s
    )
    if count <= limit.count:
        return 0
    return max(int(window_ends - time.time()), 1)
