"""Analysing one song: decode, log-mel patches, backbone, pooled embedding, tags and thumbnail.

Two policies, chosen by `patch_budget`:

- `None`: every non-overlapping 3-second patch of the song, decoded as a stream (memory stays
  flat however long the file is).
- `N`: N patches of that same grid, spread evenly over the song, and only their windows are
  decoded (a seek per patch), so a 4-minute song costs N patches instead of 80.

The default, 5 patches (15 s of a song), comes from bench/similarity.py on real recordings (191
tracks of 8 soundtracks, same-soundtrack precision@5 of the descriptor, ml.descriptor): 3
patches 0.47, 5 0.52, 10 0.53, 30 0.54. Most of what more patches give is there at 5, and each
patch costs both musicnn models: at 5 the analysis runs at about 190x realtime on two cores
here (200x end to end through the workers; at 10, about 90x), above the 150x promised.
"""

import os
import tempfile
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.fft

from ml.audio import AudioInfo, probe, read_windows, stream_mono
from ml.descriptor import DescriptorPool
from ml.spectrogram import (
    HOP_LENGTH,
    N_FFT,
    N_MELS,
    PATCH_FRAMES,
    PATCH_SAMPLES,
    LogMelStream,
    log_mel_uncentred,
    repeat_pad,
    split_patches,
)
from ml.thumbnail import ThumbnailPooler

if TYPE_CHECKING:
    from ml.backbone import MusicnnBackbone

DEFAULT_PATCH_BUDGET = 5  # see the module docstring


@dataclass(frozen=True)
class SongAnalysis:
    """Everything the catalogue keeps from analysing one audio file."""

    embedding: np.ndarray  # (200,) float32, mean of the patches' MSD penultimate features, raw
    msd_tag_probabilities: np.ndarray  # (50,) float32 in [0, 1], mean over patches, MSD_TAGS order
    # (50,) float32 in [0, 1], mean over the patches, MTT_TAGS order; None without a tagger
    mtt_tag_probabilities: np.ndarray | None
    # (800,) float32: both models' penultimate features pooled (ml.descriptor); None without a
    # tagger (the MagnaTagATune model)
    descriptor: np.ndarray | None
    thumbnail: np.ndarray  # (96, <=1000) float32 log-mel, low bands first (analysed audio only)
    duration_s: float  # of the file, from its container
    sample_rate: int  # Hz, of the file
    channels: int  # of the file
    patches_analysed: int
    patches_in_song: int  # 3-second patches in the whole song (at least 1)
    # (40,) float32: mean and standard deviation over the analysed frames of 20 MFCCs (the DCT
    # of the log-mel frames) - the plain baseline that evaluate_embeddings measures the CNN by.
    mfcc_stats: np.ndarray


def analyse_file(
    path: str | os.PathLike,
    *,
    backbone: "MusicnnBackbone",
    patch_budget: int | None = DEFAULT_PATCH_BUDGET,
    tagger: "MusicnnBackbone | None" = None,
) -> SongAnalysis:
    """Analyse an audio file with the whole song (`patch_budget=None`) or N evenly spread patches.

    A song shorter than one patch (3 s) is repeat-padded into one patch, as musicnn was trained.
    Files that cannot be sought in (formats read through audioread) are always analysed whole.
    With a `tagger` (ml.backbone.load_mtt_tagger), the analysed patches also go through the
    MagnaTagATune model, for its tags and for the descriptor.
    Raises ml.audio.InvalidAudio with a readable message for anything that is not usable audio.
    """
    if patch_budget is not None and patch_budget < 1:
        raise ValueError(f"patch_budget must be None or at least 1, got {patch_budget}")
    info = probe(path)
    patches_in_song = max(1, (1 + info.resampled_length // HOP_LENGTH) // PATCH_FRAMES)
    pool = _PatchPool(backbone, tagger)
    if patch_budget is not None and info.seekable and patches_in_song > patch_budget:
        return _analyse_windows(path, info, pool, patches_in_song, patch_budget)
    return _analyse_stream(path, info, pool)


def warm_up(
    backbone: "MusicnnBackbone",
    *,
    patch_budget: int | None = DEFAULT_PATCH_BUDGET,
    tagger: "MusicnnBackbone | None" = None,
) -> None:
    """Analyse two short generated files, so that a new worker's first song is as fast as the rest.

    The first analysis in a process costs over a second more than the next ones (librosa's and
    the decoders' lazy set-up, TensorFlow's first run of each batch shape); a worker pays that
    at start-up instead. Covers the budgeted path (a 40-second file) and the whole-song stream
    (a 5-second one), decoded from 44.1 kHz stereo FLAC as most uploads are.
    """
    import soundfile

    noise = np.random.default_rng(0).uniform(-0.1, 0.1, (40 * 44_100, 2)).astype(np.float32)
    with tempfile.TemporaryDirectory(prefix="neuralnotes-warm-up-") as folder:
        for seconds in (40, 5):
            path = os.path.join(folder, f"{seconds}s.flac")
            soundfile.write(path, noise[: seconds * 44_100], 44_100)
            analyse_file(path, backbone=backbone, patch_budget=patch_budget, tagger=tagger)


def budget_patch_indices(patches_in_song: int, budget: int) -> np.ndarray:
    """Indices of `budget` patches spread evenly over the song: (budget,) int, increasing.

    Patch k sits at the middle of the k-th of `budget` equal stretches of the song, so neither
    the first nor the last patch is pinned to the (often quiet) start or end.
    """
    budget = min(budget, patches_in_song)
    return np.floor((np.arange(budget) + 0.5) * patches_in_song / budget).astype(int)


def _analyse_stream(path: str | os.PathLike, info: AudioInfo, pool: "_PatchPool") -> SongAnalysis:
    spectrogram = LogMelStream()
    thumbnail = ThumbnailPooler(1 + info.resampled_length // HOP_LENGTH)
    leftover = np.empty((0, N_MELS), dtype=np.float32)

    def take(frames: np.ndarray) -> None:
        nonlocal leftover
        thumbnail.push(frames)
        patches, leftover = split_patches(
            np.concatenate([leftover, frames]) if len(leftover) else frames
        )
        pool.add(patches)

    for block in stream_mono(path):
        take(spectrogram.push(block))
    take(spectrogram.finish())
    if pool.count + len(pool.pending) == 0:
        pool.add(repeat_pad(leftover)[None])
    pool.flush()
    return pool.result(info, thumbnail.result(), patches_in_song=pool.count)


def _analyse_windows(
    path: str | os.PathLike,
    info: AudioInfo,
    pool: "_PatchPool",
    patches_in_song: int,
    budget: int,
) -> SongAnalysis:
    indices = budget_patch_indices(patches_in_song, budget)
    # Patch i starts at frame 187 i, centred on sample 256 * 187 i; its first window starts
    # n_fft / 2 earlier (negative for the first patch: librosa's leading zero padding).
    starts = indices * PATCH_FRAMES * HOP_LENGTH - N_FFT // 2
    patches = np.stack(
        [log_mel_uncentred(w) for w in read_windows(path, info, starts, PATCH_SAMPLES)]
    )
    thumbnail = ThumbnailPooler(len(indices) * PATCH_FRAMES)
    thumbnail.push(patches.reshape(-1, patches.shape[-1]))
    pool.add(patches)
    pool.flush()
    return pool.result(info, thumbnail.result(), patches_in_song=patches_in_song)


class _PatchPool:
    """Runs patches through the backbone (and the tagger, if there is one) in full batches and
    keeps running moments of their outputs: no per-patch state, whatever the song's length."""

    def __init__(self, backbone: "MusicnnBackbone", tagger: "MusicnnBackbone | None") -> None:
        self.backbone = backbone
        self.tagger = tagger
        self.pending: list[np.ndarray] = []
        self.count = 0
        self.feature_sum: np.ndarray | float = 0.0
        self.tag_sum: np.ndarray | float = 0.0
        self.mtt_tag_sum: np.ndarray | float = 0.0
        self.descriptor = DescriptorPool()
        self.mfcc = MfccMoments()

    def add(self, patches: np.ndarray) -> None:
        """Queue (n, 187, 96) patches; run every full batch now, keep the rest for later."""
        self.pending.extend(patches)
        full = len(self.pending) // self.backbone.batch_size * self.backbone.batch_size
        if full:
            self._run(self.pending[:full])
            self.pending = self.pending[full:]

    def flush(self) -> None:
        """Run whatever is still queued, as one last partial batch."""
        if self.pending:
            self._run(self.pending)
            self.pending = []

    def _run(self, patches: list[np.ndarray]) -> None:
        stacked = np.stack(patches)
        self.mfcc.push(stacked.reshape(-1, stacked.shape[-1]))
        features, tags = self.backbone.predict(stacked)
        self.feature_sum = self.feature_sum + features.sum(axis=0, dtype=np.float64)
        self.tag_sum = self.tag_sum + tags.sum(axis=0, dtype=np.float64)
        if self.tagger is not None:
            mtt_features, mtt_tags = self.tagger.predict(stacked)
            self.mtt_tag_sum = self.mtt_tag_sum + mtt_tags.sum(axis=0, dtype=np.float64)
            self.descriptor.push(features, mtt_features)
        self.count += len(patches)

    def result(
        self, info: AudioInfo, thumbnail: np.ndarray, *, patches_in_song: int
    ) -> SongAnalysis:
        tagged = self.tagger is not None
        return SongAnalysis(
            embedding=np.asarray(self.feature_sum / self.count, dtype=np.float32),
            msd_tag_probabilities=np.asarray(self.tag_sum / self.count, dtype=np.float32),
            mtt_tag_probabilities=(
                np.asarray(self.mtt_tag_sum / self.count, dtype=np.float32) if tagged else None
            ),
            descriptor=self.descriptor.result() if tagged else None,
            thumbnail=thumbnail,
            duration_s=info.duration_s,
            sample_rate=info.sample_rate,
            channels=info.channels,
            patches_analysed=self.count,
            patches_in_song=patches_in_song,
            mfcc_stats=self.mfcc.result(),
        )


MFCC_COEFFICIENTS = 20


class MfccMoments:
    """Running mean and standard deviation of MFCCs over log-mel frames, in O(1) memory."""

    def __init__(self) -> None:
        self.frames = 0
        self.total = np.zeros(MFCC_COEFFICIENTS)
        self.squares = np.zeros(MFCC_COEFFICIENTS)

    def push(self, log_mel_frames: np.ndarray) -> None:
        """log_mel_frames: (n, 96) float32 log-mel."""
        coefficients = scipy.fft.dct(
            log_mel_frames.astype(np.float64), type=2, norm="ortho", axis=1
        )
        coefficients = coefficients[:, :MFCC_COEFFICIENTS]
        self.frames += len(coefficients)
        self.total += coefficients.sum(axis=0)
        self.squares += (coefficients**2).sum(axis=0)

    def result(self) -> np.ndarray:
        mean = self.total / max(self.frames, 1)
        std = np.sqrt(np.maximum(self.squares / max(self.frames, 1) - mean**2, 0))
        return np.concatenate([mean, std]).astype(np.float32)
