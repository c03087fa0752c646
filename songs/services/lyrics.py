"""Lyrics as they come in audio files' tags, made into one structured form.

A song's lyrics are a list of *structured lyrics*, each a plain dict that is stored as JSON on
the song (songs.models.Song.lyrics) and served as OpenSubsonic's ``structuredLyrics``:

    {"lang": "eng",            # ISO 639 as the tag gave it, "xxx" when unknown
     "synced": True,           # lines carry start times
     "offset": 0,              # ms to apply to every start; positive = show sooner (as LRC)
     "display_artist": "",     # from an LRC [ar:] tag, "" when none
     "display_title": "",      # from an LRC [ti:] tag
     "lines": [{"start_ms": 1500, "text": "..."}]}   # no start_ms when not synced

Where they come from: ID3 USLT (unsynced text) and SYLT (synced, when its timestamps are in
milliseconds) frames, TXXX frames named LYRICS or UNSYNCEDLYRICS (what some taggers write),
Vorbis comments (FLAC, OGG, Opus) LYRICS and UNSYNCEDLYRICS, and the MP4 ``©lyr`` atom. A text
in LRC form (``[mm:ss.xx] line``) is synced lyrics wherever it is found.

No Django here: tags in (mutagen's objects, read by duck typing), dicts out. A malformed tag is
skipped, never raised: lyrics are no reason to refuse audio.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

UNKNOWN_LANGUAGE = "xxx"  # what taggers write for "no language"; the spec accepts it like "und"
MAX_LINES = 5000  # more than any song has: a bigger tag is garbage, kept short

_TIME_TAG = re.compile(r"\[(\d{1,3}):(\d{1,2})(?:[.:](\d{1,3}))?\]")
_LEADING_TIME_TAGS = re.compile(r"^\s*((?:\[\d{1,3}:\d{1,2}(?:[.:]\d{1,3})?\]\s*)+)(.*)$")
_ID_TAG = re.compile(r"^\s*\[([A-Za-z#]+):(.*)\]\s*$")
_WORD_TIME = re.compile(r"<\d{1,3}:\d{1,2}(?:[.:]\d{1,3})?>")  # enhanced LRC, word by word
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_SYLT_MILLISECONDS = 2  # SYLT's time-stamp format 1 counts MPEG frames, which we cannot place
_SYLT_LYRIC_TYPES = {0, 1, 2}  # other, lyrics, transcription (not chords, events, trivia)
_TEXT_KEYS = ("lyrics", "unsyncedlyrics")  # Vorbis comment names, compared without case
_MP4_LYRICS = "\xa9lyr"


def language(raw: str | None) -> str:
    """A tag's language code, lower-cased; "xxx" when it is empty or not letters (ID3 frames
    often hold three zero bytes)."""
    code = (raw or "").strip("\x00 ").lower()
    return code if _LANGUAGE.match(code) else UNKNOWN_LANGUAGE


def _milliseconds(minutes: str, seconds: str, fraction: str | None) -> int:
    # "[01:02.5]" is 500 ms, "[01:02.50]" 500 ms, "[01:02.500]" 500 ms: a fraction, not a count.
    fraction_ms = int((fraction or "0").ljust(3, "0")[:3])
    return (int(minutes) * 60 + int(seconds)) * 1000 + fraction_ms


def is_lrc(text: str) -> bool:
    """Whether some line of ``text`` starts with an LRC time tag such as ``[00:12.34]``."""
    return any(_LEADING_TIME_TAGS.match(line) for line in text.splitlines())


def parse_lrc(text: str, *, lang: str = UNKNOWN_LANGUAGE) -> dict | None:
    """Synced lyrics from LRC text: a line may carry several time tags (a chorus sung twice),
    ``[offset:±ms]``, ``[ar:]`` and ``[ti:]`` set the offset and display artist and title, word
    time tags (enhanced LRC) are dropped, and lines without a time tag are ignored. Lines are
    ordered by start time, in ms. None when no line has a time."""
    lines: list[dict] = []
    offset, artist, title = 0, "", ""
    for raw in text.splitlines():
        timed = _LEADING_TIME_TAGS.match(raw)
        if timed is None:
            tag = _ID_TAG.match(raw)
            if tag is not None:
                name, value = tag.group(1).lower(), tag.group(2).strip()
                if name == "offset":
                    offset = _integer(value, default=offset)
                elif name == "ar":
                    artist = value
                elif name == "ti":
                    title = value
            continue
        words = _WORD_TIME.sub("", timed.group(2)).strip()
        for stamp in _TIME_TAG.finditer(timed.group(1)):
            lines.append({"start_ms": _milliseconds(*stamp.groups()), "text": words})
    if not lines:
        return None
    lines.sort(key=lambda line: line["start_ms"])  # stable: equal starts keep their order
    return _lyric(lang, synced=True, lines=lines, offset=offset, artist=artist, title=title)


def parse_text(text: str, *, lang: str = UNKNOWN_LANGUAGE) -> dict | None:
    """Structured lyrics from a tag's text: LRC becomes synced lines, anything else unsynced
    lines in their order (blank lines between verses kept, blank ends trimmed). None for an
    empty text."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if is_lrc(text):
        return parse_lrc(text, lang=lang)
    lines = text.strip("\n").split("\n")
    if not any(line.strip() for line in lines):
        return None
    return _lyric(lang, synced=False, lines=[{"text": line.rstrip()} for line in lines])


def parse_sylt(
    entries: Iterable[tuple[str, int]], *, lang: str = UNKNOWN_LANGUAGE, in_ms: bool = True
) -> dict | None:
    """Lyrics from an ID3 SYLT frame's (text, time) pairs. Times in ms make synced lines; times
    in MPEG frames (``in_ms`` False) cannot be placed without decoding, so the text is kept as
    unsynced lines. A text that is itself LRC is read as LRC. None when there is no text."""
    pairs = [(str(text).strip("\r\n"), int(time)) for text, time in entries]
    if not any(text.strip() for text, _ in pairs):
        return None
    if len(pairs) == 1 and is_lrc(pairs[0][0]):
        return parse_lrc(pairs[0][0], lang=lang)
    if not in_ms:
        return _lyric(lang, synced=False, lines=[{"text": text} for text, _ in pairs])
    lines = sorted(
        ({"start_ms": max(time, 0), "text": text} for text, time in pairs),
        key=lambda line: line["start_ms"],
    )
    return _lyric(lang, synced=True, lines=lines)


def lyrics_from_tags(tags) -> list[dict]:
    """Every lyric in a file's tags (a mutagen ID3, VComment or MP4Tags object), in tag order,
    without exact repeats (a tagger that writes LYRICS and UNSYNCEDLYRICS alike). A tag that
    cannot be read is skipped; this never raises."""
    found: list[dict] = []
    if tags is None:
        return found
    if hasattr(tags, "getall"):  # ID3, also in WAV and AIFF
        found += _from_id3(tags)
    else:
        for key in (*_TEXT_KEYS, _MP4_LYRICS):
            for value in _values(tags, key):
                found += _parsed(lambda value=value: parse_text(str(value)))
    unique: list[dict] = []
    for lyric in found:
        if lyric not in unique:
            unique.append(lyric)
    return unique


def _from_id3(tags) -> list[dict]:
    found: list[dict] = []
    for frame in _frames(tags, "USLT"):
        found += _parsed(lambda f=frame: parse_text(str(f.text), lang=language(f.lang)))
    for frame in _frames(tags, "SYLT"):
        if getattr(frame, "type", 1) not in _SYLT_LYRIC_TYPES:
            continue
        found += _parsed(
            lambda f=frame: parse_sylt(
                f.text, lang=language(f.lang), in_ms=f.format == _SYLT_MILLISECONDS
            )
        )
    for frame in _frames(tags, "TXXX"):
        if str(getattr(frame, "desc", "")).lower() in _TEXT_KEYS:
            for text in frame.text:
                found += _parsed(lambda t=text: parse_text(str(t)))
    return found


def _parsed(parse) -> list[dict]:
    try:
        lyric = parse()
    except Exception:  # one odd frame: the others still count
        return []
    return [lyric] if lyric is not None else []


def _frames(tags, kind: str) -> list:
    try:
        return list(tags.getall(kind))
    except Exception:
        return []


def _values(tags, key: str) -> list:
    try:
        return list(tags.get(key) or [])
    except Exception:  # keys that this kind of tag cannot hold
        return []


def _integer(raw: str, *, default: int) -> int:
    try:
        return int(raw.strip().lstrip("+"))
    except ValueError:
        return default


def _lyric(
    lang: str,
    *,
    synced: bool,
    lines: list[dict],
    offset: int = 0,
    artist: str = "",
    title: str = "",
) -> dict:
    return {
        "lang": lang,
        "synced": synced,
        "offset": offset,
        "display_artist": artist,
        "display_title": title,
        "lines": lines[:MAX_LINES],
    }


def plain_text(lyric: dict) -> str:
    """The lyric's words as one text, a line each, without times (the classic getLyrics)."""
    return "\n".join(line["text"] for line in lyric["lines"])
