"""getLyrics and getLyricsBySongId (songLyrics) serve the lyrics the import read from the file's
tags: the classic text found by artist and title, and every lyric of a song by its id, synced
lines with their start in ms, in JSON and XML alike."""

import pytest
from mutagen.id3 import ID3, SYLT, USLT

from songs.models import Song
from songs.services.ingestion import batch_create, catalogue_get_or_create, song_create_from_file
from tests.audio import write_tone
from tests.subsonic.conftest import NS, error_code, ok, rest, rest_xml

UNSYNCED = "It's bugging me\nGrating me\nAnd twisting me around"
SYNCED = [("It's bugging me", 0), ("Grating me", 2000), ("And twisting me around", 3001)]


def ready_song(path, **fields) -> Song:
    batch = batch_create(source="api", catalogue=catalogue_get_or_create())
    song, _ = song_create_from_file(path=path, original_name=path.name, batch=batch)
    Song.objects.filter(id=song.id).update(status=Song.Status.READY, **fields)
    return Song.objects.get(id=song.id)


@pytest.fixture
def hysteria(db, tmp_path) -> Song:
    """An MP3 whose ID3 tag holds the same words unsynced (USLT) and synced in ms (SYLT)."""
    path = write_tone(tmp_path / "hysteria.mp3", seconds=1, freq=410)
    tags = ID3()
    tags.add(USLT(encoding=3, lang="eng", desc="", text=UNSYNCED))
    tags.add(SYLT(encoding=3, lang="eng", format=2, type=1, desc="", text=SYNCED))
    tags.save(path)
    return ready_song(path, artist="Muse", title="Hysteria")


@pytest.fixture
def silent(db, tmp_path) -> Song:
    return ready_song(write_tone(tmp_path / "quiet.flac", seconds=1, freq=420), title="Quiet")


def test_lyrics_by_song_id_in_json(listener, hysteria):
    body = ok(rest("getLyricsBySongId", user=listener, id=str(hysteria.id)))

    unsynced, synced = body["lyricsList"]["structuredLyrics"]
    assert unsynced == {
        "displayArtist": "Muse",
        "displayTitle": "Hysteria",
        "lang": "eng",
        "offset": 0,
        "synced": False,
        "line": [{"value": text} for text in UNSYNCED.split("\n")],
    }
    assert synced["synced"] is True
    assert synced["line"] == [{"start": start, "value": text} for text, start in SYNCED]


def test_lyrics_by_song_id_in_xml(listener, hysteria):
    root = rest_xml("getLyricsBySongId", user=listener, id=str(hysteria.id))

    lyrics = root.find(f"{NS}lyricsList").findall(f"{NS}structuredLyrics")
    assert [(e.get("lang"), e.get("synced"), e.get("displayTitle")) for e in lyrics] == [
        ("eng", "false", "Hysteria"),
        ("eng", "true", "Hysteria"),
    ]
    unsynced_lines = lyrics[0].findall(f"{NS}line")
    assert [line.text for line in unsynced_lines] == UNSYNCED.split("\n")
    assert all(line.get("start") is None for line in unsynced_lines)
    assert [(line.text, int(line.get("start"))) for line in lyrics[1].findall(f"{NS}line")] == (
        SYNCED
    )


def test_a_song_without_lyrics_has_an_empty_list_and_an_unknown_one_is_70(listener, silent):
    body = ok(rest("getLyricsBySongId", user=listener, id=str(silent.id)))
    assert body["lyricsList"] == {"structuredLyrics": []}

    assert error_code(rest("getLyricsBySongId", user=listener, id="999999")) == 70
    assert error_code(rest("getLyricsBySongId", user=listener, id="ar-x")) == 70
    assert error_code(rest("getLyricsBySongId", user=listener)) == 10
    Song.objects.filter(id=silent.id).update(status=Song.Status.PENDING)  # not in the library
    assert error_code(rest("getLyricsBySongId", user=listener, id=str(silent.id))) == 70


def test_get_lyrics_finds_the_song_by_artist_and_title_without_case(listener, hysteria, silent):
    body = ok(rest("getLyrics", user=listener, artist="muse", title="HYSTERIA"))
    assert body["lyrics"] == {"artist": "Muse", "title": "Hysteria", "value": UNSYNCED}

    root = rest_xml("getLyrics", user=listener, artist="Muse", title="Hysteria")
    element = root.find(f"{NS}lyrics")
    assert (element.get("artist"), element.get("title"), element.text) == (
        "Muse",
        "Hysteria",
        UNSYNCED,
    )


@pytest.mark.parametrize(
    "params", [{"artist": "Muse", "title": "Uprising"}, {"title": "Quiet"}, {}]
)
def test_get_lyrics_without_a_match_is_an_empty_lyrics_element(listener, hysteria, silent, params):
    body = ok(rest("getLyrics", user=listener, **params))
    assert body["lyrics"] == {"value": ""}

    root = rest_xml("getLyrics", user=listener, **params)
    element = root.find(f"{NS}lyrics")
    assert element is not None and not element.text and not element.attrib


def test_get_lyrics_of_a_song_with_only_synced_lyrics_gives_their_words(listener, tmp_path):
    path = write_tone(tmp_path / "only.mp3", seconds=1, freq=430)
    tags = ID3()
    tags.add(SYLT(encoding=3, lang="eng", format=2, type=1, desc="", text=SYNCED))
    tags.save(path)
    ready_song(path, artist="Muse", title="Synced")

    body = ok(rest("getLyrics", user=listener, artist="Muse", title="Synced"))

    assert body["lyrics"]["value"] == "\n".join(text for text, _ in SYNCED)


def test_lrc_offset_and_names_reach_the_answer(listener, tmp_path):
    from mutagen.flac import FLAC

    path = write_tone(tmp_path / "lrc.flac", seconds=1, freq=440)
    audio = FLAC(path)
    audio["LYRICS"] = "[ar:MUSE]\n[ti:Hysteria (live)]\n[offset:-100]\n[00:01.50]One"
    audio.save()
    song = ready_song(path, artist="Muse", title="Hysteria")

    (lyric,) = ok(rest("getLyricsBySongId", user=listener, id=str(song.id)))["lyricsList"][
        "structuredLyrics"
    ]

    assert lyric == {
        "displayArtist": "MUSE",
        "displayTitle": "Hysteria (live)",
        "lang": "xxx",
        "offset": -100,
        "synced": True,
        "line": [{"start": 1500, "value": "One"}],
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_py_opensonic_reads_the_lyrics(opensonic, hysteria, silent):
    extensions = {e.name: e.versions for e in opensonic.get_open_subsonic_extensions()}
    structured = opensonic.get_lyrics_by_song_id(str(hysteria.id))
    classic = opensonic.get_lyrics(artist="Muse", title="Hysteria")
    none = opensonic.get_lyrics_by_song_id(str(silent.id))
    nothing = opensonic.get_lyrics(artist="Nobody", title="Nothing")

    assert extensions["songLyrics"] == [1]
    unsynced, synced = structured
    assert (unsynced.synced, unsynced.lang, unsynced.display_title) == (False, "eng", "Hysteria")
    assert [line.value for line in unsynced.line] == UNSYNCED.split("\n")
    assert all(line.start is None for line in unsynced.line)
    assert synced.synced is True and synced.offset == 0
    assert [(line.value, line.start) for line in synced.line] == SYNCED
    assert (classic.artist, classic.title, classic.value) == ("Muse", "Hysteria", UNSYNCED)
    assert none == []
    assert nothing.value == ""
