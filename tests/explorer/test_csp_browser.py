"""The Content-Security-Policy in a real headless Chromium: the explorer (three.js over WebGL, its
inline import map, audio), the upload page and a playlist page work under the enforced policy with
no violation reported, and code injected into a page's markup is refused.

The pages are what is tested, not analysis: the catalogue is history tests' tones with vectors
made directly (no worker, no TensorFlow).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User

from tests.explorer.conftest import (
    AnalysedCatalogue,
    committed,
    record_errors,
    screenshot,
    served_catalogue,
)
from tests.explorer.test_browser import open_explorer
from tests.explorer.test_history_browser import make_tone_catalogue

# Every violation the page reports, and every console line about the policy, kept on the page.
WATCH_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push({
  directive: e.effectiveDirective, blocked: e.blockedURI, disposition: e.disposition,
}));
"""


@pytest.fixture(scope="module")
def analysed_catalogue(
    django_db_setup, django_db_blocker, tmp_path_factory
) -> Iterator[AnalysedCatalogue]:
    folder = tmp_path_factory.mktemp("csp-catalogue")
    with served_catalogue(django_db_blocker, lambda: make_tone_catalogue(folder)) as catalogue:
        yield catalogue


@pytest.fixture(scope="module")
def lena_manages_a_playlist(analysed_catalogue, signed_in) -> int:
    """lena may upload (a catalogue manager) and owns a playlist of three tones: its id."""
    from playlists.services import playlist_create
    from songs.models import Song
    from songs.services.roles import user_make_catalogue_manager

    def make() -> int:
        lena = user_make_catalogue_manager(user=User.objects.get(username="lena"))
        songs = list(Song.objects.filter(id__in=analysed_catalogue.songs).order_by("id")[:3])
        return playlist_create(owner=lena, name="Tones", songs=songs).id

    return committed(make)


class PolicyWatch:
    """A tab that records what the policy refused (events and console lines) and page errors."""

    def __init__(self, page) -> None:
        self.page = page
        self.console: list[str] = []
        self.errors = record_errors(page)
        page.add_init_script(WATCH_VIOLATIONS)
        page.on(
            "console",
            lambda m: self.console.append(m.text) if "Content Security Policy" in m.text else None,
        )

    def violations(self) -> list[dict]:
        return self.page.evaluate("window.__csp")

    def assert_clean(self) -> None:
        assert self.violations() == [], self.violations()
        assert self.console == [], self.console
        assert self.errors == [], self.errors


@pytest.fixture
def tab(_close_test_connections, signed_in, db, lena_manages_a_playlist) -> Iterator[PolicyWatch]:
    page = signed_in.new_page()
    yield PolicyWatch(page)
    page.close()


def enforced_policy(response) -> str:
    assert "content-security-policy-report-only" not in response.headers
    return response.headers["content-security-policy"]


def test_the_explorer_draws_and_plays_under_the_enforced_policy(tab, analysed_catalogue):
    page = tab.page
    response = page.goto(f"{analysed_catalogue.url}/explore/")
    assert "'nonce-" in enforced_policy(response)  # the import map's
    page.wait_for_function("() => window.__explorer && window.__explorer.ready", timeout=20_000)
    # The import map resolved "three", the modules ran, WebGL drew the points from the API.
    assert page.evaluate("window.__explorer.count") == len(analysed_catalogue.songs) == 8
    assert page.evaluate("!!document.getElementById('map-canvas').getContext('webgl2')")
    assert page.locator("#loading").is_hidden()
    song_id = min(analysed_catalogue.songs)
    open_explorer(page, analysed_catalogue, f"?song={song_id}")
    page.wait_for_function(
        "() => document.getElementById('player').currentTime > 0.5", timeout=10_000
    )
    assert page.locator("#neighbour-list li").count() == 3  # fetched from the API
    screenshot(page, "csp-explorer")
    tab.assert_clean()


def test_the_upload_page_uploads_under_the_enforced_policy(tab, analysed_catalogue, tmp_path):
    from tests.audio import write_tone

    page = tab.page
    enforced_policy(page.goto(f"{analysed_catalogue.url}/catalogue/upload/"))
    tone = write_tone(tmp_path / "uploaded-tone.wav", seconds=2, freq=880.0)
    page.set_input_files("#files", str(tone))
    row = page.locator("#file-list tbody tr")
    page.wait_for_selector("#file-list tbody tr[data-state]", timeout=20_000)
    assert row.get_attribute("data-state") == "done", row.inner_text()
    assert row.locator("td").nth(2).inner_text().startswith("added: ")
    assert page.locator("#batch-link a").get_attribute("href").startswith("/catalogue/batches/")
    tab.assert_clean()


def test_a_playlist_page_plays_under_the_enforced_policy(
    tab, analysed_catalogue, lena_manages_a_playlist
):
    page = tab.page
    url = f"{analysed_catalogue.url}/playlists/{lena_manages_a_playlist}/"
    enforced_policy(page.goto(url))
    assert page.locator("#entries li[data-entry]").count() == 3
    page.click("#play-in-order")
    page.wait_for_function(
        "() => document.getElementById('player').currentTime > 0.5", timeout=10_000
    )
    assert page.locator("#entries li.playing").count() == 1
    tab.assert_clean()


def test_the_api_docs_work_under_the_enforced_policy(tab, analysed_catalogue):
    page = tab.page
    assert "'nonce-" in enforced_policy(page.goto(f"{analysed_catalogue.url}/api/docs/"))
    page.wait_for_selector(".opblock", timeout=20_000)  # the schema fetched and drawn
    tab.assert_clean()


# Markup an attacker might get into a page, each trying to run script or restyle it. None may
# run; the browser must report each one.
INJECTED = """
<script>window.__pwned.push("inline script")</script>
<script nonce="bm90LXRoZS1ub25jZS1vZi10aGlzLXBhZ2U=">window.__pwned.push("guessed nonce")</script>
<script src="http://evil.example/steal.js"></script>
<img id="evil-img" src="/no-such-image.png" onerror="window.__pwned.push('event handler')">
<a id="evil-link" href="javascript:window.__pwned.push('javascript url')">x</a>
<style>#entries { display: none; }</style>
<p id="evil-style" style="display: none">styled</p>
<object data="http://evil.example/applet"></object>
"""


def test_code_injected_into_a_page_is_refused(tab, analysed_catalogue, lena_manages_a_playlist):
    page = tab.page
    url = f"{analysed_catalogue.url}/playlists/{lena_manages_a_playlist}/"

    def inject(route) -> None:
        response = route.fetch()
        body = response.text().replace("</body>", INJECTED + "</body>")
        route.fulfill(response=response, body=body)

    page.route(url, inject)
    page.add_init_script("window.__pwned = [];")
    page.goto(url)
    page.wait_for_function("() => document.getElementById('evil-img').complete")
    page.click("#evil-link")
    # eval from the page's own context (a timer's callback: playwright's evaluate itself is let
    # through by DevTools) is refused too: no 'unsafe-eval'.
    outcome = page.evaluate(
        """() => new Promise((done) => setTimeout(() => {
            try { eval('window.__pwned.push("eval")'); done("ran"); } catch (e) { done(e.name); }
        }))"""
    )
    assert outcome == "EvalError"
    page.wait_for_function("() => window.__csp.length >= 8")

    assert page.evaluate("window.__pwned") == []
    assert page.locator("#entries").is_visible()  # the injected <style> did not apply
    assert page.locator("#evil-style").is_visible()  # nor the style= attribute
    violations = tab.violations()
    assert {v["disposition"] for v in violations} == {"enforce"}
    refused = {(v["directive"], v["blocked"]) for v in violations}
    assert {
        ("script-src-elem", "inline"),  # the inline script and the guessed nonce
        ("script-src-elem", "http://evil.example/steal.js"),
        ("script-src-attr", "inline"),  # onerror=
        ("style-src-elem", "inline"),
        ("style-src-attr", "inline"),
        ("object-src", "http://evil.example"),  # reported by origin only
        ("script-src", "eval"),
    } <= refused, sorted(refused)
    # The page's own script still ran under the same policy.
    page.click("#play-in-order")
    page.wait_for_function(
        "() => document.getElementById('player').currentTime > 0.2", timeout=10_000
    )


def test_the_permissions_policy_denies_the_microphone_camera_and_location(tab, analysed_catalogue):
    page = tab.page
    response = page.goto(f"{analysed_catalogue.url}/explore/")
    assert "microphone=()" in response.headers["permissions-policy"]
    denied = ["camera", "microphone", "geolocation", "usb", "serial", "payment"]
    allowed = page.evaluate(
        "fs => fs.filter((f) => document.featurePolicy.allowsFeature(f))", denied
    )
    assert allowed == []  # without the header each would be allowed to this origin
