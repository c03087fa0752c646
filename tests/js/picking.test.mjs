import assert from "node:assert/strict";
import { test } from "node:test";

import { decodePick, encodePick, nearestPick } from "../../static/js/explorer/picking.js";

test("point indices survive the trip through colour bytes", () => {
  for (const index of [0, 1, 254, 255, 256, 65535, 99_999, 16_777_213]) {
    const pixels = Uint8Array.from([...encodePick(index), 255]);
    assert.equal(decodePick(pixels, 0), index);
  }
  assert.equal(decodePick(new Uint8Array(4), 0), -1);
});

test("the point drawn nearest the pointer wins", () => {
  const size = 5;
  const pixels = new Uint8Array(size * size * 4);
  const paint = (x, y, index) => pixels.set([...encodePick(index), 255], 4 * (y * size + x));
  assert.equal(nearestPick(pixels, size), -1);
  paint(0, 0, 10);
  assert.equal(nearestPick(pixels, size), 10);
  paint(3, 2, 20); // one pixel from the centre
  assert.equal(nearestPick(pixels, size), 20);
  paint(2, 2, 30);
  assert.equal(nearestPick(pixels, size), 30);
});
