"""Importing this package registers every implemented Subsonic method (subsonic.registry)."""

from subsonic.endpoints import (  # noqa: F401
    annotation,
    bookmarks,
    browsing,
    lists,
    lyrics,
    media,
    playback,
    playlists,
    scanning,
    searching,
    sharing,
    similarity,
    system,
    unsupported,
    users,
)
