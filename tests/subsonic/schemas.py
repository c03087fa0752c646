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


def strict(required: dict, optional: dict | None = None) -> dict:
    """An object the spec lists every field of: anything else (a misspelt name) fails."""
    return {**obj(required, optional), "additionalProperties": False}


# ISO 8601 as the spec writes it (2024-01-31T12:00:00Z, fractions and offsets allowed).
DATE_TIME = {
    "type": "string",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$",
}
RATING = {"type": "integer", "minimum": 1, "maximum": 5}
AVERAGE_RATING = {"type": "number", "minimum": 1, "maximum": 5}
STRINGS = {"type": "array", "items": STRING}
EXPLICIT_STATUS = {"enum": ["explicit", "clean", ""]}

ITEM_GENRE = strict({"name": STRING})
# ArtistID3 (openapi/schemas/ArtistID3.json).
ARTIST_ID3 = strict(
    {"id": STRING, "name": STRING},
    {
        "coverArt": STRING,
        "artistImageUrl": STRING,
        "albumCount": INTEGER,
        "starred": DATE_TIME,
        "musicBrainzId": STRING,
        "sortName": STRING,
        "roles": STRINGS,
        "userRating": RATING,
    },
)
ARTIST_REF = ARTIST_ID3  # a Child's or album's artists: ArtistID3, its required fields
CONTRIBUTOR = strict({"role": STRING, "artist": ARTIST_ID3}, {"subRole": STRING})
REPLAY_GAIN = strict(
    {},
    {
        "trackGain": NUMBER,
        "albumGain": NUMBER,
        "trackPeak": {"type": "number", "minimum": 0},
        "albumPeak": {"type": "number", "minimum": 0},
        "baseGain": NUMBER,
        "fallbackGain": NUMBER,
        "measurementScheme": STRING,
    },
)
RECORD_LABEL = strict({"name": STRING})
ITEM_DATE = strict(
    {},
    {
        "year": INTEGER,
        "month": {"type": "integer", "minimum": 1, "maximum": 12},
        "day": {"type": "integer", "minimum": 1, "maximum": 31},
    },
)
DISC_TITLE = strict({"disc": INTEGER, "title": STRING}, {"coverArt": STRING})

# Child (openapi/schemas/Child.json): every field it defines, typed as it types them.
CHILD_REQUIRED = {"id": STRING, "isDir": BOOLEAN, "title": STRING}
CHILD_FIELDS = {
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
    "transcodedContentType": STRING,
    "transcodedSuffix": STRING,
    "duration": INTEGER,
    "bitRate": INTEGER,
    "bitDepth": INTEGER,
    "samplingRate": INTEGER,
    "channelCount": INTEGER,
    "path": STRING,
    "isVideo": BOOLEAN,
    "userRating": RATING,
    "averageRating": AVERAGE_RATING,
    "playCount": INTEGER,
    "played": DATE_TIME,
    "discNumber": INTEGER,
    "created": DATE_TIME,
    "starred": DATE_TIME,
    "albumId": STRING,
    "artistId": STRING,
    "type": {"enum": ["music", "podcast", "audiobook", "video"]},
    "mediaType": {"enum": ["song", "album", "artist"]},
    "bookmarkPosition": INTEGER,
    "originalWidth": INTEGER,
    "originalHeight": INTEGER,
    "bpm": INTEGER,
    "comment": STRING,
    "sortName": STRING,
    "musicBrainzId": STRING,
    "isrc": STRINGS,
    "genres": array_of(ITEM_GENRE),
    "artists": array_of(ARTIST_REF),
    "displayArtist": STRING,
    "albumArtists": array_of(ARTIST_REF),
    "displayAlbumArtist": STRING,
    "contributors": array_of(CONTRIBUTOR),
    "displayComposer": STRING,
    "moods": STRINGS,
    "explicitStatus": EXPLICIT_STATUS,
    "replayGain": REPLAY_GAIN,
}
CHILD = strict(CHILD_REQUIRED, CHILD_FIELDS)
# The OpenSubsonic fields this server supports, which it must then always send (Child.md:
# "return it with an empty / default value"): a song Child has each of them (samplingRate,
# channelCount, track and year only where the file told them).
SONG_SENT = [
    "parent", "album", "artist", "coverArt", "size", "contentType", "suffix", "duration",
    "bitRate", "path", "isVideo", "created", "albumId",
    "artistId", "type", "mediaType", "sortName", "genres", "artists", "displayArtist",
    "albumArtists", "displayAlbumArtist",
]  # fmt: skip
SONG = {
    **CHILD,
    "required": [*CHILD_REQUIRED, *SONG_SENT],
    "properties": {**CHILD["properties"], "isDir": {"const": False}},
}

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

# AlbumID3 (openapi/schemas/AlbumID3.json); AlbumID3WithSongs adds song.
ALBUM_REQUIRED = {
    "id": STRING,
    "name": STRING,
    "songCount": INTEGER,
    "duration": INTEGER,
    "created": DATE_TIME,
}
ALBUM_FIELDS = {
    "version": STRING,
    "artist": STRING,
    "artistId": STRING,
    "coverArt": STRING,
    "year": INTEGER,
    "genre": STRING,
    "starred": DATE_TIME,
    "playCount": INTEGER,
    "played": DATE_TIME,
    "userRating": RATING,
    "recordLabels": array_of(RECORD_LABEL),
    "musicBrainzId": STRING,
    "genres": array_of(ITEM_GENRE),
    "artists": array_of(ARTIST_REF),
    "displayArtist": STRING,
    "releaseTypes": STRINGS,
    "moods": STRINGS,
    "sortName": STRING,
    "originalReleaseDate": ITEM_DATE,
    "releaseDate": ITEM_DATE,
    "isCompilation": BOOLEAN,
    "explicitStatus": EXPLICIT_STATUS,
    "discTitles": array_of(DISC_TITLE),
}
ALBUM_ID3 = {
    **strict(ALBUM_REQUIRED, ALBUM_FIELDS),
    # the OpenSubsonic fields we support, so always send
    "required": [*ALBUM_REQUIRED, "genres", "artists", "displayArtist", "sortName"],
}
ALBUM_WITH_SONGS = {
    **ALBUM_ID3,
    "properties": {**ALBUM_ID3["properties"], "song": array_of(SONG)},
}

ARTIST_WITH_ALBUMS = strict(
    {**ARTIST_ID3["properties"], "album": array_of(ALBUM_ID3)},
)
ARTIST_WITH_ALBUMS["required"] = ["id", "name", "album"]
INDEX_ID3 = strict({"name": STRING}, {"artist": array_of(ARTIST_ID3)})
ARTISTS_ID3 = strict({"ignoredArticles": STRING}, {"index": array_of(INDEX_ID3)})

# Playlist (openapi/schemas/Playlist.json); readonly is OpenSubsonic's, and we send it.
PLAYLIST_REQUIRED = {
    "id": STRING,
    "name": STRING,
    "songCount": INTEGER,
    "duration": INTEGER,
    "created": DATE_TIME,
    "changed": DATE_TIME,
    "readonly": BOOLEAN,
}
PLAYLIST_FIELDS = {
    "owner": STRING,
    "public": BOOLEAN,
    "validUntil": DATE_TIME,
    "comment": STRING,
    "coverArt": STRING,
    "allowedUser": STRINGS,
}
PLAYLIST = strict(PLAYLIST_REQUIRED, PLAYLIST_FIELDS)
PLAYLIST_WITH_SONGS = strict(PLAYLIST_REQUIRED, {**PLAYLIST_FIELDS, "entry": array_of(SONG)})

GENRE = strict({"value": STRING, "songCount": INTEGER, "albumCount": INTEGER})
MUSIC_FOLDER = strict({"id": INTEGER}, {"name": STRING})

SEARCH_RESULT3 = strict(
    {},
    {
        "artist": array_of(ARTIST_ID3),
        "album": array_of(ALBUM_ID3),
        "song": array_of(SONG),
    },
)

ERROR_CODES = [0, 10, 20, 30, 40, 41, 42, 43, 44, 50, 60, 70]
ERROR = strict({"code": {"enum": ERROR_CODES}}, {"message": STRING, "helpUrl": STRING})

# Artist (openapi/schemas/Artist.json): the folder-based calls' artist; no coverArt,
# albumCount or sortName (those are ArtistID3's).
ARTIST = strict(
    {"id": STRING, "name": STRING},
    {
        "starred": DATE_TIME,
        "artistImageUrl": STRING,
        "userRating": RATING,
        "averageRating": AVERAGE_RATING,
    },
)
INDEX = strict({"name": STRING}, {"artist": array_of(ARTIST)})
INDEXES = strict(
    {"lastModified": INTEGER, "ignoredArticles": STRING},
    {"shortcut": array_of(ARTIST), "index": array_of(INDEX), "child": array_of(CHILD)},
)
# A folder Child that is an album (getMusicDirectory of an artist, getAlbumList, search2).
ALBUM_CHILD_SENT = ["album", "artist", "coverArt", "duration", "created", "artistId", "mediaType"]
ALBUM_CHILD = {
    **CHILD,
    "required": [*CHILD_REQUIRED, *ALBUM_CHILD_SENT],
    "properties": {
        **CHILD["properties"],
        "isDir": {"const": True},
        "mediaType": {"const": "album"},
    },
}
DIRECTORY = strict(
    {"id": STRING, "name": STRING},
    {
        "parent": STRING,
        "starred": DATE_TIME,
        "userRating": RATING,
        "averageRating": AVERAGE_RATING,
        "playCount": INTEGER,
        "child": array_of(CHILD),
    },
)
ARTIST_INFO_FIELDS = {
    "biography": STRING,
    "musicBrainzId": STRING,
    "smallImageUrl": STRING,
    "mediumImageUrl": STRING,
    "largeImageUrl": STRING,
    "lastFmUrl": STRING,
}
ARTIST_INFO = strict({}, {**ARTIST_INFO_FIELDS, "similarArtist": array_of(ARTIST)})
ARTIST_INFO2 = strict({}, {**ARTIST_INFO_FIELDS, "similarArtist": array_of(ARTIST_ID3)})
ALBUM_INFO = strict(
    {},
    {
        "notes": STRING,
        "musicBrainzId": STRING,
        "smallImageUrl": STRING,
        "mediumImageUrl": STRING,
        "largeImageUrl": STRING,
        "lastFmUrl": STRING,
    },
)
# NowPlayingEntry: a Child and who plays it; state, positionMs and playbackRate are the
# playbackReport extension's.
NOW_PLAYING_ENTRY = strict(
    {**CHILD_REQUIRED, "username": STRING, "minutesAgo": INTEGER, "playerId": INTEGER},
    {
        **CHILD_FIELDS,
        "playerName": STRING,
        "state": {"enum": ["playing", "paused", "stopped"]},
        "positionMs": INTEGER,
        "playbackRate": NUMBER,
    },
)
SONGS = strict({}, {"song": array_of(SONG)})  # similarSongs(2), topSongs, randomSongs …
SEARCH_RESULT2 = strict(
    {}, {"artist": array_of(ARTIST), "album": array_of(ALBUM_CHILD), "song": array_of(SONG)}
)
# User (Responses/user): every role is required, as the spec's table says.
USER = obj(
    {
        "username": STRING,
        "scrobblingEnabled": BOOLEAN,
        "adminRole": BOOLEAN,
        "settingsRole": BOOLEAN,
        "downloadRole": BOOLEAN,
        "uploadRole": BOOLEAN,
        "playlistRole": BOOLEAN,
        "coverArtRole": BOOLEAN,
        "commentRole": BOOLEAN,
        "podcastRole": BOOLEAN,
        "streamRole": BOOLEAN,
        "jukeboxRole": BOOLEAN,
        "shareRole": BOOLEAN,
        "videoConversionRole": BOOLEAN,
    },
    {
        "email": STRING,
        "maxBitRate": INTEGER,
        "avatarLastChanged": STRING,
        "folder": array_of(INTEGER),
    },
)

# Share (Responses/share).
SHARE = obj(
    {"id": STRING, "url": STRING, "username": STRING, "created": STRING, "visitCount": INTEGER},
    {"description": STRING, "expires": STRING, "lastVisited": STRING, "entry": array_of(CHILD)},
)

EMPTY = (None, None)  # an answer with nothing but the envelope
NONE = {"type": "array", "maxItems": 0}  # a list of things this server does not have

# scanStatus: scanning required, count optional; folderCount and lastScan are Navidrome's.
SCAN_STATUS = obj(
    {"scanning": BOOLEAN}, {"count": INTEGER, "folderCount": INTEGER, "lastScan": STRING}
)
SEARCH_RESULT = obj({"offset": INTEGER, "totalHits": INTEGER}, {"match": array_of(CHILD)})

# Lyrics (Responses/lyrics): the text is the element's value, required even when empty.
LYRICS = obj({"value": STRING}, {"artist": STRING, "title": STRING})
# structuredLyrics and line (OpenSubsonic songLyrics): start (ms) on every line of synced
# lyrics and on none of unsynced ones, as Responses/line says it must be omitted there.
LYRIC_LINE = {**obj({"value": STRING}, {"start": NUMBER}), "additionalProperties": False}
STRUCTURED_LYRICS = {
    **obj(
        {"lang": STRING, "synced": BOOLEAN, "line": array_of(LYRIC_LINE)},
        {"displayArtist": STRING, "displayTitle": STRING, "offset": NUMBER},
    ),
    "if": {"properties": {"synced": {"const": True}}},
    "then": {"properties": {"line": array_of({"required": ["start"]})}},
    "else": {"properties": {"line": array_of({"not": {"required": ["start"]}})}},
}
LYRICS_LIST = obj({}, {"structuredLyrics": array_of(STRUCTURED_LYRICS)})

# PlayQueue and PlayQueueByIndex (Responses/playqueue, playqueuebyindex): username, changed and
# changedBy required; current is a song id (a string, by the errata), currentIndex 0-based.
QUEUE_FIELDS = {"username": STRING, "changed": STRING, "changedBy": STRING}
PLAY_QUEUE = obj(QUEUE_FIELDS, {"current": STRING, "position": INTEGER, "entry": array_of(CHILD)})
PLAY_QUEUE_BY_INDEX = obj(
    QUEUE_FIELDS,
    {
        "currentIndex": {"type": "integer", "minimum": 0},
        "position": INTEGER,
        "entry": array_of(CHILD),
    },
)
# bookmark (Responses/bookmark): position (ms), username, created, changed and entry required.
BOOKMARK = obj(
    {
        "position": INTEGER,
        "username": STRING,
        "created": STRING,
        "changed": STRING,
        "entry": {"allOf": [CHILD, obj({}, {"bookmarkPosition": INTEGER})]},
    },
    {"comment": STRING},
)

# The payload key each method answers with, and its schema.
RESULTS = {
    "ping": EMPTY,
    "getShares": ("shares", obj({}, {"share": array_of(SHARE)})),
    "createShare": ("shares", obj({"share": {**array_of(SHARE), "minItems": 1, "maxItems": 1}})),
    "updateShare": EMPTY,
    "deleteShare": EMPTY,
    "getUsers": ("users", obj({}, {"user": array_of(USER)})),
    "createUser": EMPTY,
    "updateUser": EMPTY,
    "deleteUser": EMPTY,
    "changePassword": EMPTY,
    "getLicense": (
        "license",
        strict(
            {"valid": BOOLEAN},
            {"email": STRING, "licenseExpires": DATE_TIME, "trialExpires": DATE_TIME},
        ),
    ),
    "getOpenSubsonicExtensions": (
        "openSubsonicExtensions",
        array_of(strict({"name": STRING, "versions": array_of(INTEGER)})),
    ),
    "tokenInfo": ("tokenInfo", strict({"username": STRING})),
    "getUser": ("user", USER),
    "getMusicFolders": ("musicFolders", strict({}, {"musicFolder": array_of(MUSIC_FOLDER)})),
    "getArtists": ("artists", ARTISTS_ID3),
    "getArtist": ("artist", ARTIST_WITH_ALBUMS),
    "getAlbum": ("album", ALBUM_WITH_SONGS),
    "getSong": ("song", SONG),
    "getGenres": ("genres", strict({}, {"genre": array_of(GENRE)})),
    "getSimilarSongs2": ("similarSongs2", SONGS),
    "getSimilarSongs": ("similarSongs", SONGS),
    "getTopSongs": ("topSongs", SONGS),
    "getSonicSimilarTracks": ("sonicMatch", array_of(SONIC_MATCH)),
    "findSonicPath": ("sonicMatch", array_of(SONIC_MATCH)),
    "getAlbumList2": ("albumList2", strict({}, {"album": array_of(ALBUM_ID3)})),
    "getRandomSongs": ("randomSongs", SONGS),
    "getSongsByGenre": ("songsByGenre", SONGS),
    "getStarred2": ("starred2", SEARCH_RESULT3),  # Starred2: the same three lists
    "search3": ("searchResult3", SEARCH_RESULT3),
    "getPlaylists": ("playlists", strict({}, {"playlist": array_of(PLAYLIST)})),
    "getPlaylist": ("playlist", PLAYLIST_WITH_SONGS),
    "getIndexes": ("indexes", INDEXES),
    "getMusicDirectory": ("directory", DIRECTORY),
    "getArtistInfo": ("artistInfo", ARTIST_INFO),
    "getArtistInfo2": ("artistInfo2", ARTIST_INFO2),
    "getAlbumInfo": ("albumInfo", ALBUM_INFO),
    "getAlbumInfo2": ("albumInfo", ALBUM_INFO),
    "getAlbumList": ("albumList", strict({}, {"album": array_of(ALBUM_CHILD)})),
    "getStarred": ("starred", SEARCH_RESULT2),  # Starred: the same three lists
    "search2": ("searchResult2", SEARCH_RESULT2),
    "getNowPlaying": ("nowPlaying", strict({"entry": array_of(NOW_PLAYING_ENTRY)})),
    "createPlaylist": ("playlist", PLAYLIST_WITH_SONGS),
    "updatePlaylist": EMPTY,
    "deletePlaylist": EMPTY,
    "star": EMPTY,
    "unstar": EMPTY,
    "setRating": EMPTY,
    "scrobble": EMPTY,
    "getScanStatus": ("scanStatus", SCAN_STATUS),
    "startScan": ("scanStatus", SCAN_STATUS),
    "search": ("searchResult", SEARCH_RESULT),
    "reportPlayback": EMPTY,
    "getLyrics": ("lyrics", LYRICS),
    "getLyricsBySongId": ("lyricsList", LYRICS_LIST),
    "getPlayQueue": ("playQueue", PLAY_QUEUE),
    "savePlayQueue": EMPTY,
    "getPlayQueueByIndex": ("playQueueByIndex", PLAY_QUEUE_BY_INDEX),
    "savePlayQueueByIndex": EMPTY,
    "getBookmarks": ("bookmarks", obj({}, {"bookmark": array_of(BOOKMARK)})),
    "createBookmark": EMPTY,
    "deleteBookmark": EMPTY,
    # Things this server has none of: the spec's element, with an empty list.
    "getPodcasts": ("podcasts", obj({}, {"channel": NONE})),
    "getNewestPodcasts": ("newestPodcasts", obj({}, {"episode": NONE})),
    "getInternetRadioStations": ("internetRadioStations", obj({}, {"internetRadioStation": NONE})),
    "getVideos": ("videos", obj({}, {"video": NONE})),
    "getChatMessages": ("chatMessages", obj({}, {"chatMessage": NONE})),
}

# Methods that answer with the media itself (tests/subsonic/test_media.py).
MEDIA = {"stream", "download", "getCoverArt", "getAvatar", "hls"}

# Methods that answer an error to every well-formed call, since this server has no podcasts,
# radio, videos, chat or jukebox, nor the transcoding extension (tests/subsonic/
# test_unsupported.py checks each one's code).
REFUSED = {
    "getPodcastEpisode", "refreshPodcasts", "createPodcastChannel", "deletePodcastChannel",
    "deletePodcastEpisode", "downloadPodcastEpisode", "createInternetRadioStation",
    "updateInternetRadioStation", "deleteInternetRadioStation", "getVideoInfo", "getCaptions",
    "addChatMessage", "jukeboxControl", "getTranscodeDecision", "getTranscodeStream",
}  # fmt: skip

ENVELOPE = obj(
    {
        "status": {"enum": ["ok", "failed"]},
        "version": STRING,
        "type": STRING,
        "serverVersion": STRING,
        "openSubsonic": {"const": True},
    },
    {"error": ERROR},
)
