"""The explorer's player records the listener's history, in a real headless Chromium: a song cut
short by another is a skip, a song heard to its end is not, leaving the page sends the song that
was playing, and a paused history records nothing. The history page then shows the plays.

The player and the history are what is tested, not analysis: the catalogue here is tones with
vectors made directly (tests.factories' way), which spares this module a worker and TensorFlow.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
import pytest
from django.contrib.auth.models import User
from django.db import connection

from tests.explorer.conftest import AnalysedCatalogue, committed, screenshot, served_catalogue
from tests.explorer.test_browser import open_explorer

LONG_S, SHORT_S = 12.0, 3.0  # the catalogue's tones alternate between these lengths


def make_tone_catalogue(folder) -> list[int]:
    """Eight analysed tones, long and short in turn, with vectors in the active backbone model
    (near neighbours in frequency order) and a map."""
    from explorer.services import map_build
    from songs.models import Song
    from songs.models.catalogue import BACKBONE_DIM
    from songs.services.embeddings import backbone_model_ensure, song_embed
    from songs.services.ingestion import (
        SongMetadata,
        batch_create,
        catalogue_get_or_create,
        song_create_from_file,
    )
    from tests.audio import write_tone

    rng = np.random.default_rng(0)
    direction = rng.normal(0, 1, BACKBONE_DIM)
    batch = batch_create(source="import", catalogue=catalogue_get_or_create())
    ids = []
    for i in range(8):
        freq = 220.0 + 55 * i
        path = write_tone(
            folder / f"tone-{i}.wav", seconds=LONG_S if i % 2 == 0 else SHORT_S, freq=freq
        )
        song, _ = song_create_from_file(
            path=path,
            original_name=path.name,
            batch=batch,
            metadata=SongMetadata(title=f"Tone {freq:.0f} Hz", artist="Oscillator", genre="tones"),
        )
        song.features = (direction * (1 + i / 4) + rng.normal(0, 1, BACKBONE_DIM)).astype("float32")
        song.msd_tag_probabilities = rng.uniform(0, 1, 50).tolist()
        song.mfcc_stats = rng.normal(0, 1, 40).astype(np.float32)
        song.status = Song.Status.READY
        song.save()
        ids.append(song.id)
    backbone_model_ensure()
    for song in Song.objects.filter(id__in=ids):
        song_embed(song=song)
    with connection.cursor() as cursor:  # see tests/explorer/conftest.py's make_catalogue
        cursor.execute("REINDEX INDEX backbone_vector_hnsw")
    map_build(seed=0)
    return ids


@pytest.fixture(scope="module")
def analysed_catalogue(
    django_db_setup, django_db_blocker, tmp_path_factory
) -> Iterator[AnalysedCatalogue]:
    """This module's catalogue, in place of the conftest's analysed one (same life cycle: made
    once, served by its own live server, emptied afterwards)."""
    folder = tmp_path_factory.mktemp("history-catalogue")
    with served_catalogue(django_db_blocker, lambda: make_tone_catalogue(folder)) as catalogue:
        yield catalogue


def plays() -> list[dict]:
    """lena's plays as the live server committed them, oldest first."""
    from playlists.models import Play

    return committed(
        lambda: list(
            Play.objects.filter(user__username="lena")
            .order_by("played_at", "id")
            .values("id", "song_id", "seconds_heard", "skipped", "source")
        )
    )


def wait_for_plays(count: int, timeout: float = 10) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = plays()
        if len(found) >= count:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{count} plays expected, found {plays()}")


def set_paused(paused: bool) -> None:
    from playlists.services import history_pause_set

    committed(lambda: history_pause_set(user=User.objects.get(username="lena"), paused=paused))


def long_and_short(catalogue) -> tuple[int, int]:
    """A long tone and a short one (made in that order)."""
    ids = sorted(catalogue.songs)
    return ids[0], ids[1]


def heard(page) -> float:
    return page.evaluate("document.getElementById('player').currentTime")


def test_the_player_records_what_was_heard(page, analysed_catalogue):
    long_id, short_id = long_and_short(analysed_catalogue)

    # A long song cut short by another: a skip, with the seconds it played.
    open_explorer(page, analysed_catalogue, f"?song={long_id}")
    page.wait_for_function(
        "() => document.getElementById('player').currentTime > 1.5", timeout=10_000
    )
    page.fill("#neighbour-count", "8")
    page.dispatch_event("#neighbour-count", "change")
    row = page.locator(f'#neighbour-list li[data-song-id="{short_id}"]')
    row.locator(".play").click()
    first = wait_for_plays(1)[0]
    assert first["song_id"] == long_id and first["source"] == "web"
    assert 1.0 <= first["seconds_heard"] < 6.0 and first["skipped"] is True

    # The short song heard to its end: a listen, its seconds the time it played.
    page.wait_for_function("() => document.getElementById('player').ended", timeout=15_000)
    second = wait_for_plays(2)[1]
    assert second["song_id"] == short_id and second["skipped"] is False
    assert SHORT_S - 0.6 <= second["seconds_heard"] <= SHORT_S + 0.3

    # Leaving the page while a song plays sends it (fetch with keepalive).
    open_explorer(page, analysed_catalogue, f"?song={long_id}")
    page.wait_for_function(
        "() => document.getElementById('player').currentTime > 2", timeout=10_000
    )
    page.goto(f"{analysed_catalogue.url}/playlists/history/")
    third = wait_for_plays(3)[2]
    assert third["song_id"] == long_id and third["seconds_heard"] >= 2

    # The history page lists them, newest first.
    page.reload()
    rows = page.locator("#plays tr[data-play]")
    assert rows.evaluate_all("rs => rs.map(r => Number(r.dataset.play))") == [
        third["id"],
        second["id"],
        first["id"],
    ]
    assert "skipped" in rows.nth(2).inner_text()
    screenshot(page, "history")


def test_a_paused_history_records_nothing_and_the_page_resumes_it(page, analysed_catalogue):
    _, short_id = long_and_short(analysed_catalogue)
    before = len(plays())
    page.goto(f"{analysed_catalogue.url}/playlists/history/")
    page.click("#history-pause")
    page.wait_for_selector("#history-resume")

    open_explorer(page, analysed_catalogue, f"?song={short_id}")
    page.wait_for_function("() => document.getElementById('player').ended", timeout=15_000)
    page.goto(f"{analysed_catalogue.url}/playlists/history/")
    time.sleep(0.5)  # a play, had one been sent, would be in by now
    assert len(plays()) == before

    page.click("#history-resume")
    page.wait_for_selector("#history-pause")
    open_explorer(page, analysed_catalogue, f"?song={short_id}")
    page.wait_for_function("() => document.getElementById('player').ended", timeout=15_000)
    assert wait_for_plays(before + 1)[-1]["song_id"] == short_id


def test_deleting_from_the_history_page(page, analysed_catalogue):
    from playlists.services import play_record
    from songs.models import Song

    set_paused(False)
    committed(
        lambda: [
            play_record(user=User.objects.get(username="lena"), song=song, source="api")
            for song in Song.objects.filter(id__in=list(analysed_catalogue.songs)[:2])
        ]
    )
    page.goto(f"{analysed_catalogue.url}/playlists/history/")
    rows = page.locator("#plays tr[data-play]")
    count = rows.count()
    assert count >= 2
    rows.first.locator("button.delete").click()
    page.wait_for_load_state()
    assert page.locator("#plays tr[data-play]").count() == count - 1

    page.click("#delete-all summary")
    page.click("#delete-all button[name=confirm]")
    page.wait_for_selector("text=Deleted your whole history")
    assert page.locator("#plays tr[data-play]").count() == 0
    assert plays() == []
