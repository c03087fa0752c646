// Camera flights: from one view (a pose: where the camera is and what it looks at) to another
// along a smooth curve that backs off in the middle, as a listener would pull back to see where
// they are going and close in again. The curve is symmetric in its ends, so flying back from B
// to A retraces A to B. Plain arrays, no three.js: node tests it (tests/js/flight.test.mjs).

const MIN_MS = 550;
const MAX_MS = 1600;
const MS_PER_UNIT = 650; // longer trips take longer, within the bounds above
const BACK_OFF = 0.45; // how far the middle of a trip pulls back, per unit travelled

const add = (a, b) => a.map((v, i) => v + b[i]);
const sub = (a, b) => a.map((v, i) => v - b[i]);
const scale = (a, s) => a.map((v) => v * s);
const length = (a) => Math.hypot(...a);
const lerp = (a, b, t) => a.map((v, i) => v + (b[i] - v) * t);

/** The cubic ease in and out: 0 -> 0, 1 -> 1, and ease(1 - t) = 1 - ease(t). */
export function easeInOut(t) {
  const c = Math.min(1, Math.max(0, t));
  return c < 0.5 ? 4 * c * c * c : 1 - (-2 * c + 2) ** 3 / 2;
}

/** How far a trip goes: the distance its camera and its look-at point travel, the larger. */
export function travelOf(from, to) {
  return Math.max(length(sub(to.position, from.position)), length(sub(to.target, from.target)));
}

/** Milliseconds for a trip from pose ``from`` to pose ``to`` (0 when they are the same). */
export function flightDuration(from, to) {
  const travel = travelOf(from, to);
  if (travel < 1e-6) return 0;
  return Math.min(MAX_MS, Math.max(MIN_MS, MIN_MS + MS_PER_UNIT * travel));
}

/**
 * The trip from pose ``from`` to pose ``to`` ({position: [x, y, z], target: [x, y, z]}) as a
 * function of progress e in [0, 1] (eased time) returning a pose. The camera follows a
 * quadratic Bézier curve whose middle control point is pulled back along the two views'
 * mean backward direction; the look-at point moves straight.
 */
export function flightPath(from, to) {
  const back = add(sub(from.position, from.target), sub(to.position, to.target));
  const backLength = length(back);
  const direction =
    backLength > 1e-9 ? scale(back, 1 / backLength) : [0, 0, 1]; // both views looked the same
  const control = add(
    lerp(from.position, to.position, 0.5),
    scale(direction, BACK_OFF * travelOf(from, to)),
  );
  return (e) => {
    const u = 1 - e;
    return {
      position: from.position.map((v, i) => u * u * v + 2 * u * e * control[i] + e * e * to.position[i]),
      target: lerp(from.target, to.target, e),
    };
  };
}

/**
 * The pose that looks at ``centre`` ([x, y, z]) from ``direction`` (unit [x, y, z], from the
 * centre towards the camera) so that a sphere of ``radius`` fills the view: ``halfFov`` the
 * narrower half angle of the view, in radians.
 */
export function framingPose(centre, radius, direction, halfFov) {
  const distance = Math.max(0.08, (Math.max(radius, 0.02) / Math.sin(halfFov)) * 1.08);
  return { position: add(centre, scale(direction, distance)), target: [...centre] };
}
