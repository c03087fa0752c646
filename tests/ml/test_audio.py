import librosa
import numpy as np
import pytest
import soundfile as sf

import ml.audio
from ml.audio import InvalidAudio, UnsupportedAudio, probe, read_windows, remove_dc, stream_mono

FORMATS = {
    "wav": {},
    "flac": {},
    "ogg": {"format": "OGG", "subtype": "VORBIS"},
    "mp3": {"format": "MP3", "subtype": "MPEG_LAYER_III"},
    "opus": {"format": "OGG", "subtype": "OPUS"},
}
RATES = {"opus": 48000}  # Opus has no 44.1 kHz


def reference_decode(path) -> np.ndarray:
    """musicnn's decode (librosa.load at 16 kHz, mono) followed by our DC blocker."""
    return remove_dc(librosa.load(path, sr=16000, mono=True)[0])


@pytest.mark.parametrize("extension", FORMATS)
def test_probe_reads_rate_channels_and_duration(extension, synth, write_audio):
    sr = RATES.get(extension, 44100)
    path = write_audio(f"band.{extension}", synth.rock(4.0, sr), sr, **FORMATS[extension])

    info = probe(path)

    assert (info.sample_rate, info.channels, info.seekable) == (sr, 2, True)
    assert info.duration_s == pytest.approx(4.0, abs=0.05)


@pytest.mark.parametrize("extension", FORMATS)
def test_streaming_decode_matches_whole_file_decode(extension, synth, write_audio):
    sr = RATES.get(extension, 44100)
    path = write_audio(f"band.{extension}", synth.rock(5.0, sr), sr, **FORMATS[extension])

    streamed = np.concatenate(list(stream_mono(path, block_frames=10_000)))

    expected = reference_decode(path)
    assert streamed.dtype == np.float32
    assert len(streamed) == len(expected)
    np.testing.assert_allclose(streamed, expected, atol=1e-5)


@pytest.mark.parametrize(
    ("sr", "channels"), [(96000, 6), (8000, 1), (22050, 1), (16000, 2)], ids=str
)
def test_streaming_decode_downmixes_and_resamples_any_layout(sr, channels, synth, write_audio):
    samples = np.stack([synth.tone(3.0, sr, 200.0 * (c + 1), 0.3) for c in range(channels)], axis=1)
    path = write_audio("layout.flac", samples, sr)

    blocks = list(stream_mono(path, block_frames=7_000))
    streamed = np.concatenate(blocks)

    np.testing.assert_allclose(streamed, reference_decode(path), atol=1e-5)
    # Blocks stay bounded by the block size: the decoder never holds the whole song.
    assert max(len(b) for b in blocks) <= 7_000 * 16000 / sr + 2048


def test_windows_match_the_stream_at_their_positions(synth, write_audio):
    path = write_audio("song.ogg", synth.song(20.0, 44100), 44100, **FORMATS["ogg"])
    info = probe(path)
    signal = np.concatenate(list(stream_mono(path)))
    padded = np.pad(signal, (10_000, 60_000))
    starts = [-256, 47_616, 160_001, len(signal) - 3_000]

    windows = list(read_windows(path, info, starts, 48_128))

    for start, window in zip(starts, windows, strict=True):
        expected = padded[start + 10_000 : start + 10_000 + 48_128]
        np.testing.assert_allclose(window, expected, atol=1e-5)


def test_dc_blocker_removes_offset_and_keeps_bass(synth):
    bass = synth.tone(2.0, 16000, 50.0, 0.3)

    filtered = remove_dc(bass + 0.4)

    settled = filtered[8000:]  # 75 whole periods, after the filter's start-up
    assert abs(settled.mean()) < 1e-3
    assert np.abs(settled).max() == pytest.approx(0.3, rel=0.02)


def test_formats_without_libsndfile_support_stream_through_audioread(
    synth, write_audio, monkeypatch
):
    # libsndfile reads every format audioread's standard-library backend does, so pretend it
    # does not recognise this one, as it would not recognise an M4A.
    path = write_audio("fallback.wav", synth.chord(2.0, 22050), 22050, subtype="PCM_16")
    expected = reference_decode(path)
    monkeypatch.setattr(ml.audio, "_open_soundfile", lambda path: None)

    info = probe(path)
    streamed = np.concatenate(list(stream_mono(path)))

    assert (info.sample_rate, info.channels, info.seekable) == (22050, 1, False)
    np.testing.assert_allclose(streamed, expected, atol=1e-4)


def test_empty_file_is_rejected(tmp_path):
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")

    with pytest.raises(InvalidAudio, match="empty.wav: the file is empty"):
        probe(path)


def test_text_file_named_mp3_is_unsupported(tmp_path):
    path = tmp_path / "song.mp3"
    path.write_text("This is not audio.\n" * 100)

    with pytest.raises(UnsupportedAudio, match="song.mp3: not an audio file"):
        probe(path)


def test_file_with_no_samples_is_rejected(tmp_path):
    path = tmp_path / "nothing.wav"
    sf.write(path, np.zeros((0, 2), dtype=np.float32), 44100)

    with pytest.raises(InvalidAudio, match="contains no audio samples"):
        probe(path)


def test_truncated_flac_is_rejected_while_streaming(synth, write_audio):
    path = write_audio("cut.flac", synth.noise(20.0, 44100), 44100)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])

    with pytest.raises(InvalidAudio, match="damaged or truncated|is truncated"):
        for _ in stream_mono(path):
            pass


def test_truncated_flac_is_rejected_when_a_window_falls_past_the_cut(synth, write_audio):
    path = write_audio("cut.flac", synth.noise(20.0, 44100), 44100)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    info = probe(path)

    with pytest.raises(InvalidAudio, match="damaged or truncated|is truncated"):
        list(read_windows(path, info, [16000 * 17], 48_128))


@pytest.mark.parametrize("bad_value", [np.nan, np.inf])
def test_non_finite_samples_are_rejected_with_their_position(bad_value, synth, write_audio):
    samples = synth.tone(3.0, 16000)
    samples[24000] = bad_value
    path = write_audio("broken.wav", samples, 16000, subtype="FLOAT")

    with pytest.raises(InvalidAudio, match=r"NaN or infinite samples \(the first at 1.50 s\)"):
        list(stream_mono(path))


def test_m4a_decodes_through_ffmpegs_libraries_without_an_ffmpeg_program(synth, tmp_path):
    from ml.copies import encode

    signal = synth.chord(3.0, 44100)
    path = encode(
        tmp_path / "song.m4a", signal[:, None], 44100, codec="aac", kbps=128, container="ipod"
    )

    info = probe(path)
    streamed = np.concatenate(list(stream_mono(path)))

    assert (info.sample_rate, info.channels, info.seekable) == (44100, 1, False)
    assert abs(info.duration_s - 3.0) < 0.1 and abs(len(streamed) / 16000 - 3.0) < 0.1
    assert np.abs(streamed).max() > 0.1  # sound, not silence


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "list.m3u8",
            "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:3.0,\ninside.wav\n#EXT-X-ENDLIST\n",
        ),
        ("list.m4a", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:3.0,\nhttp://127.0.0.1:9/x.mp3\n"),
        ("join.m4a", "ffconcat version 1.0\nfile inside.wav\n"),
    ],
)
def test_playlists_posing_as_audio_are_not_followed(synth, write_audio, tmp_path, name, text):
    write_audio("inside.wav", synth.chord(3.0, 22050), 22050)
    path = tmp_path / name
    path.write_text(text)

    with pytest.raises(UnsupportedAudio):
        probe(path)


def test_ffmpeg_inputs_allow_only_the_file_protocol_and_single_file_demuxers():
    options = ml.audio.FFMPEG_INPUT_OPTIONS
    assert options["protocol_whitelist"] == "file"
    demuxers = options["format_whitelist"].split(",")
    assert {"mp3", "flac", "ogg", "mov", "wav"} <= set(demuxers)
    assert not {"hls", "concat", "image2", "tee", "dash", "sdp", "rtsp"} & set(demuxers)
