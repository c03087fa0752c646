"""Importing this package registers every implemented Subsonic method (subsonic.registry)."""

from subsonic.endpoints import similarity, system  # noqa: F401
