import assert from "node:assert/strict";
import { test } from "node:test";

import { LegendState } from "../../static/js/explorer/palette.js";
import {
  API_MAX_K,
  DistanceFilter,
  FADED,
  HIDDEN,
  indicesAtLeast,
  pointStates,
  SHOWN,
} from "../../static/js/explorer/visibility.js";

const neighbour = (id, distance) => ({ song: { id }, distance });

test("hidden legend entries win over the distance filter", () => {
  const legend = new LegendState(2);
  const categoryOf = Uint8Array.from([0, 0, 1, 1]);
  const out = new Uint8Array(4);
  assert.deepEqual([...pointStates({ categoryOf, legend, within: null, out })], [2, 2, 2, 2]);
  legend.toggle(1);
  pointStates({ categoryOf, legend, within: new Set([0, 2]), out });
  assert.deepEqual([...out], [SHOWN, FADED, HIDDEN, HIDDEN]);
  assert.deepEqual(indicesAtLeast(out, FADED), [0, 1]);
  assert.deepEqual(indicesAtLeast(out, SHOWN), [0]);
});

test("the distance filter keeps the song and what the server found within the distance", () => {
  const filter = new DistanceFilter();
  assert.ok(!filter.active);
  filter.apply(5, 0.4, [neighbour(9, 0.1), neighbour(3, 0.35)]);
  assert.ok(filter.active);
  assert.deepEqual([...filter.withinIds].sort(), [3, 5, 9]);
  const indexOf = new Map([
    [5, 0],
    [9, 4],
    [77, 2],
  ]); // song 3 is not on the map (yet)
  assert.deepEqual([...filter.withinIndices(indexOf)].sort(), [0, 4]);
  assert.equal(filter.describe(), "2 songs within 0.40.");
  filter.clear();
  assert.ok(!filter.active && filter.describe() === "");
});

test("at the API's cap the filter says more songs may lie within the distance", () => {
  const filter = new DistanceFilter();
  const results = Array.from({ length: API_MAX_K }, (_, i) => neighbour(i + 10, i / 200));
  filter.apply(1, 0.9, results);
  assert.ok(filter.truncated);
  assert.match(filter.describe(), /100 nearest songs shown \(more lie within 0\.90\)/);
  filter.apply(1, 0.01, []);
  assert.equal(filter.describe(), "No other song lies within 0.01.");
});

test("the slider's far end switches the filter off", () => {
  assert.ok(DistanceFilter.isActiveAt(1.99));
  assert.ok(!DistanceFilter.isActiveAt(2));
});
