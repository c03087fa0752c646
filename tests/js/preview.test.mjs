import assert from "node:assert/strict";
import { test } from "node:test";

import { regionOf } from "../../static/js/explorer/listview.js";
import { snippetStart } from "../../static/js/explorer/preview.js";

test("a preview plays the middle of a song, or all of a short one", () => {
  assert.equal(snippetStart(240), 117.5);
  assert.equal(snippetStart(6), 0.5);
  assert.equal(snippetStart(4), 0);
  assert.equal(snippetStart(Number.NaN), 0);
  assert.equal(snippetStart(Infinity), 0); // a stream of unknown length
});

test("a song's region is its cluster's name, or none", () => {
  const map = { summary: { clusters: ["Calm piano", "Fast drums"] }, cluster: new Uint8Array([1, 0, 255]) };
  assert.equal(regionOf(map, 0), "Fast drums");
  assert.equal(regionOf(map, 1), "Calm piano");
  assert.equal(regionOf(map, 2), null);
});
