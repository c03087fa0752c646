import assert from "node:assert/strict";
import { test } from "node:test";

import { NO_INDEX } from "../../static/js/explorer/mapdata.js";
import {
  availableColourings,
  categoriesFor,
  categoryColour,
  defaultColouring,
  LegendState,
  pointColours,
  UNKNOWN_COLOUR,
  UNKNOWN_NAME,
} from "../../static/js/explorer/palette.js";

function fakeMap({ genre, cluster, genres, clusters }) {
  return {
    count: genre.length,
    genre: Uint8Array.from(genre),
    cluster: Uint8Array.from(cluster),
    genres,
    summary: { clusters },
  };
}

test("genres colour the map when songs have them, clusters otherwise", () => {
  const labelled = fakeMap({ genre: [0, 1], cluster: [0, 0], genres: ["a", "b"], clusters: ["c"] });
  assert.equal(defaultColouring(labelled), "genre");
  assert.deepEqual(availableColourings(labelled), ["genre", "cluster"]);
  const unlabelled = fakeMap({
    genre: [NO_INDEX, NO_INDEX],
    cluster: [0, 1],
    genres: [],
    clusters: ["calm", "loud"],
  });
  assert.equal(defaultColouring(unlabelled), "cluster");
  assert.deepEqual(availableColourings(unlabelled), ["cluster"]);
  const bare = fakeMap({ genre: [NO_INDEX], cluster: [NO_INDEX], genres: [], clusters: [] });
  assert.equal(defaultColouring(bare), null);
});

test("songs without a category share an 'Unlabelled' entry at the end", () => {
  const map = fakeMap({
    genre: [1, NO_INDEX, 0, 1],
    cluster: [0, 0, 0, 0],
    genres: ["folk", "metal"],
    clusters: [],
  });
  const categories = categoriesFor(map, "genre");
  assert.deepEqual(categories.names, ["folk", "metal", UNKNOWN_NAME]);
  assert.deepEqual(categories.counts, [1, 2, 1]);
  assert.deepEqual([...categories.categoryOf], [1, 2, 0, 1]);
  assert.deepEqual(categories.colours[2], UNKNOWN_COLOUR);
  const colours = pointColours(categories);
  assert.deepEqual([...colours.slice(3, 6)], UNKNOWN_COLOUR);
  assert.deepEqual([...colours.slice(0, 3)], categoryColour(1));
});

test("no 'Unlabelled' entry when every song has a category", () => {
  const map = fakeMap({ genre: [0, 0], cluster: [1, 0], genres: ["x"], clusters: ["p", "q"] });
  assert.deepEqual(categoriesFor(map, "cluster").names, ["p", "q"]);
  assert.deepEqual(categoriesFor(map, "cluster").counts, [1, 1]);
});

test("colours stay distinct far past the hand-picked palette", () => {
  const seen = new Set();
  for (let i = 0; i < 60; i++) {
    const c = categoryColour(i);
    assert.equal(c.length, 3);
    assert.ok(c.every((v) => Number.isInteger(v) && v >= 0 && v <= 255));
    seen.add(c.join());
  }
  assert.equal(seen.size, 60);
});

test("legend entries toggle on and off", () => {
  const legend = new LegendState(3);
  assert.ok(legend.isShown(1));
  assert.equal(legend.toggle(1), false);
  assert.ok(!legend.isShown(1) && legend.anyHidden);
  assert.equal(legend.toggle(1), true);
  legend.toggle(0);
  legend.toggle(2);
  legend.showAll();
  assert.ok(!legend.anyHidden);
});
