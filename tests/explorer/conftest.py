"""Fixtures for the explorer's browser tests: a catalogue of real analysed songs shared by a
module, a live server over it, and a signed-in headless Chromium.

pytest-django's ``live_server`` makes every test that uses it transactional, and the database is
emptied after each one: a catalogue analysed by a real worker would have to be made again for
every test. Here the module makes it once, serves it with its own live server thread, and at
the end empties the database and puts back what the migrations had written, as Django's
serialized rollback does.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection, connections

from neuralnotes.celery import app as celery_app
from tests.conftest import PASSWORD
from tests.explorer.probe import install_probe

T = TypeVar("T")

BASE_DIR = Path(__file__).resolve().parent.parent.parent
ARTIFACTS = BASE_DIR / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    # The player starts from a click in real use; tests also open songs from an address.
    "--autoplay-policy=no-user-gesture-required",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@dataclass(frozen=True)
class AnalysedCatalogue:
    url: str  # the live server's root, no trailing slash
    username: str
    songs: dict[int, dict]  # id -> {"title", "artist", "genre"}


def wait_until_analysed(song_ids: list[int], timeout: float = 120) -> None:
    from songs.models import Song

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = dict(Song.objects.filter(id__in=song_ids).values_list("id", "status"))
        if all(s in (Song.Status.READY, Song.Status.FAILED) for s in states.values()):
            failed = Song.objects.filter(id__in=song_ids, status=Song.Status.FAILED)
            assert not failed.exists(), [(s.title, s.error) for s in failed]
            return
        time.sleep(0.2)
    raise AssertionError(f"songs still being analysed after {timeout} s: {states}")


def make_catalogue(folder: Path) -> list[int]:
    """Two demo songs of each of the ten demo styles plus two tones without a genre, imported,
    analysed by a real Celery worker, and laid out on a map."""
    from celery.contrib.testing.worker import start_worker

    from explorer.services import map_build
    from songs.demo_catalogue import render_demo_catalogue
    from songs.models import UploadBatch
    from songs.services.ingestion import (
        SongMetadata,
        batch_add_file,
        batch_create,
        catalogue_get_or_create,
    )
    from tests.audio import write_tone

    files = [
        (song.path, SongMetadata(title=song.title, artist=song.artist, genre=song.genre))
        for song in render_demo_catalogue(folder, songs_per_style=2, seconds=6)
    ]
    for i, freq in enumerate((330.0, 523.0)):
        path = write_tone(folder / f"tone-{i}.flac", seconds=6, freq=freq)
        files.append((path, SongMetadata(title=f"Test Tone {freq:.0f} Hz", artist="Oscillator")))
    batch = batch_create(source=UploadBatch.Source.IMPORT, catalogue=catalogue_get_or_create())
    celery_app.control.purge()  # messages an earlier test queued are not ours
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        ids = [
            batch_add_file(batch=batch, path=path, original_name=path.name, metadata=meta).song.id
            for path, meta in files
        ]
        wait_until_analysed(ids)
    # Every test before this one that inserted vectors and rolled back left dead entries in the
    # HNSW graphs. With a couple of dozen live songs among thousands of dead ones the approximate
    # search can miss true neighbours (the page's k=5 list then starts with a song its k=3 list
    # lacked); a real catalogue is vacuumed. Rebuild the graphs from the live rows.
    with connection.cursor() as cursor:
        cursor.execute("REINDEX INDEX backbone_vector_hnsw")
        cursor.execute("REINDEX INDEX head_vector_hnsw")
    map_build(seed=0)
    return ids


@contextlib.contextmanager
def served_catalogue(
    django_db_blocker, make: Callable[[], list[int]]
) -> Iterator[AnalysedCatalogue]:
    """The life of a module's catalogue: ``make()`` writes its songs and returns their ids, the
    listener "lena" is added, a live server thread serves it; afterwards the database is emptied
    and what the migrations had written is put back. Modules that need other songs override
    ``analysed_catalogue`` with this and their own ``make``."""
    from pytest_django.live_server_helper import LiveServer

    from songs.models import Song

    with django_db_blocker.unblock():
        # pytest-django creates the test database only for tests that ask for one (the `page`
        # fixture asks for `db`); without it this would empty the server's default database.
        assert connection.settings_dict["NAME"].startswith("test_"), connection.settings_dict
        # What the migrations wrote (groups, permissions), to put back afterwards.
        before = connection.creation.serialize_db_to_string()
        server = None
        try:
            ids = make()
            User.objects.create_user("lena", password=PASSWORD)
            server = LiveServer("localhost")
            songs = {
                s["id"]: s
                for s in Song.objects.filter(id__in=ids).values("id", "title", "artist", "genre")
            }
            yield AnalysedCatalogue(url=server.url, username="lena", songs=songs)
        finally:
            if server is not None:
                server.stop()
            call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True)
            connection.creation.deserialize_db_from_string(before)


@pytest.fixture(scope="module")
def analysed_catalogue(
    django_db_setup, django_db_blocker, tmp_path_factory
) -> Iterator[AnalysedCatalogue]:
    folder = tmp_path_factory.mktemp("explorer-catalogue")
    with served_catalogue(django_db_blocker, lambda: make_catalogue(folder)) as catalogue:
        yield catalogue


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by playwright (which cannot download its own browser here).
    A missing Chromium fails the tests: they must run wherever the suite does."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the explorer's browser tests need Debian's chromium "
            "(apt-get install chromium)."
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread, which makes Django refuse the
    # ORM here; the tests' own queries are plain synchronous ones, so that refusal is moot.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def sign_in(page, catalogue: AnalysedCatalogue, next_path: str = "/explore/") -> None:
    """Through the real sign-in form, as a listener would."""
    page.goto(f"{catalogue.url}/accounts/login/?next={next_path}")
    page.fill("input[name=username]", catalogue.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{catalogue.url}{next_path}")


@pytest.fixture(scope="module")
def signed_in(analysed_catalogue, browser):
    """A browser context (cookies) signed in once through the form, shared by the module.

    The catalogue comes first (argument order): it is made before, and emptied after, the
    browser's event loop runs. While that loop runs, Django keeps this thread's database
    connections apart from those it keeps without it (asgiref's Local), so the same phase must
    open and close them."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    install_probe(context)  # window.__explorer, which the page itself does not ship
    page = context.new_page()
    sign_in(page, analysed_catalogue)
    page.close()
    yield context
    context.close()


def record_errors(page) -> list[str]:
    """Errors the page throws or logs, collected as they happen. (The site has no favicon yet;
    the browser's request for one is not the page's error.)"""
    errors: list[str] = []

    def console(message) -> None:
        url = message.location.get("url", "")
        if message.type == "error" and not url.endswith("/favicon.ico"):
            errors.append(f"console: {message.text} ({url})")

    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.on("console", console)
    return errors


@pytest.fixture
def _close_test_connections():
    """Close the database connection a test opened while the browser's event loop ran; nothing
    else would (see ``signed_in``). Set up before ``db``, so it runs after ``db`` rolls back."""
    yield
    connections.close_all()


@pytest.fixture
def page(_close_test_connections, signed_in, db):
    """A fresh tab in the signed-in context; an error the page throws or logs fails the test.
    (``db`` makes pytest-django create the test database; the tests only read from it.)"""
    page = signed_in.new_page()
    errors = record_errors(page)
    yield page
    page.close()
    assert errors == [], errors


@pytest.fixture
def phone(_close_test_connections, signed_in, db):
    """A tab of a phone (narrow, touch, dense pixels) signed in like ``page``; an error the page
    throws or logs fails the test."""
    context = signed_in.browser.new_context(
        storage_state=signed_in.storage_state(),
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    install_probe(context)
    page = context.new_page()
    errors = record_errors(page)
    yield page
    context.close()
    assert errors == [], errors


def committed(work: Callable[[], T]) -> T:
    """Run ``work`` on a thread of its own and return its result. Its writes are committed, so
    the live server sees them: the test's own connection is inside the ``db`` fixture's
    transaction, which the server's connection cannot see."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed to the test's thread
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def screenshot(page, name: str, **options) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"explorer-{name}.png"
    page.screenshot(path=str(path), **options)
    return path
