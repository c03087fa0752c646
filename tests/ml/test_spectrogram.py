import librosa
import numpy as np
import pytest

from ml.spectrogram import (
    N_MELS,
    PATCH_FRAMES,
    LogMelStream,
    log_mel,
    repeat_pad,
    split_patches,
)


def musicnn_batch_data_spectrogram(y: np.ndarray) -> np.ndarray:
    """The spectrogram lines of musicnn 0.1.0's extractor.batch_data, copied."""
    audio_rep = librosa.feature.melspectrogram(
        y=y, sr=16000, hop_length=256, n_fft=512, n_mels=96
    ).T
    audio_rep = audio_rep.astype(np.float16)
    with np.errstate(over="ignore"):  # its float16 overflow, which one test shows
        return np.log10(10000 * audio_rep + 1)


def test_patch_is_three_seconds_as_musicnn_computes_it():
    assert librosa.time_to_frames(3, sr=16000, n_fft=512, hop_length=256) + 1 == PATCH_FRAMES


def test_log_mel_is_musicnns_spectrogram(synth):
    # Quiet enough that musicnn's float16 arithmetic does not overflow (see log_compress).
    y = 0.2 * synth.rock(4.0, 16000).mean(axis=1)
    expected = musicnn_batch_data_spectrogram(y)
    assert np.isfinite(expected).all()

    frames = log_mel(y)

    assert frames.shape == (1 + len(y) // 256, N_MELS)
    assert frames.dtype == np.float32
    # musicnn's log is computed in float16, ours in float32: equal to float16 precision.
    np.testing.assert_allclose(frames, expected, rtol=2e-3, atol=1e-3)


def test_loud_music_does_not_overflow_as_in_musicnns_float16_arithmetic(synth):
    y = synth.rock(4.0, 16000).mean(axis=1)
    assert np.isinf(musicnn_batch_data_spectrogram(y)).any()

    assert np.isfinite(log_mel(y)).all()


@pytest.mark.parametrize("block_sizes", [[1, 100, 511, 512, 513], [4000], [48_128, 7]], ids=str)
def test_streamed_frames_equal_whole_signal_frames(block_sizes, synth):
    y = synth.song(6.0, 16000).mean(axis=1).astype(np.float32)
    stream, frames, position, k = LogMelStream(), [], 0, 0
    while position < len(y):
        size = block_sizes[k % len(block_sizes)]
        frames.append(stream.push(y[position : position + size]))
        position, k = position + size, k + 1
    frames.append(stream.finish())

    streamed = np.concatenate(frames)

    expected = log_mel(y)
    assert streamed.shape == expected.shape
    # Identical up to float16 rounding of a few mel values (one float16 step is 4e-4 in log10).
    np.testing.assert_allclose(streamed, expected, atol=1e-3)


def test_louder_than_full_scale_input_stays_finite(synth):
    frames = log_mel(synth.noise(1.0, 16000, amplitude=1.0) * 1000)

    assert np.isfinite(frames).all()


def test_split_patches_is_non_overlapping_and_keeps_the_leftover():
    frames = np.arange(400 * N_MELS, dtype=np.float32).reshape(400, N_MELS)

    patches, leftover = split_patches(frames)

    assert patches.shape == (2, PATCH_FRAMES, N_MELS)
    np.testing.assert_array_equal(patches[1], frames[187:374])
    np.testing.assert_array_equal(leftover, frames[374:])


def test_short_clip_is_repeated_to_one_patch():
    frames = np.arange(50 * N_MELS, dtype=np.float32).reshape(50, N_MELS)

    patch = repeat_pad(frames)

    assert patch.shape == (PATCH_FRAMES, N_MELS)
    np.testing.assert_array_equal(patch[100:150], frames)
