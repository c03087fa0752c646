"""The explorer's Discover panel in a real headless Chromium: songs for words, song alchemy and
the listener's own listening, lit up on the drawn map, played like playlists, saved as one.

The songs here are made directly in the database (tests.factories) with tags, vectors, one
real audio file they all point to, and a map: what the panel shows depends on those, not on
the audio analysis that test_browser.py's catalogue runs (a real worker and model, slow on a
small machine)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from tests.audio import write_tone
from tests.conftest import PASSWORD
from tests.explorer.conftest import (
    AnalysedCatalogue,
    committed,
    record_errors,
    screenshot,
    served_catalogue,
    sign_in,
)
from tests.explorer.probe import install_probe
from tests.explorer.test_browser import api_json, canvas_pixels, open_explorer, pixels_of
from tests.factories import give_tags

# The ring colours of scene.js's RING_FRAGMENT, as 8-bit RGB.
FOUND = (115, 235, 140)
MARKED = (255, 107, 209)
LISTENING = (184, 143, 255)
CALM = ("Mellow", "chill", "chillout", "quiet", "soft")
# Song titles, one word each, that no other title or artist contains (the search box finds one).
NAMES = ("Alder", "Birch", "Cedar", "Damson", "Elder", "Fir", "Ginkgo", "Hazel", "Ivy")
NAMES += ("Juniper", "Kauri", "Larch", "Maple", "Nutmeg", "Olive", "Pine", "Quince", "Rowan")


def make_catalogue(folder) -> list[int]:
    """18 songs in three clusters, named after trees; the first three calm piano (most to
    least), all playing one 4-second tone; a map over them."""
    from explorer.services import map_build
    from songs.models import Song
    from tests.factories import make_embedded_songs

    songs = make_embedded_songs(per_genre=6, unlabelled=0)
    tone = write_tone(folder / "tone.flac", seconds=4, freq=440.0)
    with tone.open("rb") as handle:
        audio = default_storage.save("test-discover/tone.flac", handle)
    for song, name in zip(songs, NAMES, strict=True):
        song.title, song.artist = name, f"The {song.genre.capitalize()} Band"
        song.audio, song.audio_format, song.duration_s = audio, "FLAC", 4.0
        song.save(update_fields=["title", "artist", "audio", "audio_format", "duration_s"])
        give_tags(song)
    for song, p in zip(songs[:3], (0.9, 0.7, 0.5), strict=True):
        give_tags(song, piano=p, **dict.fromkeys(CALM, p))
    assert Song.objects.filter(status=Song.Status.READY).count() == len(songs)
    # Earlier tests' rolled-back vectors leave dead entries in the HNSW graphs (see
    # tests/explorer/conftest.py): rebuilt from the live rows.
    with connection.cursor() as cursor:
        cursor.execute("REINDEX INDEX backbone_vector_hnsw")
        cursor.execute("REINDEX INDEX head_vector_hnsw")
    map_build(seed=0)
    return [song.id for song in songs]


@pytest.fixture(scope="module")
def analysed_catalogue(
    django_db_setup, django_db_blocker, tmp_path_factory
) -> Iterator[AnalysedCatalogue]:
    """This module's catalogue in place of conftest's (whose fixtures, ``signed_in`` and
    ``page``, use it by this name), served and emptied the same way."""
    folder = tmp_path_factory.mktemp("discover-catalogue")
    try:
        with served_catalogue(django_db_blocker, lambda: make_catalogue(folder)) as catalogue:
            yield catalogue
    finally:
        default_storage.delete("test-discover/tone.flac")


def open_discover(page, catalogue, query: str = "") -> None:
    open_explorer(page, catalogue, query)
    page.click("#discover-toggle")
    page.locator("#discover").wait_for(state="visible")
    assert page.get_attribute("#discover-toggle", "aria-expanded") == "true"


def row_ids(page, list_id: str) -> list[int]:
    return page.locator(f"#{list_id} li").evaluate_all(
        "rows => rows.map((row) => Number(row.dataset.songId))"
    )


def result_ids(page, catalogue, path: str) -> list[int]:
    return [r["song"]["id"] for r in api_json(page, catalogue, path)["results"]]


def discover(page, what: str) -> list[int]:
    return page.evaluate(f"window.__explorer.discover.{what}()")


def wait_selected(page, song_id: int) -> None:
    page.wait_for_function("id => window.__explorer.selected() === id", arg=song_id)
    page.wait_for_selector("#panel[data-state=ready]")


def playing(page) -> str:
    return page.eval_on_selector("#player", "a => new URL(a.src).pathname")


def test_words_light_up_their_songs_and_play_like_a_playlist(page, analysed_catalogue):
    catalogue = analysed_catalogue
    calm_piano = list(catalogue.songs)[:3]
    open_discover(page, catalogue)
    # The keyboard: the toggle puts the focus in the words box, Enter searches.
    assert page.evaluate("document.activeElement.id") == "words-input"
    page.keyboard.type("calm piano xyzzy")
    page.keyboard.press("Enter")
    page.wait_for_selector("#words-results li")

    answer = api_json(page, catalogue, "/api/v1/songs/by-words/?q=calm+piano+xyzzy&k=50")
    expected = [r["song"]["id"] for r in answer["results"]]
    assert expected[:3] == calm_piano  # the most calm and piano first
    assert row_ids(page, "words-results") == expected
    first = page.locator("#words-results li").first
    assert first.locator(".title").inner_text() == catalogue.songs[calm_piano[0]]["title"]
    percent = math.floor(answer["results"][0]["match"] * 100 + 0.5)  # as Math.round does
    assert first.locator(".value").inner_text() == f"{percent}%"
    # What was understood and what was not, in words and as marked words.
    message = page.inner_text("#words-message")
    assert message == answer["message"] and "Not understood: “xyzzy”" in message
    assert page.locator("#words-terms li.understood").all_inner_texts() == ["calm", "piano"]
    assert page.locator("#words-terms li.unknown").all_inner_texts() == ["xyzzy"]

    # The songs found are ringed on the map; every song is still shown.
    assert discover(page, "found") == expected
    assert page.evaluate("window.__explorer.counts()")["shown"] == len(catalogue.songs)
    page.wait_for_timeout(900)  # the flight to the songs found
    assert pixels_of(canvas_pixels(page), FOUND) >= 9
    screenshot(page, "discover-words")

    # Play all: the first song plays, Next moves to the second, along the list.
    page.click("#words-play")
    wait_selected(page, expected[0])
    assert playing(page) == f"/api/v1/songs/{expected[0]}/audio/"
    page.wait_for_function(
        "() => document.getElementById('player').currentTime > 0.3", timeout=10_000
    )
    status = page.inner_text("#walk-status")
    assert status.startswith(f"Song 1 of {len(expected)} in “Songs for “calm piano xyzzy””")
    assert page.evaluate("window.__explorer.drawnPath()") == expected
    page.click("#walk-next")
    wait_selected(page, expected[1])
    assert playing(page) == f"/api/v1/songs/{expected[1]}/audio/"
    assert "playlist=" not in page.url  # not a saved playlist
    # The lights stay while the songs are played.
    assert discover(page, "found") == expected

    # A result selects its song (and leaves the list's walk).
    page.locator("#words-results li .go").nth(2).click()
    wait_selected(page, expected[2])
    assert page.evaluate("window.__explorer.playlist()") is None

    page.click("#discover-unlight")
    assert discover(page, "found") == []


def choose_in_search(page, catalogue, song_id: int) -> None:
    page.fill("#search-input", catalogue.songs[song_id]["title"])
    page.wait_for_selector(f"#search-results li[data-song-id='{song_id}']")
    page.keyboard.press("Enter")
    wait_selected(page, song_id)


def test_alchemy_mixes_songs_marks_them_and_saves_the_result_as_a_playlist(
    _close_test_connections, signed_in, db, analysed_catalogue
):
    from playlists.models import Playlist
    from songs.models import Song
    from songs.selectors.alchemy import AlchemyError, songs_alchemy

    catalogue = analysed_catalogue
    ids = list(catalogue.songs)
    first, second, minus = ids[0], ids[7], ids[13]
    page = signed_in.new_page()
    errors = record_errors(page)
    try:
        open_discover(page, catalogue)
        for song_id, button in ((first, "add"), (second, "add"), (minus, "subtract")):
            choose_in_search(page, catalogue, song_id)
            page.click(f"#alchemy-{button}")
            page.wait_for_selector(f"#recipe-list li[data-song-id='{song_id}']")
            assert "is in the alchemy recipe" in page.inner_text("#alchemy-note")
        signs = page.locator("#recipe-list li .sign").all_inner_texts()
        assert signs == ["+", "+", "−"]
        weight = page.locator(f"#recipe-list li[data-song-id='{second}'] input.weight")
        weight.fill("2")
        weight.press("Tab")  # a change: the recipe keeps it
        weight.fill("50")
        weight.press("Tab")
        assert weight.input_value() == "10"  # the most the API takes
        weight.fill("2")
        weight.press("Tab")
        assert page.evaluate("window.__explorer.discover.recipe()") == {
            "add": [{"song": first, "weight": 1}, {"song": second, "weight": 2}],
            "subtract": [{"song": minus, "weight": 1}],
            "k": 20,
        }

        page.click("#alchemy-mix")
        page.wait_for_selector("#alchemy-results li")
        expected = [
            song.id
            for song, _ in songs_alchemy(add=[(first, 1), (second, 2)], subtract=[(minus, 1)])
        ]
        results = row_ids(page, "alchemy-results")
        assert results == expected and len(results) == len(ids) - 3
        assert not {first, second, minus} & set(results)  # never one of its songs
        assert discover(page, "found") == results
        assert discover(page, "marked") == [first, second, minus]
        page.wait_for_timeout(900)  # the flight to them all
        pixels = canvas_pixels(page)
        assert pixels_of(pixels, FOUND) >= 9 and pixels_of(pixels, MARKED) >= 9
        screenshot(page, "discover-alchemy")

        # Saved as a playlist: named after the recipe unless renamed, the songs in order.
        name = page.input_value("#alchemy-name")
        assert name.startswith(f"Alchemy: {catalogue.songs[first]['title']}")
        assert f"2 × {catalogue.songs[second]['title']}" in name
        page.fill("#alchemy-name", "Trees mixed")
        page.click("#alchemy-save button[type=submit]")
        page.wait_for_selector("#alchemy-saved a")
        playlist = Playlist.objects.get(owner__username=catalogue.username, name="Trees mixed")
        entries = list(playlist.entries.order_by("position").values_list("song_id", flat=True))
        assert entries == results
        assert page.get_attribute("#alchemy-saved a", "href") == f"/playlists/{playlist.id}/"
        assert "Saved as your playlist “Trees mixed”" in page.inner_text("#alchemy-saved")

        # The server's refusal is shown in its words: a song of the recipe is no longer there.
        committed(lambda: Song.objects.filter(id=minus).update(status=Song.Status.FAILED))
        with pytest.raises(AlchemyError) as refused:
            songs_alchemy(add=[(first, 1), (second, 2)], subtract=[(minus, 1)])
        page.click("#alchemy-mix")
        page.wait_for_function(
            "() => !document.getElementById('alchemy-status').textContent.startsWith('Mixing')"
        )
        assert page.inner_text("#alchemy-status") == str(refused.value)
    finally:
        page.close()

        def tidy() -> None:
            Song.objects.filter(id=minus).update(status=Song.Status.READY)
            Playlist.objects.filter(name="Trees mixed").delete()

        committed(tidy)
    assert [e for e in errors if not e.endswith("/api/v1/songs/alchemy/)")] == [], errors


def test_my_listening_lights_up_what_i_played_and_suggests_more(
    _close_test_connections, analysed_catalogue, browser, db
):
    from playlists.models import Play
    from playlists.services import play_record
    from songs.models import Song

    # A listener of their own: the explorer records what the other tests' pages play in
    # lena's history (static/js/explorer/history.js), some of it as their pages close.
    catalogue = replace(analysed_catalogue, username="lars")
    committed(lambda: User.objects.create_user(catalogue.username, password=PASSWORD))
    ids = list(catalogue.songs)
    loved, once = ids[4], ids[9]
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    install_probe(context)
    page = context.new_page()
    errors = record_errors(page)
    try:
        sign_in(page, catalogue)
        open_discover(page, catalogue)
        # No history yet: said so, nothing lit.
        page.click("#listening-toggle")
        page.wait_for_selector("#listening-status:has-text('Play some songs first')")
        assert discover(page, "listening") == []
        page.click("#new-to-me")
        page.wait_for_selector("#taste-status:has-text('Play some songs first')")
        assert row_ids(page, "taste-results") == [] and page.is_hidden("#taste-play")
        page.click("#listening-toggle")  # off
        assert page.get_attribute("#listening-toggle", "aria-pressed") == "false"

        def play() -> None:
            lena = User.objects.get(username=catalogue.username)
            songs = Song.objects.in_bulk([loved, once])
            two_days_ago = timezone.now() - timedelta(days=2)
            for song_id in (loved, loved, loved, once):
                play_record(
                    user=lena,
                    song=songs[song_id],
                    source=Play.Source.WEB,
                    played_at=two_days_ago,
                    seconds_heard=4.0,
                )

        committed(play)
        page.click("#listening-toggle")
        page.wait_for_selector("#listening-status:has-text('2 songs you played')")
        assert page.get_attribute("#listening-toggle", "aria-pressed") == "true"
        assert sorted(discover(page, "listening")) == sorted([loved, once])
        # The song played more weighs more in the taste: its ring is the biggest.
        emphasis = dict(
            zip(discover(page, "listening"), discover(page, "listeningEmphasis"), strict=True)
        )
        assert emphasis[loved] == 1 and 0 < emphasis[once] < 1
        page.click("#fit-all")
        page.wait_for_timeout(900)
        assert pixels_of(canvas_pixels(page), LISTENING) >= 9
        screenshot(page, "discover-listening")

        # More like what I play, and new to me: the API's lists, ringed, played in order.
        page.click("#more-like")
        page.wait_for_selector("#taste-results li")
        more = result_ids(page, catalogue, "/api/v1/history/more-like/")
        assert row_ids(page, "taste-results") == more and discover(page, "found") == more
        page.click("#new-to-me")
        page.wait_for_selector("#taste-status:has-text('New to me')")
        new = result_ids(page, catalogue, "/api/v1/history/new-to-me/")
        assert new and not {loved, once} & set(new)
        assert row_ids(page, "taste-results") == new and discover(page, "found") == new
        page.click("#taste-play")
        wait_selected(page, new[0])
        assert playing(page) == f"/api/v1/songs/{new[0]}/audio/"

        page.click("#listening-toggle")
        assert discover(page, "listening") == []
    finally:
        context.close()
        committed(lambda: User.objects.filter(username=catalogue.username).delete())
    assert errors == [], errors
