import assert from "node:assert/strict";
import test from "node:test";

import { labelBox, uncovered } from "../../static/js/explorer/labels.js";

test("a name that would cover one written before it waits; hidden points take no room", () => {
  const selected = [0, 0, 100, 20];
  const over = [50, 10, 150, 30]; // covers the selected song's name
  const clear = [0, 25, 100, 45]; // just below it
  const afterHidden = [200, 0, 300, 20];
  assert.deepEqual(uncovered([selected, over, clear, null, afterHidden]), [
    true,
    false,
    true,
    false,
    true,
  ]);
  // Touching edges do not cover; what waits leaves its place to the next.
  assert.deepEqual(uncovered([[0, 0, 10, 10], [10, 0, 20, 10], [5, 5, 15, 15], [5, 12, 9, 14]]), [
    true,
    true,
    false,
    true,
  ]);
});

test("a name goes right of its point, or left of it where the screen ends", () => {
  assert.deepEqual(labelBox(100, 50, 80, 20, 400), [110, 40, 190, 60]);
  assert.deepEqual(labelBox(350, 50, 80, 20, 400), [260, 40, 340, 60]);
  // Room on neither side: right of the point still, never over it.
  assert.deepEqual(labelBox(30, 50, 80, 20, 60), [40, 40, 120, 60]);
});
