"""The mixes page and an artist's page in a real headless Chromium: a song plays from its ▶ and
the next follows, a mix is saved through its form, similar artists lead to their pages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from explorer.selectors import mixes_active
from explorer.services import map_build
from songs.models import Song
from tests.audio import write_tone
from tests.explorer.conftest import AnalysedCatalogue, served_catalogue
from tests.factories import make_embedded_songs

AUDIO = "songs/mixes-browser-test.wav"  # one short tone for every song
# The id of the song the page shows as playing while its audio really runs, else null.
PLAYING = """(() => {
    const player = document.getElementById("player");
    const row = document.querySelector("[data-tracklist] li.playing");
    return row && !player.paused && player.currentTime > 0 ? row.dataset.song : null;
})()"""
ARTISTS = ["Fiddle Folk", "Fjord Folk", "Iron Metal", "Rust Metal", "Tek One", "Tek Two"]


def make_mix_catalogue(folder) -> list[int]:
    """Songs by six artists (two per genre cluster), each playable, on a map with mixes."""
    if not default_storage.exists(AUDIO):
        tone = write_tone(folder / "tone.wav", seconds=1.5, freq=330.0)
        default_storage.save(AUDIO, ContentFile(tone.read_bytes()))
    songs = make_embedded_songs(per_genre=6, unlabelled=0)
    for i, song in enumerate(songs):
        Song.objects.filter(id=song.id).update(
            artist=ARTISTS[i // 3],
            album="Live",
            title=f"Song {i:02d}",
            audio=AUDIO,
            audio_format="WAV",
            duration_s=1.5,
        )
    map_build(seed=0)
    return [song.id for song in songs]


@pytest.fixture(scope="module")
def analysed_catalogue(
    django_db_setup, django_db_blocker, tmp_path_factory
) -> Iterator[AnalysedCatalogue]:
    """This module's songs, in place of the conftest's catalogue (whose ``page`` fixture signs
    the listener in), served and emptied the same way."""
    folder = tmp_path_factory.mktemp("mixes")
    with served_catalogue(django_db_blocker, lambda: make_mix_catalogue(folder)) as catalogue:
        yield catalogue


def test_a_mix_plays_from_a_song_on_and_is_saved_as_a_playlist(page, analysed_catalogue):
    mix = mixes_active().first()
    page.goto(f"{analysed_catalogue.url}/explore/mixes/")
    section = page.locator(f"#mix-{mix.id}")
    assert section.locator("h2").inner_text() == mix.name
    rows = section.locator("li[data-song]")
    assert [int(rows.nth(i).get_attribute("data-song")) for i in range(rows.count())] == (
        mix.song_ids
    )

    rows.nth(0).locator("button.play").click()
    page.wait_for_function(f"() => {PLAYING} === '{mix.song_ids[0]}'")
    src = page.eval_on_selector("#player", "a => new URL(a.src).pathname")
    assert src == f"/api/v1/songs/{mix.song_ids[0]}/audio/"
    # The tone ends; the mix's next song follows.
    page.wait_for_function(f"() => {PLAYING} === '{mix.song_ids[1]}'", timeout=10_000)

    section.locator("input[name=name]").fill("Road mix")
    section.locator("button[type=submit]").click()
    page.wait_for_url("**/playlists/*/")
    assert page.locator("h1").inner_text() == "Road mix"
    assert "Saved" in page.locator(".message").inner_text()
    entries = page.locator("#entries li[data-song]")
    assert [int(entries.nth(i).get_attribute("data-song")) for i in range(entries.count())] == (
        mix.song_ids
    )


def test_an_artists_page_plays_its_songs_and_leads_to_similar_artists(page, analysed_catalogue):
    key = Song.objects.filter(artist="Iron Metal").values_list("artist_key", flat=True).first()
    page.goto(f"{analysed_catalogue.url}/catalogue/artists/{key}/")
    assert page.locator("h1").inner_text() == "Iron Metal"
    assert page.locator("li[data-song]").count() == 3

    page.locator("li[data-song] button.play").first.click()
    page.wait_for_function(f"() => {PLAYING} !== null")

    nearest = page.locator("#similar-artist-list a").first
    assert nearest.inner_text() == "Rust Metal"  # the other artist of the metal cluster
    nearest.click()
    page.wait_for_function("() => document.querySelector('h1').textContent === 'Rust Metal'")
    assert "Iron Metal" in page.locator("#similar-artist-list").inner_text()
