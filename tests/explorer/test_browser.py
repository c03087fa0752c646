"""The explorer in a real headless Chromium (software WebGL) over real analysed songs: what a
listener sees and hears, checked on the drawn pixels, the audio element and the API."""

from __future__ import annotations

import io
import json
import re
import struct

import numpy as np
import pytest
from PIL import Image

from tests.conftest import PASSWORD
from tests.explorer.conftest import committed, record_errors, screenshot, sign_in

OVERLAYS = ".toolbar, .legend, .labels, .region-names, .tooltip"
BACKGROUND = (15, 18, 24)  # --bg
MAP_POINTS = re.compile(r"/api/v1/map/points/(\?.*)?$")  # the page asks for a version (?v=)


def open_explorer(page, catalogue, query: str = "") -> None:
    page.goto(f"{catalogue.url}/explore/{query}")
    page.wait_for_function("() => window.__explorer && window.__explorer.ready", timeout=20_000)
    if "song=" in query:
        page.wait_for_selector("#panel[data-state=ready]")


def settle(page, quiet_ms: int = 400) -> None:
    """Wait until the camera has stopped: no frame drawn for ``quiet_ms``."""
    for _ in range(40):
        count = page.evaluate("window.__explorer.framesDrawn")
        page.wait_for_timeout(quiet_ms)
        if page.evaluate("window.__explorer.framesDrawn") == count:
            return
    raise AssertionError("the camera did not come to rest")


def api_json(page, catalogue, path: str) -> dict:
    """The API's answer with the page's own session (what the page itself could have asked)."""
    response = page.context.request.get(f"{catalogue.url}{path}")
    assert response.ok, (path, response.status)
    return response.json()


def canvas_pixels(page) -> np.ndarray:
    """The map as drawn on the screen, (height, width, 3) ints, without the HTML over it."""
    hide = "([s, v]) => document.querySelectorAll(s).forEach((e) => (e.style.visibility = v))"
    page.evaluate(hide, [OVERLAYS, "hidden"])
    try:
        png = page.locator("#map-canvas").screenshot()
    finally:
        page.evaluate(hide, [OVERLAYS, ""])
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def pixels_of(pixels: np.ndarray, colour: tuple[int, int, int], tolerance: int = 3) -> int:
    return int((np.abs(pixels - np.array(colour)).max(axis=2) <= tolerance).sum())


def points_of(pixels: np.ndarray, colour: tuple[int, int, int], palette: list) -> int:
    """Pixels of points drawn in ``colour``, one of the legend's ``palette``: points are lit
    like small spheres and fade with distance, so a pixel is counted by its hue (its direction
    away from the background), as the nearest of the palette's, not by its exact value."""
    lifted = (pixels - np.array(BACKGROUND)).reshape(-1, 3).astype(float)
    strength = np.abs(lifted).max(axis=1)
    lifted = lifted[strength > 30]
    lifted /= np.linalg.norm(lifted, axis=1, keepdims=True)
    hues = np.array(palette, float) - np.array(BACKGROUND)
    hues /= np.linalg.norm(hues, axis=1, keepdims=True)
    similarity = lifted @ hues.T
    mine = palette.index(tuple(colour))
    nearest = similarity.argmax(axis=1)
    return int(((nearest == mine) & (similarity[:, mine] > 0.97)).sum())


def legend_colours(page) -> list[tuple[int, int, int]]:
    names = page.locator("#legend-entries .legend-entry").evaluate_all(
        "es => es.map(e => e.dataset.category)"
    )
    return [legend_colour(page, name) for name in names]


def legend_colour(page, name: str) -> tuple[int, int, int]:
    """The colour the legend shows for ``name`` (the swatch's "rgb(r g b)")."""
    swatch = f'.legend-entry[data-category="{name}"] .swatch'
    style = page.eval_on_selector(swatch, "e => e.style.getPropertyValue('--swatch')")
    r, g, b = map(int, re.findall(r"\d+", style)[:3])
    return r, g, b


def clickable_song(
    page, catalogue, min_gap: float = 16, among: list[int] | None = None
) -> tuple[int, float, float]:
    """A song (of ``among``, else any) drawn on the canvas (not under the toolbar or legend)
    with no other song within ``min_gap`` pixels: (id, x, y) in page pixels."""
    found = page.evaluate(
        """([ids, among, gap]) => {
            const canvas = document.getElementById("map-canvas");
            const at = ids.map((id) => [id, window.__explorer.project(id)]).filter(([, p]) => p);
            let best = null;
            for (const [id, p] of at) {
                if (!among.includes(id) || document.elementFromPoint(p.x, p.y) !== canvas) continue;
                const nearest = Math.min(...at.filter(([o]) => o !== id)
                    .map(([, q]) => Math.hypot(q.x - p.x, q.y - p.y)));
                if (nearest >= gap && (!best || nearest > best[3])) best = [id, p.x, p.y, nearest];
            }
            return best;
        }""",
        [list(catalogue.songs), among or list(catalogue.songs), min_gap],
    )
    assert found, "no song is drawn clear of the others"
    return found[0], found[1], found[2]


def selected(page) -> int | None:
    return page.evaluate("window.__explorer.selected()")


def test_signing_in_shows_every_song_drawn_in_its_genre_colour(page, analysed_catalogue):
    # The sign-in form itself (the shared context signed in the same way once).
    page.context.clear_cookies()
    sign_in(page, analysed_catalogue)
    page.wait_for_function("() => window.__explorer && window.__explorer.ready", timeout=20_000)
    assert page.locator("#loading").is_hidden()
    # The download's progress was shown against the map's size.
    assert page.evaluate("document.getElementById('load-progress').value") == 1
    size = page.evaluate("window.__explorer.mapBytes")
    assert page.inner_text("#load-detail") == f"{size} B of {size} B"  # 22 songs: under 1 kB
    assert page.evaluate("window.__explorer.count") == len(analysed_catalogue.songs) == 22
    assert page.evaluate("window.__explorer.counts()") == {"hidden": 0, "faded": 0, "shown": 22}

    genres = sorted({s["genre"] for s in analysed_catalogue.songs.values() if s["genre"]})
    entries = page.locator("#legend-entries .legend-entry")
    assert entries.evaluate_all("es => es.map(e => e.dataset.category)") == [*genres, "Unlabelled"]
    assert set(page.locator(".legend-entry .count").all_inner_texts()) == {"2"}

    # The pixels: every genre's colour is on the canvas, a point's worth at least.
    pixels = canvas_pixels(page)
    palette = legend_colours(page)
    for genre in genres:
        assert points_of(pixels, legend_colour(page, genre), palette) >= 9, genre
    drawn = (np.abs(pixels - np.array(BACKGROUND)).max(axis=2) > 12).sum()
    assert drawn > 22 * 20
    screenshot(page, "map")


def test_hovering_a_song_names_it(page, analysed_catalogue):
    open_explorer(page, analysed_catalogue)
    song_id, x, y = clickable_song(page, analysed_catalogue)
    page.mouse.move(x, y)
    song = analysed_catalogue.songs[song_id]
    tooltip = page.locator("#tooltip")
    tooltip.wait_for(state="visible")
    page.wait_for_function(
        "t => document.querySelector('#tooltip .title').textContent === t", arg=song["title"]
    )
    assert song["artist"] in tooltip.inner_text()
    assert (song["genre"] or "Unlabelled") in tooltip.inner_text()
    screenshot(page, "hover")
    page.mouse.move(2, 300)  # off the map's songs
    tooltip.wait_for(state="hidden")


def test_a_map_in_blocks_is_drawn_from_its_first_block_and_ends_with_every_point_once(
    page, analysed_catalogue, monkeypatch
):
    # The server's map, packed in blocks of four points (a million songs' map has thirty-one).
    from explorer import selectors

    monkeypatch.setattr(selectors, "MAP_BLOCK", 4)
    packed = selectors.map_points_packed(selectors.active_map())
    page.route(
        MAP_POINTS,
        lambda route: route.fulfill(body=packed, content_type="application/octet-stream"),
    )
    open_explorer(page, analysed_catalogue)
    first, loaded, count = page.evaluate(
        "[window.__explorer.firstPoints, window.__explorer.loaded, window.__explorer.count]"
    )
    assert count == loaded == len(analysed_catalogue.songs) == 22
    assert first % 4 == 0 or first == 22, "the first frame draws whole blocks"
    ids = page.evaluate("window.__explorer.ids()")
    assert sorted(ids) == sorted(analysed_catalogue.songs)  # every song's point, once
    # The songs of the last blocks are drawn where the page says: a click there selects one.
    song_id, x, y = clickable_song(page, analysed_catalogue, among=ids[12:])
    page.mouse.click(x, y)
    page.wait_for_function("id => window.__explorer.selected() === id", arg=song_id)


def songs_in_the_clear(page, catalogue, gap: float = 16) -> list[tuple[int, float, float]]:
    """Every song drawn on the canvas with no other within ``gap`` pixels: (id, x, y)."""
    return page.evaluate(
        """([ids, gap]) => {
            const canvas = document.getElementById("map-canvas");
            const at = ids.map((id) => [id, window.__explorer.project(id)]).filter(([, p]) => p);
            return at.filter(([id, p]) => document.elementFromPoint(p.x, p.y) === canvas &&
                    at.every(([o, q]) => o === id || Math.hypot(q.x - p.x, q.y - p.y) >= gap))
                .map(([id, p]) => [id, p.x, p.y]);
        }""",
        [list(catalogue.songs), gap],
    )


def test_the_pick_finds_the_song_drawn_under_the_pointer_far_and_near(page, analysed_catalogue):
    open_explorer(page, analysed_catalogue)
    box = page.locator("#map-canvas").bounding_box()

    def assert_picks_what_is_drawn() -> list[tuple[int, float, float]]:
        clear = songs_in_the_clear(page, analysed_catalogue)
        assert len(clear) >= 3
        pixels = canvas_pixels(page)
        for song_id, x, y in clear:
            # Drawn there (the pixels), and picked there and a few pixels off.
            lit = np.abs(pixels[round(y - box["y"]), round(x - box["x"])] - BACKGROUND).max()
            assert lit > 20, song_id
            for dx, dy in ((0, 0), (3, 0), (0, -3)):
                pick = page.evaluate("([x, y]) => window.__explorer.pickAt(x, y)", [x + dx, y + dy])
                assert pick == song_id, (song_id, dx, dy)
        return clear

    assert_picks_what_is_drawn()
    # Empty sky picks nothing: a pixel far from every song.
    at = page.evaluate(
        """(ids) => ids.map((id) => window.__explorer.project(id)).filter((p) => p)""",
        list(analysed_catalogue.songs),
    )
    empty = max(
        ((box["x"] + x, box["y"] + y) for x in range(40, int(box["width"]) - 40, 20)
         for y in range(40, int(box["height"]) - 40, 20)),
        key=lambda p: min(np.hypot(p[0] - q["x"], p[1] - q["y"]) for q in at),
    )  # fmt: skip
    assert page.evaluate("([x, y]) => window.__explorer.pickAt(x, y)", list(empty)) is None

    # Close up, inside the cloud, the points are big: still the one under the pointer.
    open_explorer(page, analysed_catalogue, f"?song={next(iter(analysed_catalogue.songs))}")
    settle(page)
    clear = assert_picks_what_is_drawn()

    # A song whose genre the legend hides can no longer be picked.
    song_id, x, y = next(
        (c for c in clear if analysed_catalogue.songs[c[0]]["genre"]), (None, 0, 0)
    )
    assert song_id is not None
    genre = analysed_catalogue.songs[song_id]["genre"]
    page.locator(f'.legend-entry[data-category="{genre}"]').click()
    page.wait_for_function("() => window.__explorer.counts().hidden === 2")
    assert page.evaluate("([x, y]) => window.__explorer.pickAt(x, y)", [x, y]) != song_id


def test_clicking_a_song_plays_it_and_lists_its_nearest_songs(page, analysed_catalogue):
    audio_statuses = []
    page.on(
        "response",
        lambda r: audio_statuses.append(r.status) if "/audio/" in r.url else None,
    )
    open_explorer(page, analysed_catalogue)
    song_id, x, y = clickable_song(page, analysed_catalogue)
    page.mouse.click(x, y)
    page.wait_for_selector("#panel[data-state=ready]")
    song = analysed_catalogue.songs[song_id]
    assert selected(page) == song_id
    assert page.url.endswith(f"/explore/?song={song_id}")

    # The panel: details from the API, tags, the spectrogram image actually loaded.
    detail = api_json(page, analysed_catalogue, f"/api/v1/songs/{song_id}/")
    assert page.inner_text("#song-title") == song["title"]
    assert page.inner_text("#song-artist") == song["artist"]
    artist_page = f"/catalogue/artists/{detail['artist_key']}/"
    assert page.get_attribute("#song-artist a", "href") == artist_page
    facts = page.inner_text("#song-facts")
    assert "Duration" in facts and "0:06" in facts
    if song["genre"]:
        assert song["genre"] in facts
    if detail["album"]:
        assert detail["album"] in facts
    assert page.locator("#song-tags li").all_inner_texts() == [t["tag"] for t in detail["top_tags"]]
    page.wait_for_function(
        "() => { const i = document.getElementById('song-spectrogram');"
        " return !i.hidden && i.complete && i.naturalWidth > 0; }"
    )

    # The player: this song's audio, streamed in ranges, and actually playing.
    player = page.locator("#player")
    assert player.evaluate("a => new URL(a.src).pathname") == f"/api/v1/songs/{song_id}/audio/"
    page.wait_for_function(
        "() => document.getElementById('player').currentTime > 0.5", timeout=10_000
    )
    assert 206 in audio_statuses
    assert song["title"] in page.inner_text("#now-playing")

    # The three nearest songs, as the API (pgvector, embedding space) has them.
    similar = api_json(page, analysed_catalogue, f"/api/v1/songs/{song_id}/similar/?k=3")
    expected = [r["song"]["id"] for r in similar["results"]]
    rows = page.locator("#neighbour-list li")
    assert rows.evaluate_all("rs => rs.map(r => Number(r.dataset.songId))") == expected
    assert page.locator("#neighbour-list .distance").all_inner_texts() == [
        f"{r['distance']:.3f}" for r in similar["results"]
    ]
    # … and named in the scene next to their points.
    labels = page.locator("#labels .label")
    assert labels.count() == 4
    label_text = " ".join(labels.all_inner_texts())
    for result in similar["results"]:
        assert result["song"]["title"] in label_text
    screenshot(page, "selected")

    # More neighbours on asking; a play button plays one without moving the selection.
    page.fill("#neighbour-count", "5")
    page.dispatch_event("#neighbour-count", "change")
    page.wait_for_function("() => document.querySelectorAll('#neighbour-list li').length === 5")
    assert page.locator("#labels .label").count() == 6
    first_row = page.locator("#neighbour-list li").first
    first_id = int(first_row.get_attribute("data-song-id"))
    assert first_id == similar["results"][0]["song"]["id"]
    first_row.locator(".play").click()
    page.wait_for_function(
        f"() => new URL(document.getElementById('player').src).pathname === "
        f"'/api/v1/songs/{first_id}/audio/'"
    )
    assert selected(page) == song_id

    # Escape clears the selection and stops the music.
    page.keyboard.press("Escape")
    page.locator("#panel").wait_for(state="hidden")
    assert selected(page) is None and page.url.endswith("/explore/")
    assert player.evaluate("a => a.paused")
    assert page.locator("#labels .label").count() == 0


def test_the_distance_slider_fades_far_songs_and_reset_restores_them(page, analysed_catalogue):
    song_id = next(iter(analysed_catalogue.songs))
    open_explorer(page, analysed_catalogue, f"?song={song_id}")
    results = api_json(page, analysed_catalogue, f"/api/v1/songs/{song_id}/similar/?k=100")[
        "results"
    ]
    distances = [r["distance"] for r in results]
    # A slider position (steps of 0.01) between two neighbours' distances, near the 6th.
    within, cut = next(
        (i, v)
        for i in [5, 4, 6, 3, 7, 8, 2, 9, 10]
        for v in [np.ceil(distances[i - 1] * 100 + 1e-9) / 100]
        if distances[i - 1] < v < distances[i]
    )
    page.eval_on_selector(
        "#distance-slider",
        "(s, v) => { s.value = String(v); s.dispatchEvent(new Event('input', {bubbles: true})); }",
        cut,
    )
    page.wait_for_function(
        "v => document.getElementById('explorer').dataset.filter === String(v)", arg=cut
    )
    counts = page.evaluate("window.__explorer.counts()")
    assert counts == {"hidden": 0, "faded": 22 - within - 1, "shown": within + 1}
    near = {r["song"]["id"] for r in results[:within]}
    states = page.evaluate(
        "ids => ids.map((id) => window.__explorer.stateOf(id))", list(analysed_catalogue.songs)
    )
    for other, state in zip(analysed_catalogue.songs, states, strict=True):
        assert state == (2 if other in near or other == song_id else 1), other
    assert page.inner_text("#distance-status") == f"{within} songs within {cut:.2f}."
    assert page.inner_text("#distance-value") == f"{cut:.2f}"
    settle(page)  # the camera's flight to the songs within
    screenshot(page, "distance")

    page.click("#distance-reset")
    page.wait_for_function("() => window.__explorer.counts().shown === 22")
    assert page.input_value("#distance-slider") == "2"
    assert page.inner_text("#distance-value") == "all"


def test_the_legend_hides_and_shows_a_genre(page, analysed_catalogue):
    open_explorer(page, analysed_catalogue)
    genre = "Rock"
    colour = legend_colour(page, genre)
    palette = legend_colours(page)
    assert points_of(canvas_pixels(page), colour, palette) >= 9
    entry = page.locator(f'.legend-entry[data-category="{genre}"]')
    entry.click()
    assert entry.get_attribute("aria-pressed") == "false"
    page.wait_for_function("() => window.__explorer.counts().hidden === 2")
    page.wait_for_timeout(100)  # the frame after the change
    assert points_of(canvas_pixels(page), colour, palette) == 0
    assert page.locator("#legend-show-all").is_visible()
    screenshot(page, "legend-off")
    entry.click()
    assert entry.get_attribute("aria-pressed") == "true"
    page.wait_for_function("() => window.__explorer.counts().hidden === 0")
    page.wait_for_timeout(100)
    assert points_of(canvas_pixels(page), colour, palette) >= 9

    # The map's automatic clusters colour it on request, with their own legend.
    clusters = api_json(page, analysed_catalogue, "/api/v1/map/")["map"]["clusters"]
    page.select_option("#colour-by-select", "cluster")
    assert page.inner_text("#legend-title") == "Clusters"
    names = page.locator("#legend-entries .legend-entry").evaluate_all(
        "es => es.map(e => e.dataset.category)"
    )
    assert names == clusters
    screenshot(page, "clusters")


def test_search_selects_a_song_and_flies_to_it(page, analysed_catalogue):
    open_explorer(page, analysed_catalogue)
    songs = analysed_catalogue.songs
    target = next(i for i, s in songs.items() if s["title"] == "Test Tone 523 Hz")
    page.fill("#search-input", "tone 523")
    page.wait_for_selector("#search-results li[role=option]")
    options = page.locator("#search-results li[role=option]")
    assert options.count() == 1 and "Oscillator" in options.first.inner_text()
    page.keyboard.press("Enter")
    page.wait_for_selector("#panel[data-state=ready]")
    assert selected(page) == target
    assert page.inner_text("#song-title") == "Test Tone 523 Hz"
    assert page.url.endswith(f"?song={target}")
    settle(page)  # the flight
    box = page.locator("#map-canvas").bounding_box()
    at = page.evaluate("id => window.__explorer.project(id)", target)
    centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert abs(at["x"] - centre[0]) < 30 and abs(at["y"] - centre[1]) < 30
    screenshot(page, "search")

    # The address is shareable: a new tab opens on the same song; Back returns to no selection.
    page.go_back()
    page.locator("#panel").wait_for(state="hidden")
    page.go_forward()
    page.wait_for_function("id => window.__explorer.selected() === id", arg=target)


def test_play_similar_walks_to_the_nearest_song_not_yet_played(page, analysed_catalogue):
    start = next(iter(analysed_catalogue.songs))
    open_explorer(page, analysed_catalogue, f"?song={start}")

    def nearest_unplayed(song_id: int, played: set[int]) -> int:
        results = api_json(page, analysed_catalogue, f"/api/v1/songs/{song_id}/similar/?k=20")
        return next(r["song"]["id"] for r in results["results"] if r["song"]["id"] not in played)

    page.click("#play-similar")
    second = nearest_unplayed(start, {start})
    assert page.locator("#walk-status").inner_text().startswith("Song 1 of the walk")
    page.click("#walk-next")
    page.wait_for_function("id => window.__explorer.selected() === id", arg=second)
    page.wait_for_selector("#panel[data-state=ready]")
    third = nearest_unplayed(second, {start, second})
    # The song ending moves on by itself (once the player knows how long the song is).
    page.wait_for_function("() => Number.isFinite(document.getElementById('player').duration)")
    page.eval_on_selector("#player", "a => { a.currentTime = Math.max(0, a.duration - 0.2); }")
    page.wait_for_function("id => window.__explorer.selected() === id", arg=third, timeout=10_000)
    page.wait_for_selector("#panel[data-state=ready]")
    assert page.locator("#walk-status").inner_text().startswith("Song 3 of the walk")
    screenshot(page, "walk")
    page.click("#walk-previous")
    page.wait_for_function("id => window.__explorer.selected() === id", arg=second)
    page.click("#walk-next")  # forward along the path already walked
    page.wait_for_function("id => window.__explorer.selected() === id", arg=third)
    # A walk is not a playlist: the address names none.
    assert "playlist=" not in page.url


def test_favourites_and_playlists_from_the_panel_and_on_the_map(
    _close_test_connections, signed_in, db, analysed_catalogue
):
    from django.contrib.auth.models import User

    from playlists.models import Playlist
    from playlists.services import playlist_create
    from songs.models import Song

    catalogue = analysed_catalogue
    ids = list(catalogue.songs)
    first, second, third = ids[0], ids[5], ids[10]

    def make() -> tuple[int, int, int]:
        lena = User.objects.get(username=catalogue.username)
        otto = User.objects.create_user("otto", password=PASSWORD)
        songs = Song.objects.in_bulk([first, second, third])
        trip = playlist_create(owner=lena, name="Test trip")
        path = playlist_create(
            owner=lena, name="Along the map", songs=[songs[third], songs[first], songs[second]]
        )
        secret = playlist_create(owner=otto, name="Otto's secret")  # private by default
        return trip.id, path.id, secret.id

    trip, path, secret = committed(make)
    page = signed_in.new_page()
    errors = record_errors(page)
    try:
        # The heart: its state is the API's, and pressing it changes both.
        open_explorer(page, catalogue, f"?song={first}")
        heart = page.locator("#favourite-toggle")
        page.wait_for_selector("#favourite-toggle:not([disabled])")
        assert heart.get_attribute("aria-pressed") == "false"
        assert heart.get_attribute("aria-label") == "Add to favourites"
        assert first not in api_json(page, catalogue, "/api/v1/favourites/")["songs"]
        heart.click()
        page.wait_for_selector("#favourite-toggle[aria-pressed=true]:not([disabled])")
        assert heart.get_attribute("aria-label") == "Remove from favourites"
        assert first in api_json(page, catalogue, "/api/v1/favourites/")["songs"]
        heart.click()
        page.wait_for_selector("#favourite-toggle[aria-pressed=false]:not([disabled])")
        assert first not in api_json(page, catalogue, "/api/v1/favourites/")["songs"]

        # Add to a playlist; Favourites is not among the choices; a second time is refused.
        choices = page.locator("#playlist-choice option").all_inner_texts()
        assert "Test trip" in choices and "Favourites" not in choices
        assert page.get_attribute("#playlist-slot a", "href") == "/playlists/"
        page.select_option("#playlist-choice", label="Test trip")
        page.click("#playlist-add")
        status = page.locator("#playlist-status")
        page.wait_for_function(
            "() => document.getElementById('playlist-status').textContent.startsWith('Added')"
        )
        assert status.inner_text() == "Added to “Test trip”."
        entries = api_json(page, catalogue, f"/api/v1/playlists/{trip}/")["entries"]
        assert [e["song"]["id"] for e in entries] == [first]
        page.click("#playlist-add")
        page.wait_for_function(
            "() => document.getElementById('playlist-status').textContent.includes('already')"
        )

        # A playlist opened on the map: a path through its songs in order, at its first song.
        open_explorer(page, catalogue, f"?playlist={path}")
        page.wait_for_function("id => window.__explorer.selected() === id", arg=third)
        page.wait_for_selector("#panel[data-state=ready]")
        assert page.evaluate("window.__explorer.drawnPath()") == [third, first, second]
        assert page.evaluate("window.__explorer.playlist()") == {
            "id": path,
            "name": "Along the map",
        }
        assert re.search(rf"[?&]playlist={path}\b", page.url) and f"song={third}" in page.url
        walk_status = page.locator("#walk-status")
        assert walk_status.inner_text().startswith("Song 1 of 3 in “Along the map”")
        screenshot(page, "playlist")
        page.click("#walk-next")
        page.wait_for_function("id => window.__explorer.selected() === id", arg=first)
        page.click("#walk-next")
        page.wait_for_function("id => window.__explorer.selected() === id", arg=second)
        page.wait_for_selector("#panel[data-state=ready]")
        assert page.is_disabled("#walk-next")  # the end of the playlist
        assert f"song={second}" in page.url and f"playlist={path}" in page.url
        page.click("#walk-previous")
        page.wait_for_function("id => window.__explorer.selected() === id", arg=first)
        page.keyboard.press("Escape")
        page.wait_for_function("() => window.__explorer.drawnPath().length === 0")
        assert "playlist=" not in page.url

        # Someone else's private playlist: a clear notice, nothing selected.
        open_explorer(page, catalogue, f"?playlist={secret}")
        notice = page.locator("#playlist-notice")
        notice.wait_for(state="visible")
        assert "private to someone else" in notice.inner_text()
        assert page.evaluate("window.__explorer.selected()") is None
        assert page.evaluate("window.__explorer.drawnPath()") == []
    finally:
        page.close()

        def tidy() -> None:
            Playlist.objects.filter(id__in=[trip, path, secret]).delete()
            User.objects.filter(username="otto").delete()

        committed(tidy)
    # The refused add (400) and the private playlist (404) are answers the page expects.
    expected = (f"/api/v1/playlists/{trip}/songs/)", f"/api/v1/playlists/{secret}/)")
    assert [e for e in errors if not e.endswith(expected)] == [], errors


def test_surprise_me_jumps_between_two_distances(page, analysed_catalogue):
    start = next(iter(analysed_catalogue.songs))
    open_explorer(page, analysed_catalogue, f"?song={start}")
    page.fill("#surprise-min", "0")
    page.fill("#surprise-max", "2")
    page.click("#surprise")
    page.wait_for_function("id => window.__explorer.selected() !== id", arg=start)
    page.wait_for_selector("#surprise-status:has-text('away from')")
    page.fill("#surprise-min", "1.9")
    page.fill("#surprise-max", "2")
    page.click("#surprise")
    page.wait_for_selector("#surprise-status:has-text('No song')")


def test_the_keyboard_zooms_and_fit_all_frames_everything(page, analysed_catalogue):
    open_explorer(page, analysed_catalogue)
    ids = list(analysed_catalogue.songs)[:2]

    def spread() -> float:
        a, b = page.evaluate("ids => ids.map((id) => window.__explorer.project(id))", ids)
        return np.hypot(a["x"] - b["x"], a["y"] - b["y"])

    before = spread()
    page.focus("#map-canvas")
    page.keyboard.press("+")
    page.keyboard.press("+")
    page.wait_for_timeout(300)
    assert spread() > before * 1.3
    page.click("#fit-all")
    settle(page)
    assert abs(spread() - before) < before * 0.1


def test_a_phone_gets_a_bottom_sheet_and_touch_selects(phone, analysed_catalogue):
    open_explorer(phone, analysed_catalogue)
    song_id, x, y = clickable_song(phone, analysed_catalogue, min_gap=12)
    phone.touchscreen.tap(x, y)
    phone.wait_for_selector("#panel[data-state=ready]")
    assert selected(phone) == song_id
    sheet = phone.locator("#panel").bounding_box()
    assert sheet["x"] == 0 and sheet["width"] == 390
    assert abs(sheet["y"] + sheet["height"] - 844) < 1 and sheet["height"] < 844 * 0.6
    # The map keeps the room above the sheet, with the song in its middle.
    canvas = phone.locator("#map-canvas").bounding_box()
    assert abs(canvas["y"] + canvas["height"] - sheet["y"]) < 1
    settle(phone)
    at = phone.evaluate("id => window.__explorer.project(id)", song_id)
    assert canvas["y"] < at["y"] < canvas["y"] + canvas["height"]
    screenshot(phone, "phone")


def test_the_page_ships_no_test_probe(_close_test_connections, browser, analysed_catalogue, db):
    """Without the tests' probe (tests/explorer/probe.js) the page puts nothing on window: its
    state is reached only through the modules that import it."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors = record_errors(page)
    try:
        sign_in(page, analysed_catalogue)
        page.wait_for_selector("#explorer[data-state=ready]", timeout=20_000)
        own = page.evaluate("() => Object.keys(window).filter((name) => name.startsWith('__'))")
        assert own == ["__THREE__"]  # three.js marks its version there; nothing of ours
        assert page.evaluate("() => typeof window.__explorer") == "undefined"
        # The page still works: a song opened from the address is selected and listed.
        song_id = next(iter(analysed_catalogue.songs))
        page.goto(f"{analysed_catalogue.url}/explore/?song={song_id}")
        page.wait_for_selector("#panel[data-state=ready]")
        assert page.get_attribute("#explorer", "data-selected") == str(song_id)
    finally:
        context.close()
    assert errors == [], errors


def empty_map() -> bytes:
    header = json.dumps({"count": 0, "genres": [], "map": {"clusters": []}}).encode()
    header += b" " * (-len(header) % 4)
    return struct.pack("<I", len(header)) + header


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("no-webgl", "This browser cannot draw the map"),
        ("no-map", "No map yet"),
        ("empty-map", "The catalogue is empty"),
    ],
)
def test_clear_messages_without_webgl_or_songs(page, analysed_catalogue, case, message):
    if case == "no-webgl":
        page.add_init_script(
            "const real = HTMLCanvasElement.prototype.getContext;"
            "HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {"
            "  return kind.startsWith('webgl') ? null : real.call(this, kind, ...rest); };"
        )
    elif case == "no-map":
        page.route(MAP_POINTS, lambda route: route.fulfill(status=204))
    else:
        page.route(
            MAP_POINTS,
            lambda route: route.fulfill(
                status=200, body=empty_map(), content_type="application/octet-stream"
            ),
        )
    page.goto(f"{analysed_catalogue.url}/explore/")
    notice = page.locator("#notice")
    notice.wait_for(state="visible")
    assert message in notice.inner_text()
    assert page.locator("#loading").is_hidden()
    screenshot(page, case)
