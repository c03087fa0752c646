"""Lyrics in a file's tags are read once at import and kept on the song, structured: ID3 USLT and
SYLT frames, Vorbis comments, LRC text as synced lines."""

import pytest
from mutagen.flac import FLAC
from mutagen.id3 import ID3, SYLT, TIT2, TPE1, USLT
from mutagen.oggvorbis import OggVorbis

from songs.models import Song
from songs.services.folders import batch_add_folder
from songs.services.ingestion import batch_create, catalogue_get_or_create, song_create_from_file
from songs.services.lyrics import lyrics_from_tags, parse_text
from tests.audio import write_tone

LRC = """[ar:Muse]
[ti:Hysteria]
[offset:+250]
[00:02.50]Grating me
[00:00.00]It's bugging me
[00:03.001]And <00:03.50>twisting me around
[00:10.00][00:20.5]Chorus twice
"""


def mp3_with_id3_lyrics(path):
    write_tone(path, seconds=1, freq=310)
    tags = ID3()
    tags.add(TIT2(encoding=3, text="Hysteria"))
    tags.add(TPE1(encoding=3, text="Muse"))
    tags.add(USLT(encoding=3, lang="eng", desc="", text="It's bugging me\r\nGrating me\r\n"))
    tags.add(
        SYLT(
            encoding=3,
            lang="deu",
            format=2,  # milliseconds
            type=1,
            desc="",
            text=[("Es nervt mich", 0), ("Zweite Zeile", 1500), ("Dritte", 3200)],
        )
    )
    tags.save(path)
    return path


def flac_with_lrc(path):
    write_tone(path, seconds=1, freq=320)
    audio = FLAC(path)
    audio["LYRICS"] = LRC
    audio.save()
    return path


def ogg_with_unsynced(path):
    write_tone(path, seconds=1, freq=330)
    audio = OggVorbis(path)
    audio["UNSYNCEDLYRICS"] = "First verse\n\nSecond verse"
    audio.save()
    return path


def import_folder(root):
    batch = batch_create(source="import", catalogue=catalogue_get_or_create())
    outcomes = batch_add_folder(batch=batch, root=root)
    assert all(o.song is not None for o in outcomes), [o.error for o in outcomes]
    return {o.name: Song.objects.get(id=o.song.id) for o in outcomes}


def test_a_folder_import_keeps_each_files_lyrics(db, tmp_path):
    mp3_with_id3_lyrics(tmp_path / "a.mp3")
    flac_with_lrc(tmp_path / "b.flac")
    ogg_with_unsynced(tmp_path / "c.ogg")
    write_tone(tmp_path / "d.flac", seconds=1, freq=340)

    songs = import_folder(tmp_path)

    uslt, sylt = songs["a.mp3"].lyrics
    assert uslt == {
        "lang": "eng",
        "synced": False,
        "offset": 0,
        "display_artist": "",
        "display_title": "",
        "lines": [{"text": "It's bugging me"}, {"text": "Grating me"}],
    }
    assert sylt["lang"] == "deu" and sylt["synced"] is True
    assert sylt["lines"] == [
        {"start_ms": 0, "text": "Es nervt mich"},
        {"start_ms": 1500, "text": "Zweite Zeile"},
        {"start_ms": 3200, "text": "Dritte"},
    ]

    (lrc,) = songs["b.flac"].lyrics
    assert lrc["synced"] is True and lrc["lang"] == "xxx"  # Vorbis comments name no language
    assert (lrc["offset"], lrc["display_artist"], lrc["display_title"]) == (250, "Muse", "Hysteria")
    assert [(line["start_ms"], line["text"]) for line in lrc["lines"]] == [
        (0, "It's bugging me"),
        (2500, "Grating me"),
        (3001, "And twisting me around"),
        (10000, "Chorus twice"),
        (20500, "Chorus twice"),
    ]

    (plain,) = songs["c.ogg"].lyrics
    assert plain["synced"] is False
    assert [line["text"] for line in plain["lines"]] == ["First verse", "", "Second verse"]

    assert songs["d.flac"].lyrics == []


def test_lrc_text_in_an_id3_uslt_frame_is_synced_in_its_language(db, tmp_path):
    path = write_tone(tmp_path / "a.mp3", seconds=1, freq=350)
    tags = ID3()
    tags.add(USLT(encoding=3, lang="FRA", desc="", text="[00:01.20]Un\n[01:02.3]Deux"))
    tags.save(path)
    batch = batch_create(source="upload", catalogue=catalogue_get_or_create())

    song, _ = song_create_from_file(path=path, original_name="a.mp3", batch=batch)

    (lyric,) = Song.objects.get(id=song.id).lyrics
    assert lyric["lang"] == "fra" and lyric["synced"] is True
    assert lyric["lines"] == [{"start_ms": 1200, "text": "Un"}, {"start_ms": 62300, "text": "Deux"}]


def test_a_broken_lyrics_tag_does_not_stop_the_import(db, tmp_path):
    path = write_tone(tmp_path / "a.mp3", seconds=1, freq=360)
    tags = ID3()
    # Timestamps in MPEG frames cannot be placed: the words are kept, unsynced.
    tags.add(SYLT(encoding=3, lang="\x00\x00\x00", format=1, type=1, desc="", text=[("x", 9)]))
    tags.add(USLT(encoding=3, lang="eng", desc="", text="   "))  # empty: no lyric
    tags.save(path)
    batch = batch_create(source="upload", catalogue=catalogue_get_or_create())

    song, created = song_create_from_file(path=path, original_name="a.mp3", batch=batch)

    assert created
    assert Song.objects.get(id=song.id).lyrics == [
        {
            "lang": "xxx",
            "synced": False,
            "offset": 0,
            "display_artist": "",
            "display_title": "",
            "lines": [{"text": "x"}],
        }
    ]


def test_a_song_imported_before_lyrics_were_read_gets_them_when_its_file_comes_again(db, tmp_path):
    path = flac_with_lrc(tmp_path / "b.flac")
    batch = batch_create(source="import", catalogue=catalogue_get_or_create())
    song, _ = song_create_from_file(path=path, original_name="b.flac", batch=batch)
    Song.objects.filter(id=song.id).update(lyrics=None)  # as the migration leaves old songs

    again, created = song_create_from_file(path=path, original_name="b.flac", batch=batch)

    assert (again.id, created) == (song.id, False)
    assert Song.objects.get(id=song.id).lyrics[0]["lines"][0]["text"] == "It's bugging me"
    # Lyrics read once are not read again: a song without lyrics stays without.
    Song.objects.filter(id=song.id).update(lyrics=[])
    song_create_from_file(path=path, original_name="b.flac", batch=batch)
    assert Song.objects.get(id=song.id).lyrics == []


@pytest.mark.parametrize(
    ("stamp", "ms"),
    [("[00:01]", 1000), ("[00:01.5]", 1500), ("[00:01.05]", 1050), ("[01:01:250]", 61250)],
)
def test_lrc_time_tags_are_minutes_seconds_and_a_fraction(stamp, ms):
    assert parse_text(f"{stamp}Line")["lines"] == [{"start_ms": ms, "text": "Line"}]


def test_text_with_brackets_that_are_not_times_is_unsynced():
    lyric = parse_text("[Chorus]\nLa la la")

    assert lyric["synced"] is False
    assert [line["text"] for line in lyric["lines"]] == ["[Chorus]", "La la la"]


def test_mp4_lyrics_atom_is_read():
    # No MP4 writer here to make a file with, so the tag object mutagen gives for one.
    from mutagen.mp4 import MP4Tags

    tags = MP4Tags()
    tags["\xa9lyr"] = ["[00:01.00]Hi\n[00:02.00]There"]

    (lyric,) = lyrics_from_tags(tags)
    assert lyric["synced"] is True
    assert lyric["lines"] == [{"start_ms": 1000, "text": "Hi"}, {"start_ms": 2000, "text": "There"}]
