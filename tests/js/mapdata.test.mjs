import assert from "node:assert/strict";
import { test } from "node:test";

import {
  boundingSphere,
  COORDINATE_SCALE,
  MapFormatError,
  MapReader,
  NO_INDEX,
  parseMap,
} from "../../static/js/explorer/mapdata.js";

/**
 * A map message as explorer.selectors.map_points_packed writes it: blocks of ``block`` points
 * (null: the layout before blocks, one block of every point, its header naming no block size).
 */
export function packMap({ ids, xyz, genre, cluster, genres = [], summary = {}, block = 2 }) {
  const n = ids.length;
  const fields = { count: n, genres, map: summary, ...(block === null ? {} : { block }) };
  let header = new TextEncoder().encode(JSON.stringify(fields));
  const padded = new Uint8Array(Math.ceil(header.length / 4) * 4).fill(32);
  padded.set(header);
  header = padded;
  const buffer = new ArrayBuffer(4 + header.length + 12 * n);
  const view = new DataView(buffer);
  view.setUint32(0, header.length, true);
  new Uint8Array(buffer, 4, header.length).set(header);
  let offset = 4 + header.length;
  const size = block ?? Math.max(n, 1);
  for (let start = 0; start < n; start += size) {
    const m = Math.min(size, n - start);
    for (let i = 0; i < m; i++) view.setInt32(offset + 4 * i, ids[start + i], true);
    for (let i = 0; i < 3 * m; i++) {
      const v = Math.round(xyz[3 * start + i] * COORDINATE_SCALE);
      view.setInt16(offset + 4 * m + 2 * i, v, true);
    }
    new Uint8Array(buffer, offset + 10 * m, m).set(genre.slice(start, start + m));
    new Uint8Array(buffer, offset + 11 * m, m).set(cluster.slice(start, start + m));
    offset += 12 * m;
  }
  return buffer;
}

const FIVE = {
  ids: [7, 12, 900001, 3, 44],
  xyz: [1, -1, 0, 0.5, 0.25, -0.125, 0, 0, 1, 0.2, 0.4, 0.6, -0.3, -0.2, -0.1],
  genre: [0, NO_INDEX, 1, 1, 0],
  cluster: [2, 0, NO_INDEX, 1, 1],
  genres: ["folk", "metal"],
  summary: { id: 3, clusters: ["a", "b", "c"] },
};

function assertFive(map) {
  assert.equal(map.count, 5);
  assert.equal(map.loaded, 5);
  assert.deepEqual([...map.ids], FIVE.ids);
  assert.deepEqual(map.genres, ["folk", "metal"]);
  assert.deepEqual(map.summary.clusters, ["a", "b", "c"]);
  map.positions.forEach((v, i) => assert.ok(Math.abs(v - FIVE.xyz[i]) < 1e-4, `${i}: ${v}`));
  assert.deepEqual([...map.genre], FIVE.genre);
  assert.deepEqual([...map.cluster], FIVE.cluster);
  FIVE.ids.forEach((id, i) => assert.equal(map.indexOf.get(id), i));
}

test("a map read in chunks of any size fills its arrays block by block", () => {
  const bytes = new Uint8Array(packMap({ ...FIVE, block: 2 }));
  for (const size of [1, 3, 7, 24, bytes.length]) {
    const reader = new MapReader();
    const loaded = [];
    for (let at = 0; at < bytes.length; at += size) {
      reader.push(bytes.subarray(at, at + size));
      if (reader.map) loaded.push(reader.map.loaded);
    }
    // Points become usable as each block of two completes, never half a block.
    assert.ok(loaded.every((n) => n === 0 || n === 2 || n === 4 || n === 5), `${size}: ${loaded}`);
    assertFive(reader.finish());
  }
});

test("a map written before blocks is read as one block", () => {
  assertFive(parseMap(packMap({ ...FIVE, block: null })));
});

test("a packed map reads back as typed arrays", () => {
  assertFive(parseMap(packMap(FIVE)));
});

test("headers of every padding length parse (the arrays stay aligned)", () => {
  for (let extra = 0; extra < 4; extra++) {
    const buffer = packMap({
      ids: [1, 2],
      xyz: [0, 0, 0, 0.1, 0.2, 0.3],
      genre: [0, 0],
      cluster: [0, 0],
      genres: ["x".repeat(extra + 1)],
    });
    assert.equal(parseMap(buffer).count, 2);
  }
});

test("an empty map has no points", () => {
  const map = parseMap(packMap({ ids: [], xyz: [], genre: [], cluster: [] }));
  assert.equal(map.count, 0);
  assert.equal(map.positions.length, 0);
});

test("a cut-off or malformed message is refused with a reason", () => {
  const buffer = packMap({ ids: [1], xyz: [0, 0, 0], genre: [0], cluster: [0] });
  assert.throws(() => parseMap(buffer.slice(0, buffer.byteLength - 1)), MapFormatError);
  assert.throws(() => parseMap(new ArrayBuffer(2)), MapFormatError);
  const bad = new ArrayBuffer(12);
  new DataView(bad).setUint32(0, 8, true);
  new Uint8Array(bad, 4, 8).set(new TextEncoder().encode("not json"));
  assert.throws(() => parseMap(bad), /not JSON/);
  const tooLong = new ArrayBuffer(8);
  new DataView(tooLong).setUint32(0, 400, true);
  assert.throws(() => parseMap(tooLong), /shorter than its header/);
  const misaligned = new ArrayBuffer(8);
  new DataView(misaligned).setUint32(0, 3, true);
  assert.throws(() => parseMap(misaligned), /header length/);
  const trailing = new Uint8Array(buffer.byteLength + 1);
  trailing.set(new Uint8Array(buffer));
  assert.throws(() => parseMap(trailing.buffer), /length does not match/);
});

test("the bounding sphere holds the chosen points", () => {
  const positions = new Float32Array([0, 0, 0, 1, 0, 0, 0, 2, 0, -5, -5, -5]);
  const some = boundingSphere(positions, [0, 1, 2]);
  assert.deepEqual(some.centre, [0.5, 1, 0]);
  assert.ok(Math.abs(some.radius - Math.hypot(0.5, 1)) < 1e-6);
  const all = boundingSphere(positions);
  assert.deepEqual(all.centre, [-2, -1.5, -2.5]);
  for (let i = 0; i < 4; i++) {
    const d = Math.hypot(...[0, 1, 2].map((a) => positions[3 * i + a] - all.centre[a]));
    assert.ok(d <= all.radius + 1e-6);
  }
  assert.deepEqual(boundingSphere(positions, []), { centre: [0, 0, 0], radius: 1 });
});
