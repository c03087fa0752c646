// The active map as sent by GET /api/v1/map/points/ (explorer.selectors.map_points_packed), read
// into typed arrays: 100,000 songs are 1.2 MB on the wire and never become 100,000 JS objects.

export const NO_INDEX = 255; // genre or cluster byte of a song that has none
export const COORDINATE_SCALE = 32767; // coordinates in [-1, 1] travel as int16

export class MapFormatError extends Error {}

/**
 * Parse the binary map. Layout, little-endian:
 *   uint32 header_length | header JSON (space-padded to a multiple of 4) |
 *   int32 song_id[n] | int16 xyz[3n] | uint8 genre[n] | uint8 cluster[n]
 * Returns {count, genres, summary, ids: Int32Array(n), positions: Float32Array(3n) in [-1, 1],
 * genre: Uint8Array(n), cluster: Uint8Array(n), indexOf: Map(songId -> point index)}.
 */
export function parseMap(buffer) {
  if (buffer.byteLength < 4) throw new MapFormatError("The map is shorter than its header.");
  const view = new DataView(buffer);
  const headerLength = view.getUint32(0, true);
  if (headerLength % 4 !== 0 || 4 + headerLength > buffer.byteLength) {
    throw new MapFormatError("The map's header length does not fit the message.");
  }
  let header;
  try {
    header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, headerLength)));
  } catch {
    throw new MapFormatError("The map's header is not JSON.");
  }
  const n = header.count;
  if (!Number.isInteger(n) || n < 0) throw new MapFormatError("The map's header has no count.");
  const offset = 4 + headerLength;
  if (buffer.byteLength !== offset + 12 * n) {
    throw new MapFormatError(`The map should hold ${n} songs but its length does not match.`);
  }
  // Every block starts on a boundary its type allows (the header is padded to 4 bytes), so
  // the arrays are views, not copies. Typed arrays read in the machine's byte order: every
  // platform browsers run on is little-endian, like the message.
  const ids = new Int32Array(buffer, offset, n);
  const xyz = new Int16Array(buffer, offset + 4 * n, 3 * n);
  const genre = new Uint8Array(buffer, offset + 10 * n, n);
  const cluster = new Uint8Array(buffer, offset + 11 * n, n);
  const positions = new Float32Array(3 * n);
  for (let i = 0; i < 3 * n; i++) positions[i] = xyz[i] / COORDINATE_SCALE;
  const indexOf = new Map();
  for (let i = 0; i < n; i++) indexOf.set(ids[i], i);
  return {
    count: n,
    genres: header.genres ?? [],
    summary: header.map ?? {},
    ids,
    positions,
    genre,
    cluster,
    indexOf,
  };
}

/**
 * The centre and radius of a sphere around the points at ``indices`` (all points when null):
 * the centre of their bounding box and the largest distance from it. {centre: [x, y, z], radius}.
 */
export function boundingSphere(positions, indices = null) {
  const count = indices ? indices.length : positions.length / 3;
  if (count === 0) return { centre: [0, 0, 0], radius: 1 };
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  for (let j = 0; j < count; j++) {
    const i = indices ? indices[j] : j;
    for (let a = 0; a < 3; a++) {
      const v = positions[3 * i + a];
      if (v < min[a]) min[a] = v;
      if (v > max[a]) max[a] = v;
    }
  }
  const centre = [0, 1, 2].map((a) => (min[a] + max[a]) / 2);
  let radius2 = 0;
  for (let j = 0; j < count; j++) {
    const i = indices ? indices[j] : j;
    const dx = positions[3 * i] - centre[0];
    const dy = positions[3 * i + 1] - centre[1];
    const dz = positions[3 * i + 2] - centre[2];
    radius2 = Math.max(radius2, dx * dx + dy * dy + dz * dz);
  }
  return { centre, radius: Math.sqrt(radius2) };
}
