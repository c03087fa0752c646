// What each point looks like: shown, faded (outside the distance filter) or hidden (its legend
// entry is off). One byte per point, uploaded to the GPU as an attribute, so a filter change
// rewrites 100 kB instead of rebuilding the geometry.

export const HIDDEN = 0;
export const FADED = 1;
export const SHOWN = 2;

/**
 * Fill ``out`` (Uint8Array(n)) with the state of every point.
 * categoryOf: Uint8Array(n); legend: LegendState; within: null (no distance filter) or a Set of
 * point indices inside the distance (the selected song among them).
 */
export function pointStates({ categoryOf, legend, within, out }) {
  for (let i = 0; i < categoryOf.length; i++) {
    if (!legend.isShown(categoryOf[i])) out[i] = HIDDEN;
    else if (within && !within.has(i)) out[i] = FADED;
    else out[i] = SHOWN;
  }
  return out;
}

/** The indices of the points in ``states`` at or above ``level`` (for fitting the view). */
export function indicesAtLeast(states, level) {
  const found = [];
  for (let i = 0; i < states.length; i++) if (states[i] >= level) found.push(i);
  return found;
}

export const MAX_DISTANCE = 2; // cosine distance runs from 0 to 2
export const API_MAX_K = 100; // /similar/ answers at most 100 songs

/**
 * The distance filter around the selected song. The server finds the songs within the distance
 * (in the embedding space, where the 3D map cannot measure); this keeps what it answered.
 */
export class DistanceFilter {
  constructor() {
    this.clear();
  }

  clear() {
    this.songId = null;
    this.maxDistance = MAX_DISTANCE;
    this.withinIds = null;
    this.truncated = false;
  }

  /** Off at the slider's end: every song lies within distance 2. */
  static isActiveAt(distance) {
    return distance < MAX_DISTANCE;
  }

  get active() {
    return this.withinIds !== null;
  }

  /** Keep the server's answer for ``songId`` at ``maxDistance``: results nearest first. */
  apply(songId, maxDistance, results) {
    this.songId = songId;
    this.maxDistance = maxDistance;
    this.withinIds = new Set([songId, ...results.map((r) => r.song.id)]);
    // At the API's cap there may be more songs within the distance than it returned.
    this.truncated = results.length >= API_MAX_K;
  }

  /** Point indices of the songs within the distance that are on the map. */
  withinIndices(indexOf) {
    const indices = new Set();
    for (const id of this.withinIds ?? []) {
      const i = indexOf.get(id);
      if (i !== undefined) indices.add(i);
    }
    return indices;
  }

  describe() {
    if (!this.active) return "";
    const others = this.withinIds.size - 1;
    const d = this.maxDistance.toFixed(2);
    if (this.truncated) return `The ${others} nearest songs shown (more lie within ${d}).`;
    if (others === 0) return `No other song lies within ${d}.`;
    return `${others} song${others === 1 ? "" : "s"} within ${d}.`;
  }
}
