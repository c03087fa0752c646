import assert from "node:assert/strict";
import { test } from "node:test";

import { ExplorerState, Signal } from "../../static/js/explorer/state.js";

test("a signal calls its listeners in order until one is removed", () => {
  const signal = new Signal();
  const heard = [];
  const removeFirst = signal.add((x) => heard.push(["first", x]));
  signal.add((x) => heard.push(["second", x]));
  signal.dispatch(1);
  removeFirst();
  signal.dispatch(2);
  assert.deepEqual(heard, [
    ["first", 1],
    ["second", 1],
    ["second", 2],
  ]);
});

test("requests reach the part that acts on them, and a selection can be awaited", async () => {
  const state = new ExplorerState();
  const asked = [];
  state.signals.selectRequested.add(async (songId, options) => {
    await null;
    asked.push(["select", songId, options]);
  });
  state.signals.listRequested.add((songs, name) => asked.push(["list", songs, name]));
  state.signals.fitRequested.add((indices) => asked.push(["fit", indices]));
  await state.select(7, { fromWalk: true });
  assert.deepEqual(asked, [["select", 7, { fromWalk: true }]]);
  state.playList([{ id: 1 }], "Mix");
  state.fit();
  assert.deepEqual(asked.slice(1), [
    ["list", [{ id: 1 }], "Mix"],
    ["fit", null],
  ]);
});

test("the map's points start shown; highlight changes are kept and announced", () => {
  const state = new ExplorerState();
  const map = {
    count: 3,
    ids: [10, 20, 30],
    indexOf: new Map([
      [10, 0],
      [20, 1],
      [30, 2],
    ]),
    genres: ["Rock"],
    genre: new Uint8Array([0, 0, 0]),
    cluster: new Uint8Array(3),
    summary: {},
  };
  const loaded = [];
  state.signals.mapLoaded.add((m) => loaded.push(m));
  state.loadMap(map, { bytes: 99 });
  assert.deepEqual(loaded, [map]);
  assert.deepEqual([...state.states], [2, 2, 2]);
  assert.equal(state.mapBytes, 99);
  assert.equal(state.colouring, "genre");
  assert.deepEqual(state.categories.names, ["Rock"]);
  assert.deepEqual(state.indicesOf([30, 99, 10]), [2, 0]);
  assert.deepEqual(state.idsOf([1, 2]), [20, 30]);
  const changes = [];
  state.signals.highlightChanged.add((c) => changes.push(c));
  state.setHighlight({ found: [0, 2] });
  assert.deepEqual(changes, [{ found: [0, 2] }]);
  assert.deepEqual(state.highlight.found, [0, 2]);
  assert.deepEqual(state.highlight.path, []);
});
