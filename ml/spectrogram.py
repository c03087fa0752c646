"""Log-mel spectrograms exactly as musicnn was trained on them, whole-signal and streaming.

musicnn's own `extractor.batch_data` (and its training pre-processing) computes
`librosa.feature.melspectrogram(y, sr=16000, n_fft=512, hop_length=256, n_mels=96)` with
librosa's defaults otherwise (centred frames, zero padding, Hann window, power 2, Slaney mel
filters), casts it to float16, then takes `log10(10000 * S + 1)`, and cuts non-overlapping
patches of 187 frames (3 s). Everything here reproduces that, frame for frame.
"""

import functools

import librosa
import numpy as np
import scipy.sparse

SAMPLE_RATE = 16_000
N_FFT = 512
HOP_LENGTH = 256
N_MELS = 96
# librosa.time_to_frames(3, sr=16000, n_fft=512, hop_length=256) + 1, as in musicnn's extractor.
PATCH_FRAMES = 187
# 16 kHz samples that the 187 uncentred frames of one patch read.
PATCH_SAMPLES = (PATCH_FRAMES - 1) * HOP_LENGTH + N_FFT

# musicnn stores mel power as float16 before the log; power above the largest float16 (only
# from float input far beyond full scale) is clipped rather than turned into inf.
_FLOAT16_MAX = float(np.finfo(np.float16).max)


@functools.cache
def mel_basis() -> scipy.sparse.csr_array:
    """librosa's Slaney mel filter bank for 16 kHz, n_fft 512: (96, 257) float32, sparse.

    Sparse (502 of 24,672 weights are non-zero) because it is 3x faster and, unlike numpy's
    dense product, never wakes OpenBLAS's threads, whose spinning took about a fifth of the
    two cores away from TensorFlow during a song's analysis.
    """
    return scipy.sparse.csr_array(librosa.filters.mel(sr=SAMPLE_RATE, n_fft=N_FFT, n_mels=N_MELS))


def log_compress(mel_power: np.ndarray) -> np.ndarray:
    """musicnn's compression of mel power: float16 cast, then log10(10000 * S + 1), float32.

    The log is taken in float32. musicnn's code multiplies the float16 array itself, which
    overflows to inf wherever S > 6.55 (a pure bass tone of amplitude 0.15 is enough); fed
    those infs the network returns finite but meaningless features (cosine -0.18 to ours on a
    loud synthetic band). Its training cannot have seen such infs (its loss stayed finite), so
    below 6.55, where the two agree to float16 precision, is the range the model knows.
    """
    quantised = np.minimum(mel_power, _FLOAT16_MAX).astype(np.float16)
    return np.log10(10000 * quantised.astype(np.float32) + 1)


def log_mel(y: np.ndarray) -> np.ndarray:
    """Whole-signal reference front end, the computation of musicnn's `batch_data`.

    y: (n_samples,) float32 mono at 16 kHz.
    Returns (1 + n_samples // 256, 96) float32, log-mel, frame t centred on sample 256 t.
    """
    power = librosa.feature.melspectrogram(
        y=y, sr=SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP_LENGTH, n_mels=N_MELS
    )
    return log_compress(power.T)


def log_mel_uncentred(y: np.ndarray) -> np.ndarray:
    """Log-mel of uncentred frames: frame t reads samples [256 t, 256 t + 512).

    y: (n_samples,) float32 mono at 16 kHz, n_samples >= 512.
    Returns (1 + (n_samples - 512) // 256, 96) float32, log-mel.
    """
    stft = librosa.stft(y, n_fft=N_FFT, hop_length=HOP_LENGTH, center=False)
    power = np.abs(stft) ** 2
    return log_compress((mel_basis() @ power).T)


class LogMelStream:
    """Log-mel frames of a signal that arrives in blocks, equal to `log_mel` of the whole.

    Only the last 256-767 samples are kept between blocks, so memory does not grow with the
    length of the song. `push` 16 kHz mono float32 blocks, then call `finish` once; each returns
    the (k, 96) float32 log-mel frames completed so far.
    """

    def __init__(self) -> None:
        # librosa centres frames by padding n_fft // 2 zeros before the first sample.
        self._pending = np.zeros(N_FFT // 2, dtype=np.float32)

    def push(self, block: np.ndarray) -> np.ndarray:
        """Add (n,) float32 samples; return the (k, 96) frames whose window is complete."""
        self._pending = np.concatenate([self._pending, block.astype(np.float32, copy=False)])
        if len(self._pending) < N_FFT:
            return np.empty((0, N_MELS), dtype=np.float32)
        n_frames = 1 + (len(self._pending) - N_FFT) // HOP_LENGTH
        frames = log_mel_uncentred(self._pending[: (n_frames - 1) * HOP_LENGTH + N_FFT])
        self._pending = self._pending[n_frames * HOP_LENGTH :]
        return frames

    def finish(self) -> np.ndarray:
        """Flush the end of the signal (with librosa's trailing zero padding): (k, 96) frames."""
        frames = self.push(np.zeros(N_FFT // 2, dtype=np.float32))
        self._pending = np.zeros(0, dtype=np.float32)
        return frames


def split_patches(frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cut (n, 96) log-mel frames into non-overlapping 3-second patches, as musicnn does.

    Returns the (n // 187, 187, 96) float32 patches and the (n % 187, 96) frames left over.
    """
    n_patches = len(frames) // PATCH_FRAMES
    used = n_patches * PATCH_FRAMES
    return frames[:used].reshape(n_patches, PATCH_FRAMES, N_MELS), frames[used:]


def repeat_pad(frames: np.ndarray) -> np.ndarray:
    """Repeat (n, 96) frames, 0 < n < 187, into one (187, 96) patch.

    musicnn was trained with `pad_short: repeat-pad` (its config.json), so a clip shorter than
    3 s is repeated rather than padded with silence the model never saw.
    """
    repeats = -(-PATCH_FRAMES // len(frames))
    return np.tile(frames, (repeats, 1))[:PATCH_FRAMES]
