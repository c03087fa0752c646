import assert from "node:assert/strict";
import { test } from "node:test";

import {
  boundingSphere,
  COORDINATE_SCALE,
  MapFormatError,
  NO_INDEX,
  parseMap,
} from "../../static/js/explorer/mapdata.js";

/** A map message as explorer.selectors.map_points_packed writes it. */
export function packMap({ ids, xyz, genre, cluster, genres = [], summary = {} }) {
  const n = ids.length;
  let header = new TextEncoder().encode(JSON.stringify({ count: n, genres, map: summary }));
  const padded = new Uint8Array(Math.ceil(header.length / 4) * 4).fill(32);
  padded.set(header);
  header = padded;
  const buffer = new ArrayBuffer(4 + header.length + 12 * n);
  const view = new DataView(buffer);
  view.setUint32(0, header.length, true);
  new Uint8Array(buffer, 4, header.length).set(header);
  let offset = 4 + header.length;
  ids.forEach((id, i) => view.setInt32(offset + 4 * i, id, true));
  offset += 4 * n;
  xyz.forEach((v, i) => view.setInt16(offset + 2 * i, Math.round(v * COORDINATE_SCALE), true));
  offset += 6 * n;
  new Uint8Array(buffer, offset, n).set(genre);
  new Uint8Array(buffer, offset + n, n).set(cluster);
  return buffer;
}

test("a packed map reads back as typed arrays", () => {
  const buffer = packMap({
    ids: [7, 12, 900001],
    xyz: [1, -1, 0, 0.5, 0.25, -0.125, 0, 0, 1],
    genre: [0, NO_INDEX, 1],
    cluster: [2, 0, NO_INDEX],
    genres: ["folk", "metal"],
    summary: { id: 3, clusters: ["a", "b", "c"] },
  });
  const map = parseMap(buffer);
  assert.equal(map.count, 3);
  assert.deepEqual([...map.ids], [7, 12, 900001]);
  assert.deepEqual(map.genres, ["folk", "metal"]);
  assert.deepEqual(map.summary.clusters, ["a", "b", "c"]);
  const expected = [1, -1, 0, 0.5, 0.25, -0.125, 0, 0, 1];
  map.positions.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-4, `${i}: ${v}`));
  assert.deepEqual([...map.genre], [0, NO_INDEX, 1]);
  assert.deepEqual([...map.cluster], [2, 0, NO_INDEX]);
  assert.equal(map.indexOf.get(12), 1);
  assert.equal(map.indexOf.get(900001), 2);
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
  assert.throws(() => parseMap(tooLong), /header length/);
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
