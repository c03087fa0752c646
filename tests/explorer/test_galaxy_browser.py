"""The explorer as a galaxy (issue 22) in a real headless Chromium over real analysed songs:
depth that can be seen, flights, names in the sky, sound on hover, the listener's own music lit
up, a way in without 3D, and the phone. Checked on the drawn pixels, the camera frame by frame
and the audio elements."""

from __future__ import annotations

import json

import numpy as np

from tests.explorer.conftest import screenshot
from tests.explorer.test_browser import (
    BACKGROUND,
    canvas_pixels,
    clickable_song,
    legend_colour,
    open_explorer,
    settle,
)


def canvas_offset(page) -> tuple[float, float]:
    box = page.locator("#map-canvas").bounding_box()
    return box["x"], box["y"]


def on_screen_songs(page, catalogue, min_gap: float = 24) -> list[dict]:
    """Songs drawn clear of the others and of the HTML over the map: {id, x, y, depth} in
    pixels of the canvas, nearest the camera first."""
    found = page.evaluate(
        """([ids, gap]) => {
            const canvas = document.getElementById("map-canvas");
            const box = canvas.getBoundingClientRect();
            const at = ids.map((id) => [id, window.__explorer.project(id)]).filter(([, p]) => p);
            return at.filter(([id, p]) => document.elementFromPoint(p.x, p.y) === canvas &&
                    at.every(([o, q]) => o === id || Math.hypot(q.x - p.x, q.y - p.y) >= gap))
                .map(([id, p]) => ({id, x: p.x - box.left, y: p.y - box.top,
                                    depth: window.__explorer.depth(id)}));
        }""",
        [list(catalogue.songs), min_gap],
    )
    return sorted(found, key=lambda s: s["depth"])


def lit(pixels: np.ndarray) -> np.ndarray:
    """How far each pixel is from the background (its largest channel difference)."""
    return np.abs(pixels - np.array(BACKGROUND)).max(axis=2)


def disc_radius(pixels: np.ndarray, x: float, y: float) -> float:
    """The radius in pixels of the point drawn at (x, y): how far, in the four directions, the
    pixels stay at least half as far from the background as the centre is."""
    cx, cy = round(x), round(y)
    centre = lit(pixels[cy - 1 : cy + 2, cx - 1 : cx + 2]).max()
    assert centre > 20, "no point is drawn there"
    strength = lit(pixels)
    reach = []
    for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
        r = 0
        while strength[cy + dy * (r + 1), cx + dx * (r + 1)] >= centre / 2 and r < 60:
            r += 1
        reach.append(r)
    return float(np.mean(reach))


def ring_mean(pixels: np.ndarray, x: float, y: float, inner: float, outer: float) -> float:
    """Mean brightness (0-255, all channels) of the pixels between two radii around (x, y)."""
    h, w, _ = pixels.shape
    yy, xx = np.mgrid[0:h, 0:w]
    r = np.hypot(xx - x, yy - y)
    return float(pixels[(r >= inner) & (r < outer)].mean())


def test_far_songs_are_smaller_and_dimmer_than_near_ones(page, analysed_catalogue):
    open_explorer(page, analysed_catalogue)
    page.focus("#map-canvas")
    for _ in range(3):  # closer in, where near and far differ more
        page.keyboard.press("+")
    settle(page)
    songs = on_screen_songs(page, analysed_catalogue)
    assert len(songs) >= 3, songs
    near, far = songs[0], songs[-1]
    assert far["depth"] > near["depth"] * 1.25, (near, far)
    pixels = canvas_pixels(page)
    screenshot(page, "galaxy-depth")
    near_radius = disc_radius(pixels, near["x"], near["y"])
    far_radius = disc_radius(pixels, far["x"], far["y"])
    # Perspective: the size falls with the distance from the camera.
    assert near_radius > far_radius * 1.2, (near_radius, far_radius)
    assert near_radius >= 4

    # Fog: far songs sink towards the background, measured against each song's own colour.
    def brightness_of_own_colour(song) -> float:
        genre = analysed_catalogue.songs[song["id"]]["genre"] or "Unlabelled"
        own = np.array(legend_colour(page, genre)) - np.array(BACKGROUND)
        cx, cy = round(song["x"]), round(song["y"])
        drawn = pixels[cy - 1 : cy + 2, cx - 1 : cx + 2].reshape(-1, 3).mean(axis=0)
        return float(np.abs(drawn - np.array(BACKGROUND)).max() / np.abs(own).max())

    assert brightness_of_own_colour(near) > brightness_of_own_colour(far) * 1.15

    # Between points, each one's halo lights the background a little around it (against the
    # same frame drawn with the halos off), and never covers a point.
    page.evaluate("window.__explorer.setGlow(0)")
    page.wait_for_timeout(150)
    unlit = canvas_pixels(page)
    page.evaluate("window.__explorer.setGlow(null)")
    for song, radius in ((near, near_radius), (far, far_radius)):
        around = (song["x"], song["y"], radius + 1.5, radius * 1.8 + 2)
        assert ring_mean(pixels, *around) > ring_mean(unlit, *around) + 1, song
        cx, cy = round(song["x"]), round(song["y"])
        assert (pixels[cy, cx] == unlit[cy, cx]).all()


def test_the_selection_and_its_neighbours_glow(page, analysed_catalogue):
    open_explorer(page, analysed_catalogue)
    song_id, x, y = clickable_song(page, analysed_catalogue, min_gap=30)
    page.mouse.click(x, y)
    page.wait_for_selector("#panel[data-state=ready]")
    selected_id = page.evaluate("window.__explorer.selected()")
    settle(page)
    left, top = canvas_offset(page)
    at = page.evaluate("id => window.__explorer.project(id)", song_id)
    sx, sy = at["x"] - left, at["y"] - top
    glowing = canvas_pixels(page)
    screenshot(page, "galaxy-glow")
    neighbours = page.locator("#neighbour-list li").evaluate_all(
        "rs => rs.map(r => Number(r.dataset.songId))"
    )
    n = page.evaluate("id => window.__explorer.project(id)", neighbours[0])
    nx, ny = n["x"] - left, n["y"] - top

    # The same frame with the glows left out (the probe's switch; the page has none).
    page.evaluate("window.__explorer.showGlows(false)")
    page.wait_for_timeout(150)
    plain = canvas_pixels(page)
    page.evaluate("window.__explorer.showGlows(true)")
    # Light around the selected song, beyond its ring (13 px), fading outwards.
    near = ring_mean(glowing, sx, sy, 14, 20) - ring_mean(plain, sx, sy, 14, 20)
    farther = ring_mean(glowing, sx, sy, 24, 30) - ring_mean(plain, sx, sy, 24, 30)
    assert near > 12, near
    assert 0 <= farther < near
    # Its neighbours glow too, less widely than the song itself.
    assert ring_mean(glowing, nx, ny, 10, 14) - ring_mean(plain, nx, ny, 10, 14) > 6
    # And it is drawn bigger: its bright middle spreads wider than the point alone.
    assert disc_radius(glowing, sx, sy) > disc_radius(plain, sx, sy)
    assert selected_id == song_id


def test_an_orbit_coasts_after_the_pointer_lets_go(page, analysed_catalogue):
    open_explorer(page, analysed_catalogue)
    settle(page)
    box = page.locator("#map-canvas").bounding_box()
    x, y = box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.8
    page.evaluate("window.__explorer.recordFrames()")
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 160, y, steps=6)
    page.mouse.up()
    released = page.evaluate("performance.now()")
    settle(page)
    frames = page.evaluate("window.__explorer.frames")
    after = [np.array(f["position"]) for f in frames if f["at"] > released]
    # It keeps turning for several frames after the release, ever more slowly, then stops.
    steps = [np.linalg.norm(b - a) for a, b in zip(after, after[1:], strict=False)]
    moving = [s for s in steps if s > 1e-5]
    assert len(moving) >= 4, steps
    assert moving[-1] < moving[0] / 2, moving
    assert page.evaluate("window.__explorer.selected()") is None  # a drag is not a click


def camera(page) -> dict:
    return page.evaluate("window.__explorer.camera()")


def recorded(page) -> list[dict]:
    """The frames drawn since recordFrames(): {at, position, target} each."""
    return page.evaluate("window.__explorer.frames")


def moving_positions(frames: list[dict], start: dict) -> list[np.ndarray]:
    """The camera positions of the frames drawn from ``start`` on, the repeats left out."""
    positions = [np.array(start["position"])]
    for frame in frames:
        p = np.array(frame["position"])
        if np.linalg.norm(p - positions[-1]) > 1e-6:
            positions.append(p)
    return positions


def assert_eases(positions: list[np.ndarray], end: dict) -> None:
    """A flight, not a jump: many frames between, none more than a fraction of the way, and
    slower at its ends than in its middle."""
    assert np.allclose(positions[-1], end["position"], atol=1e-4)
    steps = [np.linalg.norm(b - a) for a, b in zip(positions, positions[1:], strict=False)]
    total = sum(steps)
    assert len(steps) >= 6, steps
    assert max(steps) < 0.4 * total, steps
    middle = max(steps[len(steps) // 4 : 3 * len(steps) // 4 + 1])
    assert steps[0] < middle and steps[-1] < middle, steps


def distance_to_path(point: np.ndarray, path: list[np.ndarray]) -> float:
    best = np.inf
    for a, b in zip(path, path[1:], strict=False):
        ab = b - a
        t = np.clip(np.dot(point - a, ab) / max(np.dot(ab, ab), 1e-12), 0, 1)
        best = min(best, float(np.linalg.norm(point - (a + t * ab))))
    return best


def test_selecting_flies_along_a_curve_and_back_returns_along_it(page, analysed_catalogue):
    open_explorer(page, analysed_catalogue)
    settle(page)
    first, x, y = clickable_song(page, analysed_catalogue)
    start = camera(page)
    page.evaluate("window.__explorer.recordFrames()")
    page.mouse.click(x, y)
    page.wait_for_selector("#panel[data-state=ready]")
    settle(page)
    at_first = camera(page)
    assert_eases(moving_positions(recorded(page), start), at_first)
    # It looks at the song it flew to.
    song_at = page.evaluate("id => window.__explorer.project(id)", first)
    box = page.locator("#map-canvas").bounding_box()
    assert abs(song_at["x"] - (box["x"] + box["width"] / 2)) < 30

    # To a neighbour from the list, then Back: the same way back to the same view.
    page.evaluate("window.__explorer.recordFrames()")
    page.locator("#neighbour-list li .go").first.click()
    page.wait_for_function("id => window.__explorer.selected() !== id", arg=first)
    page.wait_for_selector("#panel[data-state=ready]")
    settle(page)
    at_second = camera(page)
    there = moving_positions(recorded(page), at_first)
    assert_eases(there, at_second)
    travel = sum(np.linalg.norm(b - a) for a, b in zip(there, there[1:], strict=False))
    # The curve backs off between the two songs: in the middle the camera is farther from what
    # it looks at than at the ends, by a share of the way (flight.js pulls back 0.225 of it).
    reach = [np.linalg.norm(np.array(f["position"]) - f["target"]) for f in recorded(page)]
    ends = np.mean(
        [
            np.linalg.norm(np.array(at_first["position"]) - at_first["target"]),
            np.linalg.norm(np.array(at_second["position"]) - at_second["target"]),
        ]
    )
    assert max(reach) > ends + 0.1 * travel, (max(reach), ends, travel)

    page.evaluate("window.__explorer.recordFrames()")
    page.go_back()
    page.wait_for_function("id => window.__explorer.selected() === id", arg=first)
    settle(page)
    back = moving_positions(recorded(page), at_second)
    assert len(back) >= 6
    assert np.allclose(camera(page)["position"], at_first["position"], atol=1e-3)
    assert np.allclose(camera(page)["target"], at_first["target"], atol=1e-3)
    assert max(distance_to_path(p, there) for p in back) < 0.08 * travel
    screenshot(page, "galaxy-flight-back")

    # "Fit all" eases out to the whole map too.
    page.evaluate("window.__explorer.recordFrames()")
    before = camera(page)
    page.click("#fit-all")
    settle(page)
    assert_eases(moving_positions(recorded(page), before), camera(page))


def test_with_less_motion_asked_for_flights_are_cuts(
    _close_test_connections, signed_in, db, analysed_catalogue
):
    from tests.explorer.conftest import record_errors
    from tests.explorer.probe import install_probe

    context = signed_in.browser.new_context(
        storage_state=signed_in.storage_state(),
        viewport={"width": 1280, "height": 800},
        reduced_motion="reduce",
    )
    install_probe(context)
    page = context.new_page()
    errors = record_errors(page)
    try:
        open_explorer(page, analysed_catalogue)
        settle(page)
        _, x, y = clickable_song(page, analysed_catalogue)
        start = camera(page)
        page.evaluate("window.__explorer.recordFrames()")
        page.mouse.click(x, y)
        page.wait_for_selector("#panel[data-state=ready]")
        settle(page)
        positions = moving_positions(recorded(page), start)
        # One step from where it was to where it goes (the panel opening may redraw it there).
        assert len(positions) == 2, positions
        assert np.allclose(positions[-1], camera(page)["position"])
    finally:
        context.close()
    assert errors == [], errors


def test_free_flight_moves_where_the_camera_looks(page, analysed_catalogue):
    open_explorer(page, analysed_catalogue)
    settle(page)
    page.click("#free-flight")
    assert page.get_attribute("#free-flight", "aria-pressed") == "true"
    page.focus("#map-canvas")
    start = camera(page)
    looking = np.array(start["target"]) - start["position"]
    looking /= np.linalg.norm(looking)
    page.evaluate("window.__explorer.recordFrames()")
    page.keyboard.down("w")
    page.wait_for_timeout(700)
    page.keyboard.up("w")
    settle(page)
    moved = np.array(camera(page)["position"]) - start["position"]
    # Forward, along the view, by about the speed (0.45 per second) times the time held.
    assert 0.12 < np.dot(moved, looking) < 0.6, moved
    assert np.linalg.norm(moved - np.dot(moved, looking) * looking) < 0.02
    positions = moving_positions(recorded(page), start)
    steps = [np.linalg.norm(b - a) for a, b in zip(positions, positions[1:], strict=False)]
    assert len(steps) >= 6 and steps[0] < max(steps) and steps[-1] < max(steps)  # eases

    # Dragging turns the view where the camera stands.
    here = camera(page)
    box = page.locator("#map-canvas").bounding_box()
    page.mouse.move(box["x"] + 300, box["y"] + 300)
    page.mouse.down()
    page.mouse.move(box["x"] + 420, box["y"] + 300, steps=5)
    page.mouse.up()
    settle(page)
    turned = camera(page)
    assert np.allclose(turned["position"], here["position"], atol=1e-6)
    before = np.array(here["target"]) - here["position"]
    after = np.array(turned["target"]) - turned["position"]
    angle = np.arccos(np.dot(before, after) / np.linalg.norm(before) / np.linalg.norm(after))
    assert 0.3 < angle < 0.7  # 120 px at 0.004 rad per pixel

    # G again: back to orbiting, where W turns around the target at the same distance.
    page.keyboard.press("g")
    assert page.get_attribute("#free-flight", "aria-pressed") == "false"
    orbit_from = camera(page)
    page.keyboard.press("w")
    settle(page)
    orbited = camera(page)
    assert not np.allclose(orbited["position"], orbit_from["position"])
    radius = lambda c: np.linalg.norm(np.array(c["position"]) - c["target"])  # noqa: E731
    assert abs(radius(orbited) - radius(orbit_from)) < 1e-3
    screenshot(page, "galaxy-free-flight")


def map_regions(page, catalogue) -> tuple[list[str], dict[int, np.ndarray]]:
    """The map's region names and the middle of each region's songs, read from the map the
    page downloads (GET /api/v1/map/points/, mapdata.js's layout) by this test itself."""
    body = page.context.request.get(f"{catalogue.url}/api/v1/map/points/").body()
    header_length = int.from_bytes(body[:4], "little")
    header = json.loads(body[4 : 4 + header_length])
    n = header["count"]
    offset = 4 + header_length
    xyz = np.frombuffer(body, "<i2", 3 * n, offset + 4 * n).reshape(n, 3) / 32767
    cluster = np.frombuffer(body, np.uint8, n, offset + 11 * n)
    names = header["map"]["clusters"]
    return names, {c: xyz[cluster == c].mean(axis=0) for c in range(len(names))}


def shown_names(page) -> list[dict]:
    return page.locator("#region-names .region-name:not([hidden])").evaluate_all(
        """es => es.map(e => { const r = e.getBoundingClientRect();
            return {region: Number(e.dataset.region), text: e.textContent,
                    x: r.left + r.width / 2, y: r.top + r.height / 2,
                    font: r.height}; })"""
    )


def test_region_names_float_at_their_regions_and_follow_the_legend(page, analysed_catalogue):
    open_explorer(page, analysed_catalogue)
    settle(page)
    names, centres = map_regions(page, analysed_catalogue)
    assert len(names) >= 2
    shown = shown_names(page)
    assert 1 <= len(shown) <= 20
    for name in shown:
        assert name["text"] == names[name["region"]]
        at = page.evaluate(
            "c => window.__explorer.projectPosition(c)", centres[name["region"]].tolist()
        )
        assert abs(at["x"] - name["x"]) < 3 and abs(at["y"] - name["y"]) < 3, (name, at)
    screenshot(page, "galaxy-names")

    # A region whose songs the legend hides loses its name, and gets it back.
    page.select_option("#colour-by-select", "cluster")
    region = shown[0]["region"]
    entry = page.locator(f'.legend-entry[data-category="{names[region]}"]')
    entry.click()
    settle(page)
    assert region not in [n["region"] for n in shown_names(page)]
    others = shown_names(page)
    assert others  # the other regions keep theirs (one freed of its overlap, perhaps)
    screenshot(page, "galaxy-names-filtered")

    # Farther away, a name is smaller.
    page.focus("#map-canvas")
    page.keyboard.press("-")
    settle(page)
    farther = {n["region"]: n["font"] for n in shown_names(page)}
    assert all(farther[n["region"]] < n["font"] for n in others), (others, farther)

    entry.click()
    settle(page)
    assert region in [n["region"] for n in shown_names(page)]


def preview_state(page) -> dict:
    return page.eval_on_selector(
        "#preview",
        "a => ({path: a.src ? new URL(a.src).pathname : '', time: a.currentTime, "
        "paused: a.paused, volume: a.volume})",
    )


def wait_preview_playing(page, song_id: int) -> None:
    """Until the song's preview sounds and the page has announced it (the announcement comes
    when play() has resolved, which can be a moment after the time starts to advance)."""
    page.wait_for_function(
        """id => { const a = document.getElementById('preview');
            const last = window.__explorer.previews.at(-1);
            return !a.paused && a.currentTime > 0 &&
                new URL(a.src).pathname === `/api/v1/songs/${id}/audio/` &&
                last && last.songId === id && last.phase === 'playing'; }""",
        arg=song_id,
        timeout=10_000,
    )


def test_resting_on_a_song_plays_its_middle_and_the_switch_is_remembered(page, analysed_catalogue):
    open_explorer(page, analysed_catalogue)
    settle(page)
    songs = on_screen_songs(page, analysed_catalogue, min_gap=30)
    assert len(songs) >= 2
    left, top = canvas_offset(page)
    first, second = songs[0], songs[1]
    page.evaluate("window.__explorer.previews = []")
    page.mouse.move(left + first["x"], top + first["y"])
    # Not at once: the pointer has to rest a moment.
    page.wait_for_timeout(200)
    assert preview_state(page)["paused"]
    wait_preview_playing(page, first["id"])
    # From the middle of the 6-second song: a 5-second snippet starts at 0.5 s, and plays.
    begun = preview_state(page)
    assert 0.45 <= begun["time"] < 2.5, begun
    page.wait_for_timeout(400)
    later = preview_state(page)
    assert later["time"] > begun["time"] + 0.2
    # It faded in (the volume rose from nothing), and the player itself is silent.
    page.wait_for_function("() => document.getElementById('preview').volume > 0.99")
    assert page.eval_on_selector("#player", "a => a.paused")
    events = page.evaluate("window.__explorer.previews")
    assert [e["phase"] for e in events][:2] == ["asked", "playing"]
    assert events[1]["songId"] == first["id"]
    screenshot(page, "galaxy-preview")

    # A second song: the first one fades out and stops, then the second plays. Never two.
    page.mouse.move(left + second["x"], top + second["y"])
    page.wait_for_function("() => document.getElementById('preview').volume < 0.95")
    wait_preview_playing(page, second["id"])
    phases = [(e["songId"], e["phase"]) for e in page.evaluate("window.__explorer.previews")]
    assert phases[2:] == [(None, "stopped"), (second["id"], "asked"), (second["id"], "playing")]
    assert page.locator("audio").count() == 2  # the player and the one preview
    assert page.eval_on_selector("#player", "a => a.paused")
    # Off the songs: it fades out.
    page.mouse.move(left + 3, top + 3)
    page.wait_for_function("() => document.getElementById('preview').paused", timeout=5000)

    # The switch turns previews off, and the page remembers it.
    page.click("#hover-sound")
    assert page.get_attribute("#hover-sound", "aria-pressed") == "false"
    page.reload()
    page.wait_for_function("() => window.__explorer && window.__explorer.ready")
    settle(page)
    assert page.get_attribute("#hover-sound", "aria-pressed") == "false"
    again = on_screen_songs(page, analysed_catalogue, min_gap=30)[0]
    page.mouse.move(left + again["x"], top + again["y"])
    page.wait_for_timeout(1500)
    assert preview_state(page)["path"] == "" and preview_state(page)["paused"]
    page.click("#hover-sound")  # on again, for the other tests of this browser
    assert page.get_attribute("#hover-sound", "aria-pressed") == "true"


def test_spatial_previews_sound_from_where_the_song_lies(page, analysed_catalogue):
    open_explorer(page, analysed_catalogue)
    settle(page)
    page.click("#spatial-sound")
    assert page.get_attribute("#spatial-sound", "aria-pressed") == "true"
    try:
        songs = on_screen_songs(page, analysed_catalogue, min_gap=30)
        width = page.locator("#map-canvas").bounding_box()["width"]
        left_song = min(songs, key=lambda s: s["x"])
        right_song = max(songs, key=lambda s: s["x"])
        assert left_song["x"] < width / 2 < right_song["x"]
        x0, y0 = canvas_offset(page)
        for song, side in ((left_song, -1), (right_song, 1)):
            page.mouse.move(x0 + song["x"], y0 + song["y"])
            wait_preview_playing(page, song["id"])
            page.wait_for_timeout(300)  # the panner glides to its place
            panner = page.evaluate("window.__explorer.panner()")
            assert panner["state"] == "running"
            assert np.sign(panner["x"]) == side and panner["z"] < 0, (song, panner)
    finally:
        page.click("#spatial-sound")
        assert page.get_attribute("#spatial-sound", "aria-pressed") == "false"


def glow_gain(page, song_ids: list[int], inner: float = 5, outer: float = 12) -> list[float]:
    """How much brighter the ring around each song is with the glows drawn than without."""
    left, top = canvas_offset(page)
    at = [page.evaluate("id => window.__explorer.project(id)", i) for i in song_ids]
    lit_frame = canvas_pixels(page)
    page.evaluate("window.__explorer.showGlows(false)")
    page.wait_for_timeout(150)
    plain = canvas_pixels(page)
    page.evaluate("window.__explorer.showGlows(true)")
    return [
        ring_mean(lit_frame, p["x"] - left, p["y"] - top, inner, outer)
        - ring_mean(plain, p["x"] - left, p["y"] - top, inner, outer)
        if p
        else 0.0
        for p in at
    ]


def test_favourites_a_playlist_and_the_history_glow_as_layers(
    _close_test_connections, signed_in, db, analysed_catalogue
):
    from django.contrib.auth.models import User

    from playlists.models import Play, Playlist
    from playlists.services import favourite_set, play_record, playlist_create
    from songs.models import Song
    from tests.explorer.conftest import committed, record_errors
    from tests.explorer.test_browser import api_json

    catalogue = analysed_catalogue
    ids = list(catalogue.songs)
    favourites, listed, played = ids[0:2], ids[4:7], ids[10:12]

    def make() -> int:
        lena = User.objects.get(username=catalogue.username)
        songs = Song.objects.in_bulk(ids)
        for i in favourites:
            favourite_set(user=lena, song=songs[i], favourite=True)
        for i in played:
            play_record(user=lena, song=songs[i], source="web", seconds_heard=5.0)
        return playlist_create(owner=lena, name="Glowing", songs=[songs[i] for i in listed]).id

    playlist = committed(make)
    page = signed_in.new_page()
    errors = record_errors(page)
    try:
        open_explorer(page, catalogue)
        settle(page)
        assert page.evaluate("window.__explorer.layers()") == {}
        others = [i for i in ids if i not in favourites + listed + played]

        page.click("#layer-favourites")
        page.wait_for_function("() => window.__explorer.layers().favourites")
        lit_up = page.evaluate("window.__explorer.layers()")
        assert {k: sorted(v) for k, v in lit_up.items()} == {"favourites": sorted(favourites)}
        settle(page)
        assert min(glow_gain(page, favourites)) > 8
        assert max(glow_gain(page, others[:4])) < 2  # the others do not glow
        screenshot(page, "galaxy-layer-favourites")

        page.select_option("#layer-playlist-choice", label="Glowing")
        page.click("#layer-playlist")
        page.wait_for_function("() => window.__explorer.layers().playlist")
        history_path = page.evaluate(
            "JSON.parse(document.getElementById('explorer-config').textContent).urls.listeningMap"
        )
        heard = api_json(page, catalogue, history_path)["songs"]
        assert set(played) <= set(heard)
        page.click("#layer-history")
        page.wait_for_function("() => window.__explorer.layers().history")
        layers = page.evaluate("window.__explorer.layers()")
        assert sorted(layers["favourites"]) == sorted(favourites)
        assert layers["playlist"] == listed  # in the playlist's order
        assert layers["history"] == [i for i in heard if i in catalogue.songs]
        settle(page)
        assert min(glow_gain(page, listed + played)) > 8
        screenshot(page, "galaxy-layers")

        # Each layer goes off on its own.
        page.click("#layer-favourites")
        page.wait_for_function("() => !window.__explorer.layers().favourites")
        assert set(page.evaluate("window.__explorer.layers()")) == {"playlist", "history"}
        assert page.get_attribute("#layer-favourites", "aria-pressed") == "false"
        page.click("#layer-playlist")
        page.click("#layer-history")
        page.wait_for_function("() => Object.keys(window.__explorer.layers()).length === 0")
    finally:
        page.close()

        def tidy() -> None:
            Playlist.objects.filter(id=playlist).delete()
            lena = User.objects.get(username=catalogue.username)
            Playlist.objects.filter(owner=lena, is_favourites=True).delete()
            Play.objects.filter(user=lena, song_id__in=played).delete()

        committed(tidy)
    assert errors == [], errors


ACCESSIBLE_NAME = """e => {
    const text = (id) => document.getElementById(id)?.textContent ?? "";
    const byIds = (ids) => ids.split(/\\s+/).map(text).join(" ");
    const label = e.id && document.querySelector(`label[for="${e.id}"]`);
    const wrapping = e.closest("label");
    const labelledBy = e.getAttribute("aria-labelledby");
    return (e.getAttribute("aria-label") || (labelledBy && byIds(labelledBy))
        || (label && label.textContent) || (wrapping && wrapping.textContent) || e.textContent
        || e.getAttribute("title") || "").trim();
}"""


def player_path(page) -> str:
    return page.eval_on_selector("#player", "a => a.src ? new URL(a.src).pathname : ''")


def test_the_keyboard_alone_finds_a_song_and_walks_its_neighbours(page, analysed_catalogue):
    open_explorer(page, analysed_catalogue)
    songs = analysed_catalogue.songs
    target = next(i for i, s in songs.items() if s["title"] == "Test Tone 330 Hz")
    # From the top of the page, Tab reaches the search box; typing and Enter select a song.
    page.keyboard.press("Tab")
    for _ in range(12):
        if page.evaluate("document.activeElement.id") == "search-input":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "search-input"
    page.keyboard.type("tone 330")
    page.wait_for_selector("#search-results li[role=option]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#panel[data-state=ready]")
    assert page.evaluate("window.__explorer.selected()") == target
    neighbours = page.locator("#neighbour-list li").evaluate_all(
        "rs => rs.map(r => Number(r.dataset.songId))"
    )
    assert len(neighbours) == 3

    # ] plays the closest song, then the next; [ goes back; the focus follows on its row.
    page.keyboard.press("Tab")  # out of the search box (where ] is typed), to the toolbar
    for expected, key in ((neighbours[0], "]"), (neighbours[1], "]"), (neighbours[0], "[")):
        page.keyboard.press(key)
        page.wait_for_function(
            "p => new URL(document.getElementById('player').src).pathname === p",
            arg=f"/api/v1/songs/{expected}/audio/",
        )
        focused = page.evaluate("document.activeElement.closest('li')?.dataset.songId")
        assert int(focused) == expected
    assert page.evaluate("window.__explorer.selected()") == target  # played, not selected
    # In the list, the arrow keys do the same, and Enter selects the song.
    page.keyboard.press("ArrowDown")
    page.wait_for_function(
        "p => new URL(document.getElementById('player').src).pathname === p",
        arg=f"/api/v1/songs/{neighbours[1]}/audio/",
    )
    page.keyboard.press("Enter")
    page.wait_for_function("id => window.__explorer.selected() === id", arg=neighbours[1])
    page.wait_for_selector("#panel[data-state=ready]")

    # Every control has a name, and the focus can be seen on each one.
    controls = page.locator(
        "#explorer button:visible, #explorer input:visible, #explorer select:visible"
    )
    names = controls.evaluate_all(f"es => es.map({ACCESSIBLE_NAME})")
    assert names and all(names), names
    for selector in ("#fit-all", "#hover-sound", "#neighbour-list .go", "#distance-slider"):
        element = page.locator(selector).first
        element.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")  # focus from the keyboard, which :focus-visible shows
        outline = element.evaluate(
            "e => document.activeElement === e && getComputedStyle(e).outlineStyle"
        )
        assert outline not in (False, "none"), (selector, outline)
    screenshot(page, "galaxy-keyboard")


def test_the_list_view_shows_the_neighbourhood_and_the_regions(page, analysed_catalogue):
    from tests.explorer.test_browser import api_json

    open_explorer(page, analysed_catalogue)
    page.focus("#list-view-toggle")
    page.keyboard.press("Enter")
    panel = page.locator("#list-view")
    panel.wait_for(state="visible")
    assert page.get_attribute("#list-view-toggle", "aria-expanded") == "true"
    # No song selected: the map's regions (its mixes), with their numbers of songs.
    mixes = api_json(page, analysed_catalogue, "/api/v1/mixes/")["results"]
    page.wait_for_selector("#list-view-songs li .go")
    assert page.locator("#list-view-songs .go").all_inner_texts() == [m["name"] for m in mixes]
    names, centres = map_regions(page, analysed_catalogue)
    counts = page.locator("#list-view-songs .value").all_inner_texts()
    assert sum(int(c.split()[0]) for c in counts) == len(analysed_catalogue.songs)
    # A region opens onto its songs; a song there is selected from the keyboard.
    page.locator("#list-view-songs .go").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#list-view-back:visible")
    detail = api_json(page, analysed_catalogue, f"/api/v1/mixes/{mixes[0]['id']}/")
    rows = page.locator("#list-view-songs li").evaluate_all(
        "rs => rs.map(r => Number(r.dataset.songId))"
    )
    assert rows == [s["id"] for s in detail["songs"]]
    page.locator("#list-view-songs .go").first.focus()
    page.keyboard.press("Enter")
    song_id = rows[0]
    page.wait_for_function("id => window.__explorer.selected() === id", arg=song_id)
    page.wait_for_selector("#panel[data-state=ready]")

    # The song selected: itself, its region, and its closest songs as the API has them.
    similar = api_json(page, analysed_catalogue, f"/api/v1/songs/{song_id}/similar/?k=3")
    page.wait_for_function(
        "n => document.querySelectorAll('#list-view-songs li').length === n", arg=4
    )
    listed = page.locator("#list-view-songs li").evaluate_all(
        "rs => rs.map(r => Number(r.dataset.songId))"
    )
    assert listed == [song_id] + [r["song"]["id"] for r in similar["results"]]
    cluster = names.index(detail["name"]) if detail["name"] in names else None
    assert cluster is not None
    assert page.inner_text("#list-view-where") == f"In the region “{detail['name']}”."
    assert page.inner_text("#list-view-title").startswith("Around ")
    # A row's play button plays that song.
    page.locator("#list-view-songs li").nth(1).locator(".play").click()
    page.wait_for_function(
        "p => new URL(document.getElementById('player').src).pathname === p",
        arg=f"/api/v1/songs/{listed[1]}/audio/",
    )
    screenshot(page, "galaxy-list-view")
    # The choice is remembered; closing it is too.
    page.reload()
    page.wait_for_function("() => window.__explorer && window.__explorer.ready")
    panel.wait_for(state="visible")
    page.click("#list-view-close")
    panel.wait_for(state="hidden")
    page.reload()
    page.wait_for_function("() => window.__explorer && window.__explorer.ready")
    assert panel.is_hidden()


def touch(cdp, kind: str, points: list[tuple[float, float]]) -> None:
    cdp.send(
        "Input.dispatchTouchEvent",
        {
            "type": kind,
            "touchPoints": [{"x": x, "y": y, "id": i} for i, (x, y) in enumerate(points)],
        },
    )


def test_the_galaxy_on_a_phone(phone, analysed_catalogue):
    open_explorer(phone, analysed_catalogue)
    settle(phone)
    # The toolbar fits the screen's width and leaves most of the map free.
    canvas = phone.locator("#map-canvas").bounding_box()
    toolbar = phone.locator(".toolbar").bounding_box()
    assert toolbar["x"] >= 0 and toolbar["x"] + toolbar["width"] <= 390
    assert toolbar["y"] + toolbar["height"] - canvas["y"] < 0.3 * canvas["height"]
    assert shown_names(phone)  # names in the sky here too

    # A long press plays a song's middle without selecting it.
    songs = on_screen_songs(phone, analysed_catalogue, min_gap=20)
    first = songs[0]
    left, top = canvas_offset(phone)
    cdp = phone.context.new_cdp_session(phone)
    touch(cdp, "touchStart", [(left + first["x"], top + first["y"])])
    phone.wait_for_timeout(800)
    touch(cdp, "touchEnd", [])
    wait_preview_playing(phone, first["id"])
    assert phone.evaluate("window.__explorer.selected()") is None
    assert phone.locator("#panel").is_hidden()

    # One finger turns the map; two fingers spread apart bring it closer.
    before = camera(phone)
    x, y = left + canvas["width"] / 2, top + canvas["height"] * 0.7
    touch(cdp, "touchStart", [(x, y)])
    for step in range(1, 6):
        touch(cdp, "touchMove", [(x - 20 * step, y)])
    touch(cdp, "touchEnd", [])
    settle(phone)
    turned = camera(phone)
    assert not np.allclose(turned["position"], before["position"], atol=1e-3)

    def reach(pose) -> float:
        return float(np.linalg.norm(np.array(pose["position"]) - pose["target"]))

    cdp.send(  # two fingers spreading apart, as Chromium's own gesture tests make them
        "Input.synthesizePinchGesture",
        {"x": x, "y": y, "scaleFactor": 2.5, "relativeSpeed": 400, "gestureSourceType": "touch"},
    )
    settle(phone)
    assert reach(camera(phone)) < reach(turned) * 0.9

    # A tap selects a song and the camera flies to it, smoothly.
    phone.click("#fit-all")
    settle(phone)
    song_id, tx, ty = clickable_song(phone, analysed_catalogue, min_gap=12)
    start = camera(phone)
    phone.evaluate("window.__explorer.recordFrames()")
    phone.touchscreen.tap(tx, ty)
    phone.wait_for_selector("#panel[data-state=ready]")
    settle(phone)
    assert phone.evaluate("window.__explorer.selected()") == song_id
    assert len(moving_positions(recorded(phone), start)) >= 6
    # Close up on a narrow screen the neighbours crowd: the names shown cover none of the others,
    # and the selected song's name is always among them.
    boxes = phone.evaluate(
        """() => [...document.querySelectorAll('#labels .label')]
            .filter((e) => !e.hidden)
            .map((e) => { const r = e.getBoundingClientRect();
                          return [r.left, r.top, r.right, r.bottom, e.matches('.selected')]; })"""
    )
    assert phone.locator("#labels .label").count() > len(boxes) >= 1  # some wait for room
    assert [box[4] for box in boxes][0]
    assert all(box[0] >= 0 and box[2] <= 390 for box in boxes)  # on the screen, not cut off
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1)
    screenshot(phone, "galaxy-phone")

    # The list view takes the screen's width.
    phone.click("#list-view-toggle")
    box = phone.locator("#list-view").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["width"] > 300
    screenshot(phone, "galaxy-phone-list")
    phone.click("#list-view-close")
