import assert from "node:assert/strict";
import { test } from "node:test";

import { ListeningWalk, nextUnplayed, playlistSongIds } from "../../static/js/explorer/walk.js";

const n = (...ids) => ids.map((id, i) => ({ song: { id }, distance: i / 10 }));

test("each next song is the nearest not yet played", () => {
  const walk = new ListeningWalk(1);
  assert.equal(walk.extend(n(2, 3)), 2);
  assert.equal(walk.extend(n(1, 3, 4)), 3); // 1 was played: the next nearest
  assert.equal(walk.extend(n(1, 2, 3)), null); // all played: ask the server for more
  assert.equal(walk.extend(n(1, 2, 3, 8)), 8);
  assert.deepEqual(walk.path, [1, 2, 3, 8]);
  assert.equal(nextUnplayed(n(5), new Set([5])), null);
});

test("previous and next move along the walked path", () => {
  const walk = new ListeningWalk(1);
  walk.extend(n(2));
  walk.extend(n(3));
  assert.ok(!walk.hasWalkedAhead);
  assert.equal(walk.back(), 2);
  assert.equal(walk.back(), 1);
  assert.ok(!walk.canGoBack);
  assert.equal(walk.back(), 1);
  assert.ok(walk.hasWalkedAhead);
  assert.equal(walk.ahead(), 2);
  assert.equal(walk.current, 2);
});

test("stepping on from the middle of the path replaces the way ahead", () => {
  const walk = new ListeningWalk(1);
  walk.extend(n(2));
  walk.extend(n(3));
  walk.back();
  walk.back();
  assert.equal(walk.extend(n(2, 3, 9)), 9); // played songs stay played
  assert.deepEqual(walk.path, [1, 9]);
  assert.ok(walk.includes(3));
});

test("a playlist's songs play in the order of their positions", () => {
  const entries = [
    { position: 2, song: { id: 30 } },
    { position: 0, song: { id: 10 } },
    { position: 1, song: { id: 20 } },
  ];
  assert.deepEqual(playlistSongIds(entries), [10, 20, 30]);
  assert.deepEqual(playlistSongIds([]), []);
});

test("a walk along a playlist moves along it and stops at its end", () => {
  const walk = ListeningWalk.along([10, 20, 10, 30], { id: 3, name: "Mix" });
  assert.equal(walk.current, 10);
  assert.equal(walk.canGoBack, false);
  assert.equal(walk.atPlaylistEnd, false);
  assert.equal(walk.ahead(), 20);
  assert.equal(walk.extend(n(99)), null); // never leaves the playlist
  assert.deepEqual(walk.path, [10, 20, 10, 30]);
  assert.equal(walk.moveTo(10), true); // the next 10 ahead, not the first
  assert.equal(walk.position, 2);
  assert.equal(walk.moveTo(99), false);
  assert.equal(walk.position, 2);
  assert.equal(walk.ahead(), 30);
  assert.equal(walk.atPlaylistEnd, true);
  assert.equal(walk.back(), 10);
  assert.equal(new ListeningWalk(1).atPlaylistEnd, false); // "play similar" has no end
});
