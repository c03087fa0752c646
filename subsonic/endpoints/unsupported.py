"""Methods of the spec for things this server does not have: podcasts, internet radio, videos,
chat, a jukebox, and the transcoding extension's negotiation. Each still answers as the spec
says: a listing is the spec's element with nothing in it, an id is not found (70), and asking
to make or control one of these things is not authorised (50), matching getUser, which gives
every account podcastRole and jukeboxRole false. Never error 0: a client then knows the
feature is absent, not broken."""

from __future__ import annotations

from subsonic.protocol import SubsonicError
from subsonic.registry import Call, endpoint


def _refused(what: str) -> SubsonicError:
    return SubsonicError(SubsonicError.NOT_AUTHORISED, f"This server has no {what}.")


def _not_found(call: Call, name: str, what: str) -> SubsonicError:
    call.params.required(name)
    return SubsonicError(SubsonicError.NOT_FOUND, f"{what} not found: this server has none.")


@endpoint("getPodcasts")
def get_podcasts(call: Call) -> dict:
    if call.params.get("id"):
        raise _not_found(call, "id", "Podcast channel")
    return {"podcasts": {"channel": []}}


@endpoint("getNewestPodcasts")
def get_newest_podcasts(call: Call) -> dict:
    return {"newestPodcasts": {"episode": []}}


@endpoint("getPodcastEpisode")
def get_podcast_episode(call: Call) -> dict:
    raise _not_found(call, "id", "Podcast episode")


@endpoint("refreshPodcasts", "createPodcastChannel")
def podcast_change(call: Call) -> dict:
    raise _refused("podcasts")


@endpoint("deletePodcastChannel")
def delete_podcast_channel(call: Call) -> dict:
    raise _not_found(call, "id", "Podcast channel")


@endpoint("deletePodcastEpisode", "downloadPodcastEpisode")
def podcast_episode_change(call: Call) -> dict:
    raise _not_found(call, "id", "Podcast episode")


@endpoint("getInternetRadioStations")
def get_internet_radio_stations(call: Call) -> dict:
    return {"internetRadioStations": {"internetRadioStation": []}}


@endpoint("createInternetRadioStation")
def create_internet_radio_station(call: Call) -> dict:
    raise _refused("internet radio stations")


@endpoint("updateInternetRadioStation", "deleteInternetRadioStation")
def internet_radio_station_change(call: Call) -> dict:
    raise _not_found(call, "id", "Internet radio station")


@endpoint("getVideos")
def get_videos(call: Call) -> dict:
    return {"videos": {"video": []}}


@endpoint("getVideoInfo", "getCaptions")
def video_item(call: Call) -> dict:
    raise _not_found(call, "id", "Video")


@endpoint("getChatMessages")
def get_chat_messages(call: Call) -> dict:
    return {"chatMessages": {"chatMessage": []}}


@endpoint("addChatMessage")
def add_chat_message(call: Call) -> dict:
    call.params.required("message")
    raise _refused("chat")


@endpoint("jukeboxControl")
def jukebox_control(call: Call) -> dict:
    call.params.required("action")
    raise _refused("jukebox: it plays through the listeners' own players")


@endpoint("getTranscodeDecision", "getTranscodeStream")
def transcode_negotiation(call: Call) -> dict:
    raise SubsonicError(
        SubsonicError.NOT_AUTHORISED,
        "This server does not offer the transcoding extension: use stream with format "
        "(mp3, opus or raw), maxBitRate and timeOffset.",
    )
