"""Lyrics: Subsonic's getLyrics (one text, found by artist and title) and OpenSubsonic's
getLyricsBySongId (the songLyrics extension: every lyric of a song, synced lines with their
start times in ms).

Both serve what the import read from the files' tags (songs.services.lyrics); nothing is looked
up elsewhere, so a song whose file has no lyrics has none here.
"""

from __future__ import annotations

from songs.models import Song
from songs.services.lyrics import plain_text
from subsonic.library import library_songs, song_by_id
from subsonic.registry import Call, endpoint


def _with_lyrics():
    return library_songs().exclude(lyrics__isnull=True).exclude(lyrics=[])


@endpoint("getLyrics")
def get_lyrics(call: Call) -> dict:
    """The first song with lyrics whose artist and title (each optional, compared without case)
    match; its unsynced lyrics if it has some, else the words of its synced ones. Nothing found
    is an empty lyrics element, as Subsonic answers, not an error."""
    artist = call.params.get("artist") or ""
    title = call.params.get("title") or ""
    if not artist and not title:
        return {"lyrics": {"value": ""}}
    songs = _with_lyrics()
    if artist:
        songs = songs.filter(artist__iexact=artist)
    if title:
        songs = songs.filter(title__iexact=title)
    song = songs.only("id", "artist", "title", "lyrics").order_by("id").first()
    if song is None:
        return {"lyrics": {"value": ""}}
    lyric = next((lyric for lyric in song.lyrics if not lyric["synced"]), song.lyrics[0])
    return {"lyrics": {"artist": song.artist, "title": song.title, "value": plain_text(lyric)}}


def structured_lyrics(song: Song, lyric: dict) -> dict:
    """One stored lyric as OpenSubsonic's structuredLyrics: ``start`` only on synced lines, the
    display artist and title from the lyric (an LRC [ar:]/[ti:] tag) else the song's."""
    return {
        "displayArtist": lyric.get("display_artist") or song.artist or None,
        "displayTitle": lyric.get("display_title") or song.title,
        "lang": lyric["lang"],
        "offset": lyric.get("offset", 0),
        "synced": lyric["synced"],
        "line": [
            {"start": line["start_ms"], "value": line["text"]}
            if lyric["synced"]
            else {"value": line["text"]}
            for line in lyric["lines"]
        ],
    }


@endpoint("getLyricsBySongId")
def get_lyrics_by_song_id(call: Call) -> dict:
    """Every lyric of the song, in the order its tags hold them; an empty list when it has none,
    error 70 for a song that is not in the library."""
    song = song_by_id(call.params.required("id"))
    lyrics = [structured_lyrics(song, lyric) for lyric in song.lyrics or []]
    return {"lyricsList": {"structuredLyrics": lyrics}}
