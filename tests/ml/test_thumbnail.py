import io

import numpy as np
import pytest
from PIL import Image

from ml.thumbnail import ThumbnailPooler, thumbnail_png


def frames(n: int) -> np.ndarray:
    return np.random.default_rng(n).uniform(0, 4, (n, 96)).astype(np.float32)


def decode_png(data: bytes) -> np.ndarray:
    """(height, width, 3) RGB, decoded by Pillow rather than by our own code."""
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return np.asarray(image.convert("RGB"))


def test_frames_are_max_pooled_in_equal_groups():
    song = frames(2500)
    pooler = ThumbnailPooler(expected_frames=2500)
    for first in range(0, 2500, 333):  # pushed in blocks that do not align with the groups
        pooler.push(song[first : first + 333])

    thumbnail = pooler.result()

    assert thumbnail.shape == (96, 834)  # groups of 3 frames, the last one partial
    np.testing.assert_array_equal(thumbnail[:, 5], song[15:18].max(axis=0))
    np.testing.assert_array_equal(thumbnail[:, -1], song[2499])


def test_a_song_longer_than_announced_still_fits():
    pooler = ThumbnailPooler(expected_frames=1000)
    pooler.push(frames(5000))

    thumbnail = pooler.result()

    assert thumbnail.shape[0] == 96 and thumbnail.shape[1] <= 1000


def test_png_has_the_thumbnail_size_and_low_bands_at_the_bottom():
    thumbnail = np.zeros((96, 40), dtype=np.float32)
    thumbnail[0] = 5.0  # energy in the lowest mel band only

    image = decode_png(thumbnail_png(thumbnail))

    assert image.shape == (96, 40, 3)
    assert image[-1].astype(int).sum(axis=1).min() > 600  # bottom row bright
    assert image[:-1].max() < 10  # everything else dark


def test_png_shades_follow_the_level_from_dark_to_bright():
    thumbnail = np.tile(np.linspace(0, 3, 50, dtype=np.float32), (96, 1))

    brightness = decode_png(thumbnail_png(thumbnail)).astype(int).sum(axis=2)[0]

    assert (np.diff(brightness) >= 0).all() and brightness[0] < 10 and brightness[-1] > 600


def test_png_of_silence_is_dark():
    image = decode_png(thumbnail_png(np.zeros((96, 10), dtype=np.float32)))

    assert image.max() < 10


def test_png_refuses_an_empty_thumbnail():
    with pytest.raises(ValueError, match="thumbnail"):
        thumbnail_png(np.zeros((96, 0), dtype=np.float32))
