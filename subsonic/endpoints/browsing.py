"""Browsing the library: music folders (catalogues), the artist index, directories, artists,
albums, genres, and what the embedding space says about an artist (its similar artists).

Artists and albums are not rows of their own but groups of songs (subsonic.library), so each
call reads them as a handful of grouped queries, never one query per artist or album.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from django.db.models import Case, Count, F, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import MD5, Coalesce, Lower

from playlists.models import LibraryStar, Play
from playlists.selectors import library_stars
from songs.library_version import library_version
from songs.models import Catalogue, Song
from songs.selectors.similarity import artists_similar_to
from subsonic.library import (
    ALBUM_PREFIX,
    ARTIST_PREFIX,
    UNKNOWN_ARTIST,
    album_payload,
    albums,
    artist_folder,
    artist_payload,
    artists,
    child_songs,
    index_letter,
    key_from_id,
    library_songs,
    song_children,
)
from subsonic.name_index import folder_artists
from subsonic.protocol import SubsonicError
from subsonic.registry import Call, endpoint

MAX_COUNT = 500


def effective_genre():
    """A song's genre as clients see it: the label someone gave, else the predicted one."""
    return Case(When(genre="", then=F("predicted_genre")), default=F("genre"))


def music_folder(call: Call) -> int | None:
    """The music folder (catalogue) the call names, or None for the whole library."""
    folder = call.params.integer("musicFolderId")
    if folder is not None and not Catalogue.objects.filter(id=folder).exists():
        raise SubsonicError(SubsonicError.NOT_FOUND, "Music folder not found.")
    return folder


def folder_songs(call: Call) -> QuerySet[Song]:
    """The library, or one music folder (catalogue) of it when the call names one."""
    return library_songs(music_folder(call))


def album_child(row: dict, *, starred: datetime | None = None) -> dict:
    """An album row (library.albums()) as the spec's Child with isDir, as the folder-based calls
    (getMusicDirectory, getAlbumList, search2) show albums. Child has neither name nor
    songCount (AlbumID3's): the name is the title."""
    album = album_payload(row, starred=starred)
    return {
        "id": album["id"],
        "parent": album["artistId"],
        "isDir": True,
        "title": album["name"],
        "album": album["name"],
        "artist": album["artist"],
        "year": album["year"],
        "genre": album["genre"],
        "coverArt": album["coverArt"],
        "duration": album["duration"],
        "created": album["created"],
        "starred": album.get("starred"),
        "artistId": album["artistId"],
        "albumId": album["id"],
        "type": "music",
        "mediaType": "album",
        "isVideo": False,
    }


def ordered_albums(rows: QuerySet) -> QuerySet:
    return rows.order_by("year", "name", "album_key")


def artist_row(raw: str) -> dict:
    row = artists(library_songs().filter(artist_key=key_from_id(raw, ARTIST_PREFIX, "Artist")))
    found = row.first()
    if found is None:
        raise SubsonicError(SubsonicError.NOT_FOUND, "Artist not found.")
    return found


def album_row(raw: str) -> dict:
    key = key_from_id(raw, ALBUM_PREFIX, "Album")
    found = albums(library_songs().filter(album_key=key)).order_by("album_key").first()
    if found is None:
        raise SubsonicError(SubsonicError.NOT_FOUND, "Album not found.")
    return found


def album_songs(key: str) -> list[Song]:
    songs = child_songs(library_songs().filter(album_key=key))
    return list(songs.order_by("track_number", "title", "id"))


def starred_albums(call: Call) -> dict[str, datetime]:
    """When the caller starred each album they starred, by album key."""
    return library_stars(call.user, LibraryStar.Kind.ALBUM)


def starred_artists(call: Call) -> dict[str, datetime]:
    return library_stars(call.user, LibraryStar.Kind.ARTIST)


def artist_index(rows, payload: Callable[..., dict], stars: dict[str, datetime]) -> list[dict]:
    """Artist payloads (``payload``: artist_payload for IndexID3, artist_folder for Index)
    grouped under their index letters, letters and names in order."""
    groups: dict[str, list[dict]] = {}
    for row in sorted(rows, key=lambda r: ((r["name"] or UNKNOWN_ARTIST).lower(), r["artist_key"])):
        groups.setdefault(index_letter(row["name"]), []).append(
            payload(row, starred=stars.get(row["artist_key"]))
        )
    return [{"name": letter, "artist": groups[letter]} for letter in sorted(groups)]


@endpoint("getMusicFolders")
def get_music_folders(call: Call) -> dict:
    folders = Catalogue.objects.order_by("id").values_list("id", "name")
    return {"musicFolders": {"musicFolder": [{"id": i, "name": name} for i, name in folders]}}


@endpoint("getIndexes")
def get_indexes(call: Call) -> dict:
    """The artists by letter. lastModified is when the songs last changed (in ms: any song, in
    any folder, songs.library_version), so a client that sends it back as ifModifiedSince gets
    an empty answer until the library changes."""
    folder = music_folder(call)
    since = call.params.integer("ifModifiedSince", 0)
    current = library_version()
    last_modified = int((current[1] if current else time.time()) * 1000)
    indexes = {"lastModified": last_modified, "ignoredArticles": ""}
    if not since or last_modified > since:
        rows = folder_artists(folder).rows
        indexes["index"] = artist_index(rows, artist_folder, starred_artists(call))
    return {"indexes": indexes}


@endpoint("getArtists")
def get_artists(call: Call) -> dict:
    rows = folder_artists(music_folder(call)).rows
    index = artist_index(rows, artist_payload, starred_artists(call))
    return {"artists": {"ignoredArticles": "", "index": index}}


@endpoint("getMusicDirectory")
def get_music_directory(call: Call) -> dict:
    """An artist's directory holds its albums, an album's its songs (the folder view the older
    clients browse); any other id is error 70."""
    raw = call.params.required("id")
    if raw.startswith(ARTIST_PREFIX):
        artist = artist_row(raw)
        rows = ordered_albums(albums(library_songs().filter(artist_key=artist["artist_key"])))
        stars = starred_albums(call)
        folder = artist_folder(artist, starred=starred_artists(call).get(artist["artist_key"]))
        directory = {
            **folder,
            "id": raw,
            "child": [album_child(row, starred=stars.get(row["album_key"])) for row in rows],
        }
    elif raw.startswith(ALBUM_PREFIX):
        row = album_row(raw)
        album = album_payload(row, starred=starred_albums(call).get(row["album_key"]))
        songs = album_songs(row["album_key"])
        directory = {
            "id": raw,
            "parent": album["artistId"],
            "name": album["name"],
            "starred": album.get("starred"),
            "child": song_children(call.user, songs),
        }
    else:
        raise SubsonicError(SubsonicError.NOT_FOUND, "Directory not found.")
    return {"directory": directory}


@endpoint("getArtist")
def get_artist(call: Call) -> dict:
    artist = artist_row(call.params.required("id"))
    rows = ordered_albums(albums(library_songs().filter(artist_key=artist["artist_key"])))
    stars = starred_albums(call)
    return {
        "artist": {
            **artist_payload(artist, starred=starred_artists(call).get(artist["artist_key"])),
            "album": [album_payload(row, starred=stars.get(row["album_key"])) for row in rows],
        }
    }


@endpoint("getAlbum")
def get_album(call: Call) -> dict:
    row = album_row(call.params.required("id"))
    songs = album_songs(row["album_key"])
    starred = starred_albums(call).get(row["album_key"])
    return {
        "album": {**album_payload(row, starred=starred), "song": song_children(call.user, songs)}
    }


@endpoint("getGenres")
def get_genres(call: Call) -> dict:
    rows = (
        library_songs()
        .annotate(name=effective_genre())
        .exclude(name="")
        .values("name")
        .annotate(songs=Count("id"), albums=Count("album_key", distinct=True))
        .order_by("name")
    )
    genres = [
        {"value": row["name"], "songCount": row["songs"], "albumCount": row["albums"]}
        for row in rows
    ]
    return {"genres": {"genre": genres}}


def _artist_info(call: Call, payload: Callable[..., dict]) -> dict:
    """An artist's similar artists from the embedding space (the artists nearest the centre of
    its songs), as ``payload`` builds them (Artist for getArtistInfo, ArtistID3 for
    getArtistInfo2); there is no biography to tell."""
    artist = artist_row(call.params.required("id"))
    count = call.params.integer("count", 20, maximum=MAX_COUNT)
    ranked = artists_similar_to(artist_key=artist["artist_key"], k=count) if count else []
    rows = {
        row["artist_key"]: row
        for row in artists(library_songs().filter(artist_key__in=[key for key, _ in ranked]))
    }
    stars = starred_artists(call)
    similar = [payload(rows[key], starred=stars.get(key)) for key, _ in ranked if key in rows]
    return {"biography": "", "similarArtist": similar}


@endpoint("getArtistInfo")
def get_artist_info(call: Call) -> dict:
    return {"artistInfo": _artist_info(call, artist_folder)}


@endpoint("getArtistInfo2")
def get_artist_info2(call: Call) -> dict:
    return {"artistInfo2": _artist_info(call, artist_payload)}


def _album_info(call: Call) -> dict:
    album_row(call.params.required("id"))
    return {"notes": ""}


@endpoint("getAlbumInfo")
def get_album_info(call: Call) -> dict:
    return {"albumInfo": _album_info(call)}


@endpoint("getAlbumInfo2")
def get_album_info2(call: Call) -> dict:
    return {"albumInfo": _album_info(call)}


@endpoint("getTopSongs")
def get_top_songs(call: Call) -> dict:
    """The artist's (by name, as the spec has it) most played songs, then by title."""
    name = call.params.required("artist")
    count = call.params.integer("count", 50, maximum=MAX_COUNT)
    plays = (
        Play.objects.filter(song=OuterRef("pk"))
        .order_by()
        .values("song")
        .annotate(n=Count("id"))
        .values("n")
    )
    songs = (
        child_songs(library_songs().filter(artist_key=MD5(Lower(Value(name)))))
        .annotate(play_count=Coalesce(Subquery(plays), 0))
        .order_by("-play_count", "title", "id")[:count]
    )
    return {"topSongs": {"song": song_children(call.user, list(songs))}}
