"""Playlists as files to take elsewhere: extended M3U (UTF-8) and JSON."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from django.urls import reverse

from playlists.models import Playlist
from playlists.selectors import playlist_entries

# Line breaks as str.splitlines() knows them (CR, LF, VT, FF, FS, GS, RS, NEL, LS, PS) and the
# other control characters: in a name or a tag they would start a line of the playlist's own.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def _one_line(text: str) -> str:
    """``text`` as one M3U line: any run of line breaks or control characters becomes a space."""
    return _CONTROL.sub(" ", text).strip()


def playlist_m3u8(playlist: Playlist, *, base_url: str) -> str:
    """Entries point at the platform's audio URLs, which need the listener's session or token."""
    lines = ["#EXTM3U", f"#PLAYLIST:{_one_line(playlist.name)}"]
    for entry in playlist_entries(playlist):
        song = entry.song
        seconds = round(song.duration_s) if song.duration_s else -1
        label = f"{song.artist} - {song.title}" if song.artist else song.title
        lines.append(f"#EXTINF:{seconds},{_one_line(label)}")
        lines.append(urljoin(base_url, reverse("songs-api:song-audio", args=[song.id])))
    return "\n".join(lines) + "\n"


def playlist_json(playlist: Playlist) -> dict:
    return {
        "name": playlist.name,
        "description": playlist.description,
        "owner": playlist.owner.username,
        "songs": [
            {
                "position": entry.position,
                "id": entry.song.id,
                "title": entry.song.title,
                "artist": entry.song.artist,
                "album": entry.song.album,
                "genre": entry.song.genre,
                "duration_s": entry.song.duration_s,
            }
            for entry in playlist_entries(playlist)
        ],
    }
