import assert from "node:assert/strict";
import { test } from "node:test";

import {
  easeInOut,
  flightDuration,
  flightPath,
  framingPose,
  travelOf,
} from "../../static/js/explorer/flight.js";

const A = { position: [0, 0, 3], target: [0, 0, 0] };
const B = { position: [2, 0, 3], target: [2, 0, 0] };

const close = (a, b, eps = 1e-9) => a.every((v, i) => Math.abs(v - b[i]) < eps);

test("the ease starts and ends at rest and is symmetric", () => {
  assert.equal(easeInOut(0), 0);
  assert.equal(easeInOut(1), 1);
  assert.equal(easeInOut(0.5), 0.5);
  for (const t of [0.1, 0.3, 0.45]) assert.ok(Math.abs(easeInOut(1 - t) - (1 - easeInOut(t))) < 1e-12);
  assert.ok(easeInOut(0.05) < 0.05 && easeInOut(0.95) > 0.95); // slow at both ends
});

test("a flight goes from one pose to the other, pulling back in the middle", () => {
  const path = flightPath(A, B);
  assert.ok(close(path(0).position, A.position) && close(path(0).target, A.target));
  assert.ok(close(path(1).position, B.position) && close(path(1).target, B.target));
  const middle = path(0.5);
  assert.ok(middle.position[2] > 3.4, middle); // backed off along the views' direction
  assert.ok(close(middle.target, [1, 0, 0]));
});

test("flying back retraces the way there", () => {
  const there = flightPath(A, B);
  const back = flightPath(B, A);
  for (const e of [0.1, 0.25, 0.5, 0.8]) {
    assert.ok(close(there(e).position, back(1 - e).position));
    assert.ok(close(there(e).target, back(1 - e).target));
  }
});

test("longer trips take longer, within bounds; no trip takes no time", () => {
  assert.equal(flightDuration(A, A), 0);
  const short = flightDuration(A, { position: [0.1, 0, 3], target: [0.1, 0, 0] });
  const long = flightDuration(A, { position: [0, 5, 9], target: [0, 5, 0] });
  assert.ok(short >= 550 && long <= 1600 && long > short);
  assert.equal(travelOf(A, B), 2);
});

test("a framing pose sees the sphere from the given side", () => {
  const pose = framingPose([1, 1, 1], 0.5, [0, 0, 1], Math.PI / 6);
  assert.deepEqual(pose.target, [1, 1, 1]);
  assert.ok(close(pose.position, [1, 1, 1 + (0.5 / 0.5) * 1.08]));
});
