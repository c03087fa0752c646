import assert from "node:assert/strict";
import { test } from "node:test";

import { MAX_NAMES, placeNames, regionCentres } from "../../static/js/explorer/regions.js";

test("a region's middle is that of its songs not hidden", () => {
  const positions = new Float32Array([0, 0, 0, 2, 0, 0, 9, 9, 9, 0, 4, 0]);
  const cluster = new Uint8Array([0, 0, 0, 1]);
  const states = new Uint8Array([2, 1, 0, 0]); // shown, faded, hidden, hidden
  const [first, second] = regionCentres({ cluster, positions, states, count: 2 });
  assert.deepEqual(first, { centre: [1, 0, 0], songs: 2 });
  assert.deepEqual(second, { centre: null, songs: 0 });
});

const candidate = (name, x, y, depth = 2, songs = 100) => ({
  name,
  songs,
  x,
  y,
  depth,
  visible: true,
});

test("names are thinned: at most twenty, the most prominent first, none over another", () => {
  const many = Array.from({ length: 60 }, (_, i) =>
    candidate(`Region ${i}`, 60 + (i % 10) * 120, 40 + Math.floor(i / 10) * 60, 2 + i / 30),
  );
  const placed = placeNames(many, { total: 6000, width: 1300, height: 400 });
  assert.equal(placed.length, MAX_NAMES);
  assert.deepEqual(
    placed.map((p) => p.index),
    [...Array(20).keys()],
  );
  const overlapping = [candidate("Near", 100, 100, 1.5), candidate("Behind it", 110, 102, 3)];
  assert.deepEqual(
    placeNames(overlapping, { total: 200, width: 800, height: 600 }).map((p) => p.index),
    [0],
  );
});

test("nearer names are bigger and clearer; hidden and empty regions have none", () => {
  const [near, far] = placeNames(
    [candidate("Near", 100, 100, 1.5), candidate("Far", 500, 400, 4)],
    { total: 200, width: 800, height: 600, fogFar: 5 },
  );
  assert.ok(near.fontPx > far.fontPx && near.opacity > far.opacity);
  const none = placeNames(
    [{ ...candidate("Off", 100, 100), visible: false }, candidate("Empty", 300, 300, 2, 0)],
    { total: 200, width: 800, height: 600 },
  );
  assert.deepEqual(none, []);
});
