"""getScanStatus and startScan: a scan imports again the folders manage.py import_music
imported, through a real Celery worker, and adds only the files that are new."""

import time
from io import StringIO

import pytest
from django.core.management import call_command

from neuralnotes.celery import app as celery_app
from songs.models import Song, UploadBatch
from songs.services.roles import user_make_catalogue_manager
from tests.audio import write_tone
from tests.subsonic.conftest import error_code, ok, rest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def scan_status(user) -> dict:
    return ok(rest("getScanStatus", user=user))["scanStatus"]


def wait_for_scan(user, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while (status := scan_status(user))["scanning"]:
        assert time.monotonic() < deadline, "the scan did not finish"
        time.sleep(0.2)
    return status


@pytest.fixture
def imported(tmp_path):
    """A folder imported by import_music (two songs), whose analysis is not this test's: its
    messages are dropped, so the worker only runs what the scan queues."""
    library = tmp_path / "music"
    write_tone(library / "Artist" / "Album" / "01 One.wav", seconds=0.5, freq=300)
    write_tone(library / "Artist" / "Album" / "02 Two.wav", seconds=0.5, freq=400)
    call_command("import_music", str(library), stdout=StringIO())
    celery_app.control.purge()
    return library


def test_a_listener_may_read_the_status_but_not_start_a_scan(listener):
    status = scan_status(listener)

    assert status["scanning"] is False and status["count"] == 0
    assert error_code(rest("startScan", user=listener)) == 50


def test_a_scan_adds_the_new_files_of_imported_folders_once(celery_worker, imported, manager):
    write_tone(imported / "Artist" / "Album" / "03 Three.wav", seconds=0.5, freq=500)
    (imported / "Artist" / "Album" / "notes.txt").write_text("not audio")

    assert "scanStatus" in ok(rest("startScan", user=manager))
    status = wait_for_scan(manager)

    assert status["count"] == 3  # two already there, one new; the text file is not audio
    assert status["folderCount"] == 1 and status["lastScan"].endswith("Z")
    assert sorted(Song.objects.values_list("title", flat=True)) == ["One", "Three", "Two"]
    scan = UploadBatch.objects.order_by("-id").first()
    assert scan.name == str(imported.resolve()) and scan.created_by == manager
    assert [d["name"] for d in scan.duplicates] == [
        "Artist/Album/01 One.wav",
        "Artist/Album/02 Two.wav",
    ]

    ok(rest("startScan", user=manager))  # again: nothing new, nothing doubled
    assert wait_for_scan(manager)["count"] == 3
    assert Song.objects.count() == 3


def test_py_opensonic_starts_a_scan_and_reads_its_status(
    celery_worker, imported, opensonic, listener
):
    from libopensonic.errors import AuthError

    with pytest.raises(AuthError):  # error 50
        opensonic.start_scan()
    user_make_catalogue_manager(user=listener)
    write_tone(imported / "Four.wav", seconds=0.5, freq=600)

    started = opensonic.start_scan()
    deadline = time.monotonic() + 60
    while (status := opensonic.get_scan_status()).scanning:
        assert time.monotonic() < deadline
        time.sleep(0.2)

    assert isinstance(started.scanning, bool)
    assert status.count == 3
    assert Song.objects.filter(title="Four").exists()
