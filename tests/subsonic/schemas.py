"""JSON Schemas of the response types this server answers, written from the OpenSubsonic
specification's pages (opensubsonic.netlify.app, "Responses"): the required fields, their types,
and the arrays clients iterate over. Optional fields are typed where we send them."""

STRING = {"type": "string"}
INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}
BOOLEAN = {"type": "boolean"}


def obj(required: dict, optional: dict | None = None) -> dict:
    return {
        "type": "object",
        "required": list(required),
        "properties": {**required, **(optional or {})},
    }


def array_of(schema: dict) -> dict:
    return {"type": "array", "items": schema}


ITEM_GENRE = obj({"name": STRING})
ARTIST_REF = obj({"id": STRING, "name": STRING})

CHILD = obj(
    {"id": STRING, "isDir": BOOLEAN, "title": STRING},
    {
        "parent": STRING,
        "album": STRING,
        "artist": STRING,
        "track": INTEGER,
        "year": INTEGER,
        "genre": STRING,
        "coverArt": STRING,
        "size": INTEGER,
        "contentType": STRING,
        "suffix": STRING,
        "duration": INTEGER,
        "bitRate": INTEGER,
        "samplingRate": INTEGER,
        "channelCount": INTEGER,
        "path": STRING,
        "isVideo": BOOLEAN,
        "userRating": {"type": "integer", "minimum": 1, "maximum": 5},
        "starred": STRING,
        "created": STRING,
        "albumId": STRING,
        "artistId": STRING,
        "type": {"enum": ["music", "podcast", "audiobook", "video"]},
        "mediaType": {"enum": ["song", "album", "artist"]},
        "playCount": INTEGER,
        "sortName": STRING,
        "genres": array_of(ITEM_GENRE),
        "artists": array_of(ARTIST_REF),
        "displayArtist": STRING,
        "albumArtists": array_of(ARTIST_REF),
        "displayAlbumArtist": STRING,
    },
)

# OpenSubsonic's sonicSimilarity: {entry: Child, similarity}, similarity 1 for the same song,
# 0 for the most different, -1 where the server cannot tell.
SONIC_MATCH = {
    **obj(
        {
            "entry": CHILD,
            "similarity": {
                "type": "number",
                "anyOf": [{"minimum": 0, "maximum": 1}, {"const": -1}],
            },
        }
    ),
    "additionalProperties": False,
}

ALBUM_ID3 = obj(
    {"id": STRING, "name": STRING, "songCount": INTEGER, "duration": INTEGER, "created": STRING},
    {
        "artist": STRING,
        "artistId": STRING,
        "coverArt": STRING,
        "year": INTEGER,
        "genre": STRING,
        "starred": STRING,
        "playCount": INTEGER,
        "genres": array_of(ITEM_GENRE),
        "artists": array_of(ARTIST_REF),
    },
)
ALBUM_WITH_SONGS = {"allOf": [ALBUM_ID3, obj({}, {"song": array_of(CHILD)})]}

ARTIST_ID3 = obj(
    {"id": STRING, "name": STRING},
    {"coverArt": STRING, "albumCount": INTEGER, "starred": STRING, "sortName": STRING},
)
ARTIST_WITH_ALBUMS = {"allOf": [ARTIST_ID3, obj({}, {"album": array_of(ALBUM_ID3)})]}
ARTISTS_ID3 = obj(
    {"ignoredArticles": STRING},
    {"index": array_of(obj({"name": STRING, "artist": array_of(ARTIST_ID3)}))},
)

PLAYLIST = obj(
    {
        "id": STRING,
        "name": STRING,
        "songCount": INTEGER,
        "duration": INTEGER,
        "created": STRING,
        "changed": STRING,
    },
    {"comment": STRING, "owner": STRING, "public": BOOLEAN, "coverArt": STRING},
)
PLAYLIST_WITH_SONGS = {"allOf": [PLAYLIST, obj({}, {"entry": array_of(CHILD)})]}

GENRE = obj({"value": STRING, "songCount": INTEGER, "albumCount": INTEGER})
MUSIC_FOLDER = obj({"id": INTEGER}, {"name": STRING})

SEARCH_RESULT3 = obj(
    {},
    {
        "artist": array_of(ARTIST_ID3),
        "album": array_of(ALBUM_ID3),
        "song": array_of(CHILD),
    },
)

ERROR = obj({"code": INTEGER}, {"message": STRING, "helpUrl": STRING})

ARTIST = obj({"id": STRING, "name": STRING}, {"starred": STRING, "albumCount": INTEGER})
INDEXES = obj(
    {"lastModified": INTEGER, "ignoredArticles": STRING},
    {
        "index": array_of(obj({"name": STRING, "artist": array_of(ARTIST)})),
        "child": array_of(CHILD),
    },
)
DIRECTORY = obj({"id": STRING, "name": STRING}, {"parent": STRING, "child": array_of(CHILD)})
ARTIST_INFO = obj({}, {"biography": STRING, "similarArtist": array_of(ARTIST)})
ARTIST_INFO2 = obj({}, {"biography": STRING, "similarArtist": array_of(ARTIST_ID3)})
ALBUM_INFO = obj({}, {"notes": STRING, "musicBrainzId": STRING})
NOW_PLAYING_ENTRY = {
    "allOf": [
        CHILD,
        obj(
            {"username": STRING, "minutesAgo": INTEGER, "playerId": INTEGER}, {"playerName": STRING}
        ),
    ]
}
EMPTY = (None, None)  # an answer with nothing but the envelope

# The payload key each method answers with, and its schema.
RESULTS = {
    "ping": EMPTY,
    "getLicense": ("license", obj({"valid": BOOLEAN})),
    "getOpenSubsonicExtensions": (
        "openSubsonicExtensions",
        array_of(obj({"name": STRING, "versions": array_of(INTEGER)})),
    ),
    "tokenInfo": ("tokenInfo", obj({"username": STRING})),
    "getUser": ("user", obj({"username": STRING, "streamRole": BOOLEAN, "adminRole": BOOLEAN})),
    "getMusicFolders": ("musicFolders", obj({}, {"musicFolder": array_of(MUSIC_FOLDER)})),
    "getArtists": ("artists", ARTISTS_ID3),
    "getArtist": ("artist", ARTIST_WITH_ALBUMS),
    "getAlbum": ("album", ALBUM_WITH_SONGS),
    "getSong": ("song", CHILD),
    "getGenres": ("genres", obj({}, {"genre": array_of(GENRE)})),
    "getSimilarSongs2": ("similarSongs2", obj({}, {"song": array_of(CHILD)})),
    "getSimilarSongs": ("similarSongs", obj({}, {"song": array_of(CHILD)})),
    "getTopSongs": ("topSongs", obj({}, {"song": array_of(CHILD)})),
    "getSonicSimilarTracks": ("sonicMatch", array_of(SONIC_MATCH)),
    "findSonicPath": ("sonicMatch", array_of(SONIC_MATCH)),
    "getAlbumList2": ("albumList2", obj({}, {"album": array_of(ALBUM_ID3)})),
    "getRandomSongs": ("randomSongs", obj({}, {"song": array_of(CHILD)})),
    "getSongsByGenre": ("songsByGenre", obj({}, {"song": array_of(CHILD)})),
    "getStarred2": (
        "starred2",
        obj(
            {},
            {"artist": array_of(ARTIST_ID3), "album": array_of(ALBUM_ID3), "song": array_of(CHILD)},
        ),
    ),
    "search3": ("searchResult3", SEARCH_RESULT3),
    "getPlaylists": ("playlists", obj({}, {"playlist": array_of(PLAYLIST)})),
    "getPlaylist": ("playlist", PLAYLIST_WITH_SONGS),
    "getIndexes": ("indexes", INDEXES),
    "getMusicDirectory": ("directory", DIRECTORY),
    "getArtistInfo": ("artistInfo", ARTIST_INFO),
    "getArtistInfo2": ("artistInfo2", ARTIST_INFO2),
    "getAlbumInfo": ("albumInfo", ALBUM_INFO),
    "getAlbumInfo2": ("albumInfo", ALBUM_INFO),
    "getAlbumList": ("albumList", obj({}, {"album": array_of(CHILD)})),
    "getStarred": (
        "starred",
        obj({}, {"artist": array_of(ARTIST), "album": array_of(CHILD), "song": array_of(CHILD)}),
    ),
    "search2": (
        "searchResult2",
        obj({}, {"artist": array_of(ARTIST), "album": array_of(CHILD), "song": array_of(CHILD)}),
    ),
    "getNowPlaying": ("nowPlaying", obj({}, {"entry": array_of(NOW_PLAYING_ENTRY)})),
    "createPlaylist": ("playlist", PLAYLIST_WITH_SONGS),
    "updatePlaylist": EMPTY,
    "deletePlaylist": EMPTY,
    "star": EMPTY,
    "unstar": EMPTY,
    "setRating": EMPTY,
    "scrobble": EMPTY,
}

# Methods that answer with the media itself (tests/subsonic/test_media.py).
MEDIA = {"stream", "download", "getCoverArt"}

ENVELOPE = obj(
    {
        "status": {"enum": ["ok", "failed"]},
        "version": STRING,
        "type": STRING,
        "serverVersion": STRING,
        "openSubsonic": BOOLEAN,
    },
    {"error": ERROR},
)
