// Reading the GPU picking pass (see gpupicker.js): the pick shader writes each point's index + 1
// into the red, green and blue bytes of a small square around the pointer; 0 means no point.

/** Index + 1 as [r, g, b] bytes, least significant first (up to 16,777,214 points). */
export function encodePick(index) {
  const id = index + 1;
  return [id & 255, (id >> 8) & 255, (id >> 16) & 255];
}

/** The point index stored at ``offset`` of RGBA ``pixels``, or -1 for background. */
export function decodePick(pixels, offset) {
  const id = pixels[offset] | (pixels[offset + 1] << 8) | (pixels[offset + 2] << 16);
  return id - 1;
}

/**
 * The point drawn nearest the centre of a ``size`` x ``size`` RGBA square, or -1. The square
 * lets a pointer that is a few pixels off a small point still find it; the depth test already
 * left the nearest point on top at every pixel.
 */
export function nearestPick(pixels, size) {
  const centre = (size - 1) / 2;
  let best = -1;
  let bestDistance = Infinity;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const index = decodePick(pixels, 4 * (y * size + x));
      if (index < 0) continue;
      const d = (x - centre) ** 2 + (y - centre) ** 2;
      if (d < bestDistance) {
        bestDistance = d;
        best = index;
      }
    }
  }
  return best;
}
