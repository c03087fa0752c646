"""What the catalogue announces, so that the apps built on it can follow without it knowing them.

Dependencies point one way: explorer, playlists and subsonic import songs; songs imports none of
them (and playlists neither explorer nor subsonic). When something happens to songs that another
app keeps data about, the service that did it sends one of these Django signals, and each app
connects its receivers in its own ``AppConfig.ready()`` (``<app>/receivers.py``). That is the
one way the catalogue tells the others anything; no catalogue module imports an app's tasks.

Why signals rather than a registry of follow-up tasks: a merge must move the listeners' rows
*inside* its own transaction, before the dropped song is deleted, and only a synchronous call
can do that; a signal serves that case and the queued case alike, with no registry of our own.
Receivers stay thin: they call the app's own service, or queue the app's own task. Receivers
by signal, so that the flow can be followed from here:

``song_analysed(song_id)``
    Sent inside the transaction that stores a song's analysis, and again when a retry finds its
    result committed after all (the connection broke at COMMIT, so the first hooks never ran).
    Each receiver only queues its own idempotent task with ``transaction.on_commit``, each task
    retried on an outage by itself: nothing a receiver does can roll the result back, and an
    outage in one step neither skips the others nor sends the analysis round again.
    Receivers: songs (``find_near_duplicates``, ``fit_embedding_if_first``), explorer
    (``place_song_on_map``).

``songs_merging(keep, drop)``
    Sent inside songs_merge's transaction with both songs locked, before ``drop`` is deleted
    (its rows would go with it by cascade). Receivers move what they keep about ``drop`` to
    ``keep``, synchronously, with their own locking, and return a dict of counts named as the
    fields of songs.services.duplicates.MergeOutcome. Receivers: playlists (entries,
    Favourites, ratings, plays), explorer (the map's file, without ``drop``'s point).

``songs_deleting(song_ids)``
    Sent inside the transaction that deletes songs (the demo's removal; a merge sends
    ``songs_merging`` instead: the dropped song's rows move rather than go), with the songs
    locked and still there. Receivers tidy what a cascade would leave wrong and return a dict of
    counts named as the fields of songs.services.demo.DemoRemoval. Receivers: playlists
    (entries, renumbering, stars on albums and artists no other song has), explorer (mixes, the
    map's file).
"""

from django.dispatch import Signal

song_analysed = Signal()  # song_id: int
songs_merging = Signal()  # keep: Song, drop: Song
songs_deleting = Signal()  # song_ids: set[int]


def replies_merged(replies: list[tuple[object, object]]) -> dict[str, int]:
    """The counts that receivers returned (dicts, or None for nothing to report), as one dict."""
    counts: dict[str, int] = {}
    for _, reply in replies:
        for name, count in (reply or {}).items():
            counts[name] = counts.get(name, 0) + count
    return counts
