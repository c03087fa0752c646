import assert from "node:assert/strict";
import { test } from "node:test";

import { PICK_RADIUS, PointGrid } from "../../static/js/explorer/pointgrid.js";
import { FADED, HIDDEN, SHOWN } from "../../static/js/explorer/visibility.js";

const WIDTH = 800;
const HEIGHT = 600;
const FOV = (50 * Math.PI) / 180;

/** A camera at ``eye`` looking at the origin (up: +y), as the view PointGrid.pick takes. */
function viewFrom(eye, states, { worldPixels = 20, min = 2, max = 28 } = {}) {
  const len = (v) => Math.hypot(...v);
  const norm = (v) => v.map((c) => c / len(v));
  const cross = (a, b) => [
    a[1] * b[2] - a[2] * b[1],
    a[2] * b[0] - a[0] * b[2],
    a[0] * b[1] - a[1] * b[0],
  ];
  const dot = (a, b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  const back = norm(eye); // the camera looks along -back
  const right = norm(cross([0, 1, 0], back));
  const up = cross(back, right);
  const f = 1 / Math.tan(FOV / 2);
  const aspect = WIDTH / HEIGHT;
  const [near, far] = [0.005, 50];
  // Rows of projection times view; the matrix is handed over column-major.
  const rows = [
    [...right.map((c) => (c * f) / aspect), (-dot(right, eye) * f) / aspect],
    [...up.map((c) => c * f), -dot(up, eye) * f],
    [0, 0, 0, 0],
    [...back.map((c) => -c), dot(back, eye)],
  ];
  const zz = (far + near) / (near - far);
  const zw = (2 * far * near) / (near - far);
  rows[2] = [...back.map((c) => -c * zz), dot(back, eye) * zz + zw];
  const viewProjection = [0, 1, 2, 3].flatMap((col) => rows.map((row) => row[col]));
  const perPixel = (2 * Math.tan(FOV / 2)) / HEIGHT;
  return {
    origin: eye,
    viewProjection,
    width: WIDTH,
    height: HEIGHT,
    perPixel,
    reach: max,
    pixelsAt: (depth) => Math.min(max, Math.max(min, worldPixels / depth)),
    states,
    /** The ray through CSS pixel (x, y). */
    through(x, y) {
      const nx = ((2 * x) / WIDTH - 1) * aspect * Math.tan(FOV / 2);
      const ny = (1 - (2 * y) / HEIGHT) * Math.tan(FOV / 2);
      const d = norm([0, 1, 2].map((a) => right[a] * nx + up[a] * ny - back[a]));
      return { ...this, direction: d };
    },
    /** Where a map position is drawn: [x, y, depth]. */
    project([px, py, pz]) {
      const m = viewProjection;
      const w = m[3] * px + m[7] * py + m[11] * pz + m[15];
      const sx = (((m[0] * px + m[4] * py + m[8] * pz + m[12]) / w + 1) / 2) * WIDTH;
      const sy = ((1 - (m[1] * px + m[5] * py + m[9] * pz + m[13]) / w) / 2) * HEIGHT;
      return [sx, sy, w];
    },
  };
}

/** The same choice by looking at every point: what the grid must agree with. */
function pickByScan(view, positions, x, y) {
  let best = -1;
  let bestScore = Infinity;
  let bestDepth = Infinity;
  for (let i = 0; i < positions.length / 3; i++) {
    if (view.states[i] !== SHOWN) continue;
    const [sx, sy, depth] = view.project(positions.subarray(3 * i, 3 * i + 3));
    if (depth <= 1e-3) continue;
    const radius = view.pixelsAt(depth) / 2;
    const off = Math.hypot(sx - x, sy - y);
    if (off > PICK_RADIUS + radius) continue;
    const score = Math.max(0, off - radius);
    if (score < bestScore || (score === bestScore && depth < bestDepth)) {
      [best, bestScore, bestDepth] = [i, score, depth];
    }
  }
  return best;
}

function randomPositions(n, seed = 1) {
  let s = seed;
  const random = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const positions = new Float32Array(3 * n);
  // Clustered like a map: most points around a few centres, some anywhere.
  const centres = Array.from({ length: 6 }, () => [0, 1, 2].map(() => random() * 1.6 - 0.8));
  for (let i = 0; i < n; i++) {
    const c = centres[i % 6];
    for (let a = 0; a < 3; a++) {
      const v = i % 10 === 0 ? random() * 2 - 1 : c[a] + (random() - 0.5) * 0.3;
      positions[3 * i + a] = Math.max(-1, Math.min(1, v));
    }
  }
  return positions;
}

test("a point is picked where it is drawn, the nearer of two on one line of sight", () => {
  const positions = new Float32Array([0, 0, 0, 0.5, 0.2, -0.1, 0, 0, 0.5]);
  const states = new Uint8Array(3).fill(SHOWN);
  const view = viewFrom([0, 0, 3], states);
  const grid = new PointGrid(positions);
  const [x, y] = view.project(positions.subarray(3, 6));
  assert.equal(grid.pick(view.through(x, y), x, y), 1);
  assert.equal(grid.pick(view.through(x + 3, y - 2), x + 3, y - 2), 1, "a few pixels off");
  // Points 0 and 2 are both at the centre of the view; 2 is nearer the camera, drawn on top.
  assert.equal(grid.pick(view.through(400, 300), 400, 300), 2);
  states[2] = FADED; // only shown points can be picked
  assert.equal(grid.pick(view.through(400, 300), 400, 300), 0);
  states[0] = HIDDEN;
  assert.equal(grid.pick(view.through(400, 300), 400, 300), -1);
  assert.equal(grid.pick(view.through(20, 20), 20, 20), -1, "nothing near the pointer");
});

test("the grid picks what a scan of every point picks, from outside the map and inside it", () => {
  const positions = randomPositions(5000);
  const states = new Uint8Array(5000).fill(SHOWN);
  for (let i = 0; i < 5000; i += 7) states[i] = FADED;
  const grid = new PointGrid(positions);
  let found = 0;
  for (const eye of [[0.3, 0.4, 3.2], [-2.5, 1, -1.5], [0.1, -0.05, 0.2]]) {
    const view = viewFrom(eye, states);
    for (let k = 0; k < 60; k++) {
      // At points' own positions (hits) and between them (near misses and empty sky).
      const i = (k * 83) % 5000;
      const [px, py] = view.project(positions.subarray(3 * i, 3 * i + 3));
      const x = k % 2 ? px + (k % 5) : ((k * 131) % WIDTH) + 0.5;
      const y = k % 2 ? py - (k % 3) : ((k * 71) % HEIGHT) + 0.5;
      const expected = pickByScan(view, positions, x, y);
      assert.equal(grid.pick(view.through(x, y), x, y), expected, `${eye} at ${x}, ${y}`);
      if (expected >= 0) found += 1;
    }
  }
  assert.ok(found > 60, `only ${found} of the pointers were on a point`);
});

test("an empty map or a ray that misses the map's cube picks nothing", () => {
  const view = viewFrom([0, 0, 3], new Uint8Array(0));
  assert.equal(new PointGrid(new Float32Array(0)).pick(view.through(400, 300), 400, 300), -1);
  const grid = new PointGrid(new Float32Array([0, 0, 0]));
  const away = { ...view.through(400, 300), direction: [0, 0, 1], states: new Uint8Array([SHOWN]) };
  assert.equal(grid.pick(away, 400, 300), -1);
});
