"""User management and avatars: getUsers, createUser, updateUser, deleteUser, changePassword,
getAvatar. Admins are superusers; everyone else may only change their own password (50).

Roles map onto what the platform has: ``adminRole`` is a superuser, ``uploadRole`` and
``coverArtRole`` a catalogue manager (songs.manage_catalogue); every account streams,
downloads, keeps playlists and shares, and nobody has jukebox, podcasts, video or comments, so
those roles are reported as they are and requests to change them have no effect. Every user
sees every music folder, so ``musicFolderId`` has none either.
"""

from __future__ import annotations

import colorsys
import hashlib
import io

from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from PIL import Image, ImageDraw, ImageFont

from songs.models import Catalogue, can_manage_catalogue
from songs.services.roles import CATALOGUE_MANAGERS, user_make_catalogue_manager
from subsonic.auth import app_password_set, decoded_password
from subsonic.protocol import Params, SubsonicError
from subsonic.registry import Call, endpoint

AVATAR_PX = 128


def user_payload(user: User, *, folders: list[int] | None = None) -> dict:
    """A user as the spec's User element (getUser, getUsers); ``folders``: the music folder ids,
    every user's the same (getUsers reads them once for all)."""
    manager = can_manage_catalogue(user)
    return {
        "username": user.username,
        "email": user.email or None,
        "scrobblingEnabled": True,
        "adminRole": user.is_superuser,
        "settingsRole": True,
        "downloadRole": True,
        "uploadRole": manager,
        "playlistRole": True,
        "coverArtRole": manager,
        "commentRole": False,
        "podcastRole": False,
        "streamRole": True,
        "jukeboxRole": False,
        "shareRole": True,
        "videoConversionRole": False,
        "folder": folders if folders is not None else _folders(),
    }


def _folders() -> list[int]:
    return list(Catalogue.objects.order_by("id").values_list("id", flat=True))


def _require_admin(call: Call) -> None:
    if not call.user.is_superuser:
        raise SubsonicError(SubsonicError.NOT_AUTHORISED, "Only an administrator may do this.")


def _named_user(params: Params) -> User:
    user = User.objects.filter(username=params.required("username"), is_active=True).first()
    if user is None:
        raise SubsonicError(SubsonicError.NOT_FOUND, "User not found.")
    return user


def _is_last_superuser(user: User) -> bool:
    others = User.objects.filter(is_superuser=True, is_active=True).exclude(id=user.id)
    return user.is_superuser and not others.exists()


def subsonic_password_set(*, user: User, password: str) -> None:
    """Set the one password a Subsonic admin or user means: both the login password (the web
    site and ``u`` + ``p``) and the app password (token auth, ``t`` + ``s``, which needs the
    clear text). Subsonic knows a single password per user, so a new account made here can sign
    in on the site and in any app at once, and a changed password works everywhere. Kept apart
    from the login password, the app password is what the account page offers; whoever sets the
    password through Subsonic chooses Subsonic's one-password model for that account, and the
    site's password rules apply to it (error 0 with their messages)."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise SubsonicError(SubsonicError.GENERIC, " ".join(error.messages)) from None
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        app_password_set(user=user, password=password, may_be_login_password=True)


def _set_roles(user: User, params: Params) -> None:
    """The roles the request names (absent ones stay as they are)."""
    if params.get("adminRole") not in (None, ""):
        admin = params.boolean("adminRole")
        if not admin and _is_last_superuser(user):
            raise SubsonicError(
                SubsonicError.NOT_AUTHORISED, "The last administrator keeps the admin role."
            )
        user.is_superuser = admin
        user.is_staff = admin or user.groups.filter(name=CATALOGUE_MANAGERS).exists()
        user.save(update_fields=["is_superuser", "is_staff"])
    named = [r for r in ("uploadRole", "coverArtRole") if params.get(r) not in (None, "")]
    if named:
        if any(params.boolean(r) for r in named):
            user_make_catalogue_manager(user=user)
        else:
            user.groups.remove(Group.objects.get(name=CATALOGUE_MANAGERS))
            user.is_staff = user.is_superuser
            user.save(update_fields=["is_staff"])


@endpoint("getUsers")
def get_users(call: Call) -> dict:
    _require_admin(call)
    users = User.objects.filter(is_active=True).order_by("username")
    folders = _folders()
    return {"users": {"user": [user_payload(u, folders=folders) for u in users]}}


@endpoint("createUser")
def create_user(call: Call) -> dict:
    _require_admin(call)
    username = call.params.required("username")
    password = decoded_password(call.params.required("password"))
    email = call.params.required("email")
    if User.objects.filter(username=username).exists():
        raise SubsonicError(SubsonicError.GENERIC, f"A user called {username} exists already.")
    user = User(username=username, email=email)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        raise SubsonicError(SubsonicError.GENERIC, " ".join(error.messages)) from None
    with transaction.atomic():
        user.set_unusable_password()
        user.save()
        subsonic_password_set(user=user, password=password)
        _set_roles(user, call.params)
    return {}


@endpoint("updateUser")
def update_user(call: Call) -> dict:
    _require_admin(call)
    user = _named_user(call.params)
    with transaction.atomic():
        email = call.params.get("email")
        if email is not None:
            user.email = email
            user.save(update_fields=["email"])
        password = call.params.get("password")
        if password:
            subsonic_password_set(user=user, password=decoded_password(password))
        _set_roles(user, call.params)
    return {}


@endpoint("deleteUser")
def delete_user(call: Call) -> dict:
    """Deletes the account and all that is only theirs (playlists, history, shares); the songs
    they uploaded stay in the catalogue."""
    _require_admin(call)
    user = _named_user(call.params)
    if user.id == call.user.id:
        raise SubsonicError(SubsonicError.NOT_AUTHORISED, "You cannot delete your own account.")
    if _is_last_superuser(user):
        raise SubsonicError(SubsonicError.NOT_AUTHORISED, "The last administrator stays.")
    user.delete()
    return {}


@endpoint("changePassword")
def change_password(call: Call) -> dict:
    username = call.params.required("username")
    if username != call.user.username and not call.user.is_superuser:
        raise SubsonicError(SubsonicError.NOT_AUTHORISED, "You may only change your own password.")
    user = _named_user(call.params)
    subsonic_password_set(user=user, password=decoded_password(call.params.required("password")))
    return {}


def avatar_png(username: str) -> bytes:
    """A generated avatar: the name's first letter, white, on a colour taken from the name's
    hash (the same name, the same picture). (AVATAR_PX, AVATAR_PX) RGB PNG."""
    digest = hashlib.sha256(username.encode()).digest()
    red, green, blue = colorsys.hls_to_rgb(digest[0] / 255, 0.42, 0.55)
    image = Image.new(
        "RGB", (AVATAR_PX, AVATAR_PX), (int(red * 255), int(green * 255), int(blue * 255))
    )
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=AVATAR_PX * 11 // 20)
    letter = (username[:1] or "?").upper()
    draw.text((AVATAR_PX / 2, AVATAR_PX / 2), letter, fill="white", font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@endpoint("getAvatar")
def get_avatar(call: Call) -> HttpResponse:
    """Nobody uploads an avatar here, so every user has a generated one rather than none: clients
    show the avatar next to a name, and a picture answers that better than error 70. Avatars are
    public in Subsonic, so anyone signed in may see anyone's."""
    user = _named_user(call.params)
    response = HttpResponse(avatar_png(user.username), content_type="image/png")
    response["Cache-Control"] = "private, max-age=86400"
    return response
