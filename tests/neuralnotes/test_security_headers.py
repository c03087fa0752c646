"""The Content-Security-Policy and Permissions-Policy headers, and what every HTML page must look
like to work under them: no inline script, style or handler without the response's nonce.
(tests/explorer/test_csp_browser.py shows the pages working under the policy in Chromium.)"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from playlists.services import playlist_create
from songs.models import Song, UploadBatch
from songs.services.ingestion import batch_create, catalogue_get_or_create
from tests.factories import make_song
from tests.neuralnotes.test_settings import PRODUCTION_ENV
from tests.processes import run_django

# Script types the browser runs; a data block (application/json) is never run, so CSP ignores it.
RUN_TYPES = {"", "text/javascript", "module", "importmap"}


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


class InlineCode(HTMLParser):
    """What in a page would need 'unsafe-inline': inline scripts and styles (with their nonce, or
    None), ``style=`` attributes and ``on…=`` handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[tuple[str, str | None]] = []  # (tag, nonce)
        self.attributes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        runs = (values.get("type") or "").lower() in RUN_TYPES
        if (tag == "script" and runs and "src" not in values) or tag == "style":
            self.blocks.append((tag, values.get("nonce")))
        for name, _ in attrs:
            if name == "style" or name.startswith("on"):
                self.attributes.append(f"<{tag} {name}=…>")


def inline_code(html: str) -> InlineCode:
    parser = InlineCode()
    parser.feed(html)
    return parser


def assert_enforced_policy(response) -> dict[str, list[str]]:
    assert "Content-Security-Policy-Report-Only" not in response.headers
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    for name in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in policy[name] and "'unsafe-eval'" not in policy[name]
        assert "*" not in policy[name] and "data:" not in policy[name]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["media-src"] == ["'self'"]
    return policy


@pytest.fixture
def pages(admin_user, client) -> dict[str, str]:
    """Every kind of HTML page a signed-in administrator can open (they see them all)."""
    playlist = playlist_create(owner=admin_user, name="Evening")
    batch = batch_create(source=UploadBatch.Source.WEB, catalogue=catalogue_get_or_create())
    client.force_login(admin_user)
    return {
        "explorer": reverse("explorer:explore"),
        "mixes": reverse("explorer:mixes"),
        "playlists": reverse("playlists:list"),
        "playlist": reverse("playlists:detail", args=[playlist.pk]),
        "history": reverse("playlists:history"),
        "catalogue": reverse("songs:overview"),
        "upload": reverse("songs:upload"),
        "batch": reverse("songs:batch", args=[batch.pk]),
        "duplicates": reverse("songs:duplicates"),
        "account": reverse("account"),
        "password": reverse("password_change"),
        "operations": reverse("operations"),
        "admin": reverse("admin:index"),
        "admin songs": reverse("admin:songs_song_changelist"),
        "api docs": reverse("api-docs"),
        "not found": "/no-such-page/",
    }


def test_every_html_page_has_an_enforced_policy_and_no_inline_code_without_its_nonce(client, pages):
    for name, path in pages.items():
        response = client.get(path)
        assert response.status_code in (200, 404), (name, response.status_code)
        assert response["Content-Type"].startswith("text/html"), name
        policy = assert_enforced_policy(response)
        found = inline_code(response.content.decode())
        assert found.attributes == [], (name, found.attributes)
        if found.blocks:
            # One nonce per response, in both directives, on every inline block.
            nonce = re.search(r"'nonce-([A-Za-z0-9+/=]{20,})'", str(policy)).group(1)
            assert f"'nonce-{nonce}'" in policy["script-src"], name
            assert f"'nonce-{nonce}'" in policy["style-src"], name
            assert {n for _, n in found.blocks} == {nonce}, (name, found.blocks)


def test_the_admin_shows_a_spectrogram_from_this_server_without_a_style_attribute(
    client, admin_user
):
    # The storage's URL would be another origin on S3 (refused by img-src), and a style=
    # attribute is refused by style-src.
    song = make_song(1, Song.Status.READY, spectrogram="spectrograms/1.png")
    client.force_login(admin_user)
    response = client.get(reverse("admin:songs_song_change", args=[song.pk]))
    src = reverse("songs-api:song-spectrogram", args=[song.pk])
    assert f'<img src="{src}" alt="spectrogram" class="spectrogram">' in response.content.decode()
    assert inline_code(response.content.decode()).attributes == []


def test_the_signed_out_pages_have_the_policy_too(client, db):
    for path in (reverse("login"), "/no-such-page/"):
        response = client.get(path)
        assert_enforced_policy(response)
        assert inline_code(response.content.decode()).blocks == []


def test_the_explorers_import_map_carries_a_fresh_nonce_on_every_response(client, listener):
    client.force_login(listener)
    nonces = []
    for _ in range(2):
        response = client.get(reverse("explorer:explore"))
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
        assert f'<script type="importmap" nonce="{nonce}">' in response.content.decode()
        assert f"'nonce-{nonce}'" in directives(response["Content-Security-Policy"])["script-src"]
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_a_page_without_inline_code_names_no_nonce(client, listener):
    client.force_login(listener)
    response = client.get(reverse("playlists:list"))
    assert "nonce-" not in response["Content-Security-Policy"]


def test_permissions_policy_denies_the_devices_and_sensors_the_site_never_uses(client, listener):
    client.force_login(listener)
    for path in (reverse("explorer:explore"), "/api/v1/songs/", reverse("login")):
        header = client.get(path)["Permissions-Policy"]
        features = dict(item.strip().split("=", 1) for item in header.split(","))
        # The browser never records: query by example uploads a file, it has no getUserMedia.
        for feature in ("camera", "microphone", "geolocation", "usb", "payment", "display-capture"):
            assert features[feature] == "()", (path, feature)


PRODUCTION_HEADERS = """
import json
from django.test import Client, override_settings
storages = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
with override_settings(STORAGES=storages):
    response = Client().get("/healthz", secure=True, HTTP_HOST="music.example.org")
print(json.dumps({"status": response.status_code, **response.headers}))
"""


def test_production_answers_carry_every_security_header():
    result = run_django(PRODUCTION_HEADERS, **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    headers = json.loads(result.stdout.strip().splitlines()[-1])
    assert headers["status"] == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "camera=()" in headers["Permissions-Policy"]
