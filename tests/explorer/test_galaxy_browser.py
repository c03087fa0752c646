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
    # The curve backs off between the two songs: some frame is farther from what it looks at.
    reach = [np.linalg.norm(np.array(f["position"]) - f["target"]) for f in recorded(page)]
    ends = max(
        np.linalg.norm(np.array(at_first["position"]) - at_first["target"]),
        np.linalg.norm(np.array(at_second["position"]) - at_second["target"]),
    )
    assert max(reach) > ends * 1.05

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
                    font: parseFloat(e.style.fontSize)}; })"""
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
