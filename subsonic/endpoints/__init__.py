"""Importing this package registers every implemented Subsonic method (subsonic.registry)."""

from subsonic.endpoints import (  # noqa: F401
    annotation,
    browsing,
    lists,
    media,
    playlists,
    similarity,
    system,
)
