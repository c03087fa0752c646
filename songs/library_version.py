"""The library's version: a number in the cache that rises whenever a song is saved or deleted.

What a process keeps that is read from every song and is the same for every caller (the
Subsonic artist index and the names its searches look in: subsonic.name_index) is kept with the
version it was read at, and used again while the version is the same: one cache lookup instead
of a grouped scan of every song (about a second at a million songs).

The number rises twice for each change: at once, so that the transaction that made the change
reads it afresh, and again when that transaction commits, so that a copy another process read
in the meantime (without the change) is not kept under the number that follows it. Nothing is
locked: writers never wait for each other, as they would on a row of the database that every
write updates. Writes that send no model signal (QuerySet.update, SQL by hand, a restored
backup) do not raise it, which is why those who keep copies also read them again after a while
(subsonic.name_index.KEPT_AT_MOST_S).
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import time

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

_VERSION = "songs:library-version"
_CHANGED_AT = "songs:library-changed-at"  # seconds since the epoch


def library_changed() -> None:
    """Songs were added, changed or removed (songs.receivers calls this for every save and
    delete of a song). Raised once at commit, however many songs the transaction changed."""
    _raise()
    pending = transaction.get_connection().run_on_commit  # (savepoints, callback, robust)
    if not any(callback is _raise for _, callback, _ in pending):
        transaction.on_commit(_raise)


def library_version() -> tuple[int, float] | None:
    """(version, when the songs last changed, in seconds since the epoch), or None while the
    cache cannot be reached (nothing kept can then be trusted). A cache that lost the number
    (Redis restarted) starts again from a random one, so that no copy kept under an old number
    is taken for current."""
    try:
        version = cache.get(_VERSION)
        if version is None:
            cache.add(_VERSION, secrets.randbits(48), timeout=None)
            cache.add(_CHANGED_AT, time.time(), timeout=None)
            version = cache.get(_VERSION)
        return version, cache.get(_CHANGED_AT) or time.time()
    except Exception:  # the cache is down: the songs still answer, only slower
        logger.warning("library version unknown: the cache cannot be reached", exc_info=True)
        return None


def _raise() -> None:
    # A song is saved whether or not the cache answers; copies are then read again in time.
    try:
        if not cache.add(_VERSION, secrets.randbits(48), timeout=None):
            # (Gone between the two calls: the next reader starts it again.)
            with contextlib.suppress(ValueError):
                cache.incr(_VERSION)
        cache.set(_CHANGED_AT, time.time(), timeout=None)
    except Exception:
        logger.warning("library version not raised: the cache cannot be reached", exc_info=True)
