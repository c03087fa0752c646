"""System methods: ping, licence, the OpenSubsonic extensions, who the key belongs to, the user."""

from django.contrib.auth.models import User

from subsonic.endpoints.users import user_payload
from subsonic.protocol import SubsonicError
from subsonic.registry import Call, endpoint

EXTENSIONS = [
    {"name": "apiKeyAuthentication", "versions": [1]},
    {"name": "formPost", "versions": [1]},
    {"name": "sonicSimilarity", "versions": [1]},
    {"name": "transcodeOffset", "versions": [1]},
    {"name": "playbackReport", "versions": [1]},
    {"name": "songLyrics", "versions": [1]},
    {"name": "indexBasedQueue", "versions": [1]},
]


@endpoint("ping")
def ping(call: Call) -> dict:
    return {}


@endpoint("getLicense")
def get_license(call: Call) -> dict:
    return {"license": {"valid": True}}


@endpoint("getOpenSubsonicExtensions")
def get_open_subsonic_extensions(call: Call) -> dict:
    return {"openSubsonicExtensions": EXTENSIONS}


@endpoint("tokenInfo")
def token_info(call: Call) -> dict:
    return {"tokenInfo": {"username": call.user.username}}


@endpoint("getUser")
def get_user(call: Call) -> dict:
    username = call.params.required("username")
    if username != call.user.username and not call.user.is_superuser:
        raise SubsonicError(SubsonicError.NOT_AUTHORISED, "You may only see your own account.")
    user = User.objects.filter(username=username).first()
    if user is None:
        raise SubsonicError(SubsonicError.NOT_FOUND, "User not found.")
    return {"user": user_payload(user)}
