"""A small picture of a song's spectrogram for its page: pooled log-mel and a PNG of it."""

import struct
import zlib

import numpy as np

from ml.spectrogram import N_MELS

MAX_COLUMNS = 1000

# Dark blue -> purple -> orange -> pale yellow, close to matplotlib's "magma" so quiet
# regions read as dark and loud ones as bright.
_COLOURS = np.array(
    [[0, 0, 4], [59, 15, 112], [140, 41, 129], [222, 73, 104], [254, 159, 109], [252, 253, 191]],
    dtype=np.float64,
)


class ThumbnailPooler:
    """Max-pools log-mel frames over time into at most `max_columns` columns, as they arrive.

    Frames are pooled in groups of ceil(expected_frames / max_columns); if the song turns out
    longer than expected (a container that misstates its length) the columns are pooled again
    at the end, so the result never exceeds `max_columns`. Memory: about max_columns columns.
    Max rather than mean pooling, so that short loud events (drum hits) stay visible.
    """

    def __init__(self, expected_frames: int, max_columns: int = MAX_COLUMNS) -> None:
        self.max_columns = max_columns
        self.width = max(1, -(-expected_frames // max_columns))
        self._columns: list[np.ndarray] = []
        self._partial = np.empty((0, N_MELS), dtype=np.float32)

    def push(self, frames: np.ndarray) -> None:
        """Add (n, 96) float32 log-mel frames."""
        frames = np.concatenate([self._partial, frames])
        full = len(frames) // self.width * self.width
        if full:
            pooled = frames[:full].reshape(-1, self.width, N_MELS).max(axis=1)
            self._columns.extend(pooled)
        self._partial = frames[full:]

    def result(self) -> np.ndarray:
        """(96, n_columns) float32 log-mel, low frequencies first, n_columns <= max_columns."""
        columns = self._columns + ([self._partial.max(axis=0)] if len(self._partial) else [])
        if not columns:
            return np.zeros((N_MELS, 0), dtype=np.float32)
        image = np.stack(columns)
        if len(image) > self.max_columns:
            factor = -(-len(image) // self.max_columns)
            padded = np.pad(image, ((0, -len(image) % factor), (0, 0)), mode="edge")
            image = padded.reshape(-1, factor, N_MELS).max(axis=1)
        return np.ascontiguousarray(image.T, dtype=np.float32)


def _palette() -> np.ndarray:
    """(256, 3) uint8: _COLOURS interpolated over the 256 levels of an indexed PNG."""
    position = np.linspace(0, len(_COLOURS) - 1, 256)
    lower = np.minimum(position.astype(int), len(_COLOURS) - 2)
    fraction = (position - lower)[:, None]
    rgb = _COLOURS[lower] * (1 - fraction) + _COLOURS[lower + 1] * fraction
    return np.round(rgb).astype(np.uint8)


_PALETTE = _palette()


def thumbnail_png(thumbnail: np.ndarray) -> bytes:
    """Render a (96, n_columns) log-mel thumbnail as an indexed-colour PNG, low frequencies at
    the bottom.

    Brightness is scaled to the song's own loudest value, so a quiet recording is still
    readable; an all-silent song renders dark instead of dividing by zero. One byte per pixel
    into a 256-colour palette: a third of the bytes of RGB to compress, and a smaller file.
    """
    if thumbnail.ndim != 2 or thumbnail.shape[1] == 0:
        raise ValueError(f"expected a (bands, columns) thumbnail, got shape {thumbnail.shape}")
    peak = float(thumbnail.max())
    level = np.clip(thumbnail / peak, 0.0, 1.0) if peak > 0 else np.zeros_like(thumbnail)
    return _png(np.round(level[::-1] * 255).astype(np.uint8))


def _png(indices: np.ndarray) -> bytes:
    """Encode a (height, width) uint8 image of _PALETTE indices as PNG, standard library only."""
    height, width = indices.shape
    # Each row starts with filter type 1 (sub): neighbouring columns of a spectrogram are alike,
    # so the differences compress better than the values.
    sub = np.diff(indices, axis=1, prepend=np.uint8(0))
    rows = np.concatenate([np.ones((height, 1), np.uint8), sub], axis=1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)  # 8-bit palette indices
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"PLTE", _PALETTE.tobytes())
        + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6))
        + chunk(b"IEND", b"")
    )
