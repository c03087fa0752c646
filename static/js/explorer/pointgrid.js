// Which song is under the pointer, found on the CPU in a grid of the map's points: only the
// cells along the pointer's ray, widened by how far a drawn point reaches, are looked at, so a
// pick costs about as much at a million songs as at a thousand. (A GPU picking pass draws every
// point again: 220 ms a pick at a million songs in software WebGL.) Plain arrays, no three.js:
// node tests it (tests/js/pointgrid.test.mjs).

import { SHOWN } from "./visibility.js";

export const PICK_RADIUS = 6; // CSS pixels around the pointer that still count as "on" a point

/** The map's points (positions: Float32Array(3n) in [-1, 1]) sorted into the cells of a cube. */
export class PointGrid {
  constructor(positions) {
    const count = positions.length / 3;
    // About four points a cell on average: a million songs make 63³ cells.
    const side = Math.max(1, Math.min(96, Math.round(Math.cbrt(count / 4))));
    this.side = side;
    this.positions = positions;
    const cells = side ** 3;
    const cellOf = new Uint32Array(count);
    // The points of cell c are points[starts[c]] .. points[starts[c + 1] - 1].
    const starts = new Uint32Array(cells + 1);
    for (let i = 0; i < count; i++) {
      const c = this.cellOf(positions[3 * i], positions[3 * i + 1], positions[3 * i + 2]);
      cellOf[i] = c;
      starts[c + 1] += 1;
    }
    for (let c = 0; c < cells; c++) starts[c + 1] += starts[c];
    const next = starts.slice(0, cells);
    this.points = new Uint32Array(count);
    for (let i = 0; i < count; i++) this.points[next[cellOf[i]]++] = i;
    this.starts = starts;
    this.visited = new Uint32Array(cells); // the pick that last looked at each cell
    this.picks = 0;
  }

  /** The cell (0 .. side - 1) of map coordinate ``v`` along one axis. */
  axis(v) {
    return Math.min(this.side - 1, Math.max(0, Math.floor(((v + 1) / 2) * this.side)));
  }

  cellOf(x, y, z) {
    return (this.axis(z) * this.side + this.axis(y)) * this.side + this.axis(x);
  }

  /**
   * The point drawn under CSS pixel (x, y), or -1: of the shown points whose disc reaches
   * within PICK_RADIUS of the pixel, the one whose disc is nearest (0 inside it), and of those
   * the nearest the camera (the one drawn on top). view: {origin: the camera's position [x, y,
   * z], direction: the unit vector of the ray through the pixel, viewProjection: the camera's
   * projection times its inverse world matrix (16 numbers, column-major, as three.js keeps
   * them), width and height in CSS pixels, perPixel: map units per CSS pixel at depth 1,
   * pixelsAt(depth): a point's drawn diameter in CSS pixels, reach: the largest it can be,
   * states: Uint8Array(n) (visibility.js)}.
   */
  pick(view, x, y) {
    const { origin, direction, viewProjection: m, width, height, perPixel, states } = view;
    const span = this.crossing(origin, direction);
    if (span === null) return -1;
    this.picks += 1;
    const { side, positions, points, starts, visited } = this;
    const cell = 2 / side;
    const step = cell / 2;
    const widen = (PICK_RADIUS + view.reach / 2) * perPixel; // map units per unit of distance
    let best = -1;
    let bestScore = Infinity;
    let bestDepth = Infinity;
    for (let t = span[0]; t <= span[1] + step; t += step) {
      // Every point within reach of the ray between this sample and the next lies in this box.
      const r = widen * t + step / 2;
      const at = [0, 1, 2].map((a) => origin[a] + t * direction[a]);
      const [x0, y0, z0] = at.map((v) => this.axis(v - r));
      const [x1, y1, z1] = at.map((v) => this.axis(v + r));
      for (let cz = z0; cz <= z1; cz++) {
        for (let cy = y0; cy <= y1; cy++) {
          for (let cx = x0; cx <= x1; cx++) {
            const c = (cz * side + cy) * side + cx;
            if (visited[c] === this.picks) continue;
            visited[c] = this.picks;
            for (let k = starts[c]; k < starts[c + 1]; k++) {
              const i = points[k];
              if (states[i] !== SHOWN) continue;
              const px = positions[3 * i];
              const py = positions[3 * i + 1];
              const pz = positions[3 * i + 2];
              const depth = m[3] * px + m[7] * py + m[11] * pz + m[15]; // clip w: view depth
              if (depth <= 1e-3) continue; // behind the camera
              const sx = (((m[0] * px + m[4] * py + m[8] * pz + m[12]) / depth + 1) / 2) * width;
              const sy = ((1 - (m[1] * px + m[5] * py + m[9] * pz + m[13]) / depth) / 2) * height;
              const radius = view.pixelsAt(depth) / 2;
              const off = Math.hypot(sx - x, sy - y);
              if (off > PICK_RADIUS + radius) continue;
              const score = Math.max(0, off - radius);
              if (score < bestScore || (score === bestScore && depth < bestDepth)) {
                best = i;
                bestScore = score;
                bestDepth = depth;
              }
            }
          }
        }
      }
    }
    return best;
  }

  /** The stretch [t0, t1] of the ray origin + t * direction that crosses the map's cube (a
   * little widened), or null when it misses it. */
  crossing(origin, direction) {
    let t0 = 0;
    let t1 = Infinity;
    for (let a = 0; a < 3; a++) {
      const lo = -1.1 - origin[a];
      const hi = 1.1 - origin[a];
      if (Math.abs(direction[a]) < 1e-12) {
        if (lo > 0 || hi < 0) return null;
        continue;
      }
      const ta = lo / direction[a];
      const tb = hi / direction[a];
      t0 = Math.max(t0, Math.min(ta, tb));
      t1 = Math.min(t1, Math.max(ta, tb));
    }
    return t0 <= t1 ? [t0, t1] : null;
  }
}
