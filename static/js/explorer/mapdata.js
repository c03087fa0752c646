// The active map as sent by GET /api/v1/map/points/ (explorer.selectors.map_points_packed), read
// into typed arrays as it arrives: 100,000 songs are 1.2 MB and never become 100,000 JS objects,
// and the first blocks of a million can be drawn while the rest are on their way.

export const NO_INDEX = 255; // genre or cluster byte of a song that has none
export const COORDINATE_SCALE = 32767; // coordinates in [-1, 1] travel as int16

export class MapFormatError extends Error {}

/**
 * Reads the binary map chunk by chunk (push), into arrays allocated once its header is in.
 * Layout, little-endian:
 *   uint32 header_length | header JSON (space-padded to a multiple of 4) |
 *   blocks of header.block points (the last one shorter), each
 *     int32 song_id[m] | int16 xyz[3m] | uint8 genre[m] | uint8 cluster[m]
 * (a header without "block" is a file written before blocks: one block of every point). The
 * points come in a random order, so the first ``map.loaded`` of them are an even sample.
 * ``map`` is null until the header is read, then {count, loaded, genres, summary,
 * ids: Int32Array(n), positions: Float32Array(3n) in [-1, 1], genre: Uint8Array(n),
 * cluster: Uint8Array(n), indexOf: Map(songId -> point index)}, filled up to ``loaded``.
 */
export class MapReader {
  constructor() {
    this.map = null;
    this.block = 0;
    this.chunks = []; // bytes received and not read yet
    this.buffered = 0;
  }

  /** Take the next bytes (a Uint8Array); returns how many points they completed. */
  push(bytes) {
    this.chunks.push(bytes);
    this.buffered += bytes.byteLength;
    if (this.map === null && !this.readHeader()) return 0;
    const { map } = this;
    const before = map.loaded;
    while (map.loaded < map.count) {
      const m = Math.min(this.block, map.count - map.loaded);
      if (this.buffered < 12 * m) break;
      this.readBlock(this.take(12 * m), m);
    }
    if (map.loaded === map.count && this.buffered > 0) throw lengthMismatch(map.count);
    return map.loaded - before;
  }

  /** The whole map, once every byte was pushed; throws when some are missing. */
  finish() {
    if (this.map === null) throw new MapFormatError("The map is shorter than its header.");
    if (this.map.loaded < this.map.count) throw lengthMismatch(this.map.count);
    return this.map;
  }

  readHeader() {
    if (this.buffered < 4) return false;
    const headerLength = new DataView(this.peek(4).buffer).getUint32(0, true);
    if (headerLength % 4 !== 0) {
      throw new MapFormatError("The map's header length does not fit the message.");
    }
    if (this.buffered < 4 + headerLength) return false;
    this.take(4);
    let header;
    try {
      header = JSON.parse(new TextDecoder().decode(this.take(headerLength)));
    } catch {
      throw new MapFormatError("The map's header is not JSON.");
    }
    const n = header.count;
    if (!Number.isInteger(n) || n < 0) throw new MapFormatError("The map's header has no count.");
    this.block = header.block ?? Math.max(n, 1);
    if (!Number.isInteger(this.block) || this.block < 1) {
      throw new MapFormatError("The map's header has no block size.");
    }
    this.map = {
      count: n,
      loaded: 0,
      genres: header.genres ?? [],
      summary: header.map ?? {},
      ids: new Int32Array(n),
      positions: new Float32Array(3 * n),
      genre: new Uint8Array(n),
      cluster: new Uint8Array(n),
      indexOf: new Map(),
    };
    return true;
  }

  /** A block of ``m`` points, in its own buffer (so that its arrays are aligned views). */
  readBlock(bytes, m) {
    const { map } = this;
    const start = map.loaded;
    const ids = new Int32Array(bytes.buffer, 0, m);
    const xyz = new Int16Array(bytes.buffer, 4 * m, 3 * m);
    map.ids.set(ids, start);
    const { positions } = map;
    for (let i = 0; i < 3 * m; i++) positions[3 * start + i] = xyz[i] / COORDINATE_SCALE;
    map.genre.set(bytes.subarray(10 * m, 11 * m), start);
    map.cluster.set(bytes.subarray(11 * m, 12 * m), start);
    for (let i = 0; i < m; i++) map.indexOf.set(ids[i], start + i);
    map.loaded += m;
  }

  /** A copy of the first ``length`` bytes received, in a buffer of its own; they stay. */
  peek(length) {
    const out = new Uint8Array(length);
    let filled = 0;
    for (const chunk of this.chunks) {
      if (filled === length) break;
      const part = chunk.subarray(0, length - filled);
      out.set(part, filled);
      filled += part.byteLength;
    }
    return out;
  }

  /** The first ``length`` bytes received, as peek, and gone from what is buffered. */
  take(length) {
    const out = this.peek(length);
    let left = length;
    while (left > 0) {
      const chunk = this.chunks[0];
      if (chunk.byteLength <= left) {
        this.chunks.shift();
        left -= chunk.byteLength;
      } else {
        this.chunks[0] = chunk.subarray(left);
        left = 0;
      }
    }
    this.buffered -= length;
    return out;
  }
}

function lengthMismatch(n) {
  return new MapFormatError(`The map should hold ${n} songs but its length does not match.`);
}

/** The whole binary map at once (an ArrayBuffer): MapReader's map, every point loaded. */
export function parseMap(buffer) {
  const reader = new MapReader();
  reader.push(new Uint8Array(buffer));
  return reader.finish();
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
