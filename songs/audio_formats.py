"""The audio formats the catalogue stores: one table for the file suffix a stored song gets, the
Content-Type its audio is served with, and the suffix and type Subsonic clients are told."""

from typing import NamedTuple


class AudioFormat(NamedTuple):
    suffix: str  # of the stored file, without the dot
    content_type: str


# By Song.audio_format: soundfile's container name (WAV, FLAC …), or for files only audioread
# decodes (M4A/AAC), the upper-cased suffix of the uploaded name. Opus is served as Ogg, its
# container.
AUDIO_FORMATS: dict[str, AudioFormat] = {
    "WAV": AudioFormat("wav", "audio/wav"),
    "FLAC": AudioFormat("flac", "audio/flac"),
    "OGG": AudioFormat("ogg", "audio/ogg"),
    "MP3": AudioFormat("mp3", "audio/mpeg"),
    "AIFF": AudioFormat("aiff", "audio/aiff"),
    "OPUS": AudioFormat("opus", "audio/ogg"),
    "M4A": AudioFormat("m4a", "audio/mp4"),
    "MP4": AudioFormat("mp4", "audio/mp4"),
}
