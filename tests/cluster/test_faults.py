"""Faults on separate hosts (tests/cluster/harness.py), each asserting that nothing is lost: every
song ends ready, none failed for the fault, none stuck, each result written exactly once.

Songs here are two-minute tones analysed in full (every 3-second patch), so that an analysis
lasts long enough to be cut by a fault.
"""

import itertools
import os
import sys
import time
from collections import Counter

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.audio import write_tone
from tests.cluster.harness import Cluster, netns_available

_why_not = netns_available()
if _why_not and os.environ.get("NEURALNOTES_REQUIRE_CLUSTER") != "1":
    pytest.skip(f"the cluster tests need network namespaces: {_why_not}", allow_module_level=True)

_frequencies = itertools.count(start=200, step=7)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with Cluster(
        tmp_path_factory.mktemp("cluster"),
        worker_hosts=2,
        settings={"ANALYSIS_PATCH_BUDGET": "full"},
    ) as cluster:
        yield cluster


@pytest.fixture
def tones(tmp_path):
    def make(count: int) -> list:
        return [
            write_tone(tmp_path / f"tone-{freq}.flac", seconds=120, freq=freq, sample_rate=16000)
            for freq in itertools.islice(_frequencies, count)
        ]

    return make


def upload(cluster: Cluster, paths) -> set[int]:
    response = cluster.upload(paths)
    assert response.status_code == 201, response.text
    files = response.json()["files"]
    assert all(f["created"] for f in files), files
    return {f["song"]["id"] for f in files}


def wait_for_processing(cluster: Cluster, song_ids: set[int], *, worker: str = "") -> set[int]:
    """Until some of the songs are being analysed (by ``worker``, if named); their ids."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        busy = {
            song_id
            for song_id, song in cluster.songs().items()
            if song_id in song_ids
            and song["status"] == "processing"
            and (not worker or song["claimed_by"] == worker)
        }
        if busy:
            return busy
        time.sleep(0.1)
    raise AssertionError(f"no song went into processing{' on ' + worker if worker else ''}")


def assert_nothing_lost(cluster: Cluster, song_ids: set[int]) -> None:
    songs = cluster.wait_until_settled(song_ids)
    assert Counter(s["status"] for s in songs.values()) == {"ready": len(song_ids)}, songs
    writes = cluster.analysed_writes()
    assert {song_id: writes[song_id] for song_id in song_ids} == dict.fromkeys(song_ids, 1)


def test_a_worker_host_killed_mid_analysis_loses_nothing(cluster, tones):
    song_ids = upload(cluster, tones(10))
    doomed = wait_for_processing(cluster, song_ids, worker="celery@worker1")
    cluster.hosts["worker1"].kill()
    killed_at = time.monotonic()
    in_flight = {
        song_id
        for song_id, song in cluster.songs().items()
        if song_id in doomed and song["claimed_by"] == "celery@worker1"
    }
    assert in_flight, "the kill came after worker1 had finished its song"

    # The sweep finds worker1 silent and hands its songs on to worker2.
    deadline = killed_at + 120
    while time.monotonic() < deadline:
        songs = cluster.songs()
        if all(songs[song_id]["claimed_by"] != "celery@worker1" for song_id in in_flight):
            break
        time.sleep(0.2)
    takeover_s = time.monotonic() - killed_at
    print(f"\nworker host killed: its {len(in_flight)} song(s) taken over in {takeover_s:.1f} s")
    assert takeover_s < 60

    assert_nothing_lost(cluster, song_ids)
    songs = cluster.songs()
    assert all(songs[song_id]["attempts"] == 2 for song_id in in_flight)

    cluster.start_worker("worker1")
    cluster.wait_ready(workers=2)


def test_the_database_unreachable_for_15_s(cluster, tones):
    song_ids = upload(cluster, tones(8))
    wait_for_processing(cluster, song_ids)
    db = cluster.hosts["db"]
    db.link(up=False)
    cut_at = time.monotonic()
    answers: Counter = Counter()
    try:
        while time.monotonic() - cut_at < 15:
            api = cluster.api("GET", "/api/v1/songs/", timeout=30)
            page = requests.get(
                f"{cluster.web_url}/explore/", cookies={"sessionid": "a" * 32}, timeout=30
            )
            answers[("api", api.status_code)] += 1
            answers[("page", page.status_code)] += 1
            if api.status_code == 503:
                assert api.json()["error"]["code"] == "service_unavailable"
                assert api.headers["Retry-After"]
            if page.status_code == 503:
                assert "temporarily unavailable" in page.text
    finally:
        db.link(up=True)
    restored_at = time.monotonic()
    print(f"\nduring the database outage: {dict(answers)}")
    assert answers[("api", 503)] and answers[("page", 503)]
    assert not {status for _, status in answers if status >= 500} - {503}

    # The web recovers by itself: no restart.
    while cluster.api("GET", "/api/v1/songs/", timeout=30).status_code != 200:
        assert time.monotonic() - restored_at < 60
        time.sleep(0.5)
    print(f"web answering again {time.monotonic() - restored_at:.1f} s after the database")

    assert_nothing_lost(cluster, song_ids)
    retried = [
        entry
        for name in cluster.worker_names
        for entry in cluster.hosts[name].log_events("service unreachable, analysis retried")
        if entry["song_id"] in song_ids
    ]
    assert retried, "no analysis met the outage"


def test_metrics_sum_the_web_processes_and_count_the_outage_s_retries(cluster):
    for _ in range(6):  # spread over both gunicorn processes
        assert cluster.api("GET", "/api/v1/songs/").status_code == 200
    assert requests.get(f"{cluster.web_url}/metrics", timeout=30).status_code == 403
    response = requests.get(
        f"{cluster.web_url}/metrics",
        headers={"Authorization": f"Bearer {cluster.metrics_token}"},
        timeout=30,
    )
    assert response.status_code == 200
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }
    songs_route = ("method", "GET"), ("route", "api/v1/songs/")
    assert samples[("neuralnotes_http_requests_total", (*songs_route, ("status", "2xx")))] >= 6
    assert samples[("neuralnotes_http_requests_total", (*songs_route, ("status", "5xx")))] >= 1
    ready = Counter(s["status"] for s in cluster.songs().values())["ready"]
    assert samples[("neuralnotes_songs", (("state", "ready"),))] == ready
    assert samples[("neuralnotes_broker_up", ())] == 1
    retries = ("neuralnotes_task_retries_total", (("task", "songs.tasks.analyse_song"),))
    assert samples[retries] >= 1


def test_a_restarted_broker_forgets_no_queued_song(cluster, tones):
    song_ids = upload(cluster, tones(10))
    wait_for_processing(cluster, song_ids)
    cluster.restart_broker()  # Redis keeps nothing on disk here: every queued message is gone
    assert_nothing_lost(cluster, song_ids)


def test_with_the_storage_unreachable_uploads_are_refused_whole(cluster, tones):
    (path,) = tones(1)
    before = set(cluster.songs())
    storage = cluster.hosts["storage"]
    storage.link(up=False)
    try:
        started = time.monotonic()
        response = cluster.upload([path])
        refused_in = time.monotonic() - started
    finally:
        storage.link(up=True)
    print(f"\nupload refused in {refused_in:.1f} s")
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "storage_unavailable"
    assert f"{path.name} was not stored" in error["message"]
    assert set(cluster.songs()) == before  # no song without its audio

    (song_id,) = upload(cluster, [path])  # the same file, once the storage is back
    assert_nothing_lost(cluster, {song_id})


DUPLICATES = """
import sys
from pathlib import Path
from songs.models import UploadBatch
from songs.services.ingestion import batch_create, catalogue_get_or_create, song_create_from_file
from songs.tasks import analyse_song
batch = batch_create(source=UploadBatch.Source.IMPORT, catalogue=catalogue_get_or_create())
song, _ = song_create_from_file(path=Path(sys.argv[-1]), original_name="dup.flac", batch=batch)
# The same message delivered twice more (as a broker may after a lost acknowledgement).
analyse_song.apply_async(args=[song.id], task_id="duplicate-delivery")
analyse_song.apply_async(args=[song.id], task_id="duplicate-delivery")
print(song.id)
"""


def test_the_same_song_delivered_to_two_workers_gives_one_result(cluster, tones):
    (path,) = tones(1)
    web = cluster.hosts["web"]
    out = web.run(
        [sys.executable, "-c", "import django; django.setup()\n" + DUPLICATES, str(path)],
        env=cluster.django_env(web),
    )
    song_id = int(out.split()[-1])
    assert_nothing_lost(cluster, {song_id})
    failures = [
        entry
        for name in cluster.worker_names
        for entry in cluster.hosts[name].log_events("task failed")
        if song_id in entry.get("task_args", [])
    ]
    assert failures == []
    assert cluster.songs()[song_id]["attempts"] == 1
    # The one write's log line names its song and the task that wrote it.
    (written,) = [
        entry
        for name in cluster.worker_names
        for entry in cluster.hosts[name].log_events("song analysed")
        if entry["song_id"] == song_id
    ]
    assert written["task_id"]
