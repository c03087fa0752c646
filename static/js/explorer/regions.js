// Names in the sky: each region of the map (a cluster, named like its mix) has its name floating
// at the middle of its songs. Names are sized by the region's songs and by how near it is, fade
// with distance, and are thinned so that at most about twenty are legible at once, the most
// prominent first and none over another. A region whose songs the legend hides loses its name.
// HTML elements moved on every frame: crisp text, no font textures.

import { HIDDEN } from "./visibility.js";

export const MAX_NAMES = 20;
const MIN_FONT_PX = 11;
const MAX_FONT_PX = 30;
const BASE_FONT_PX = 16; // the names' font size in the style sheet, scaled to each one's
const CHAR_WIDTH = 0.56; // of the font size, for a name's width without measuring it

/**
 * The middle of each region's shown songs. cluster: Uint8Array(n) (255: none); positions:
 * Float32Array(3n); states: Uint8Array(n); count: the regions. Returns [{centre: [x, y, z],
 * songs}] per region (songs 0 when none is shown).
 */
export function regionCentres({ cluster, positions, states, count }) {
  const sums = new Float64Array(3 * count);
  const songs = new Uint32Array(count);
  for (let i = 0; i < cluster.length; i++) {
    const c = cluster[i];
    if (c >= count || states[i] === HIDDEN) continue;
    songs[c] += 1;
    for (let a = 0; a < 3; a++) sums[3 * c + a] += positions[3 * i + a];
  }
  return Array.from(songs, (n, c) => ({
    centre: n ? [0, 1, 2].map((a) => sums[3 * c + a] / n) : null,
    songs: n,
  }));
}

/**
 * Which names to show, how big and how clear. candidates: [{name, songs, x, y, depth,
 * visible}] (CSS pixels, depth in map units in front of the camera); total: the map's songs.
 * Returns [{index, fontPx, opacity}] for the names shown (index into candidates): the most
 * prominent first, at most ``max``, none overlapping another within ``width`` x ``height``.
 */
export function placeNames(candidates, { total, width, height, max = MAX_NAMES, fogFar = 10 }) {
  const scored = candidates
    .map((c, index) => {
      const share = Math.sqrt(c.songs / Math.max(total, 1));
      const fontPx = Math.min(MAX_FONT_PX, (9 + 40 * share) * (2.2 / Math.max(c.depth, 0.2)));
      return { ...c, index, fontPx, score: fontPx };
    })
    .filter((c) => c.visible && c.songs > 0 && c.depth > 0 && c.fontPx >= MIN_FONT_PX * 0.75)
    .sort((a, b) => b.score - a.score);
  const placed = [];
  const boxes = [];
  for (const c of scored) {
    if (placed.length >= max) break;
    const fontPx = Math.max(MIN_FONT_PX, c.fontPx);
    const w = c.name.length * fontPx * CHAR_WIDTH + 8;
    const h = fontPx * 1.3;
    const box = [c.x - w / 2, c.y - h / 2, c.x + w / 2, c.y + h / 2];
    if (box[2] < 0 || box[0] > width || box[3] < 0 || box[1] > height) continue;
    if (boxes.some((o) => box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3]))
      continue;
    boxes.push(box);
    const opacity = Math.max(0.35, Math.min(1, 1.25 - c.depth / Math.max(fogFar, 1e-3)));
    placed.push({ index: c.index, fontPx, opacity });
  }
  return placed;
}

export class RegionNames {
  /** state: the page's ExplorerState; view: the MapView; container: the names' element. */
  constructor({ state, view, container }) {
    this.state = state;
    this.view = view;
    this.container = container;
    this.names = state.map.summary.clusters ?? [];
    this.elements = this.names.map((name, i) => {
      const element = document.createElement("div");
      element.className = "region-name";
      element.textContent = name;
      element.dataset.region = String(i);
      element.hidden = true;
      container.append(element);
      return element;
    });
    this.recount();
    state.signals.filtersChanged.add(() => {
      this.recount();
      view.requestRender();
    });
    view.onFrame(() => this.update());
  }

  recount() {
    const { map, states } = this.state;
    this.regions = regionCentres({
      cluster: map.cluster,
      positions: map.positions,
      states,
      count: this.names.length,
    });
  }

  update() {
    if (!this.names.length) return;
    const candidates = this.regions.map((region, i) => {
      if (!region.centre) return { name: this.names[i], songs: 0, visible: false, depth: 0 };
      const at = this.view.projectPoint(this.view.pointPosition(0).fromArray(region.centre));
      return { name: this.names[i], songs: region.songs, ...at };
    });
    const placed = placeNames(candidates, {
      total: this.state.map.count,
      width: this.view.canvas.clientWidth,
      height: this.view.canvas.clientHeight,
      fogFar: this.view.fog.y,
    });
    const shown = new Set();
    for (const { index, fontPx, opacity } of placed) {
      const element = this.elements[index];
      const { x, y } = candidates[index];
      // Sized by a scale, not by its font size: a transform and an opacity change need no
      // new layout of the page, which on every frame of a flight would cost more than drawing.
      const scale = (fontPx / BASE_FONT_PX).toFixed(3);
      element.style.transform = `translate(${x.toFixed(1)}px, ${y.toFixed(1)}px) translate(-50%, -50%) scale(${scale})`;
      element.style.opacity = opacity.toFixed(2);
      if (element.hidden) element.hidden = false;
      shown.add(index);
    }
    this.elements.forEach((element, i) => {
      if (!shown.has(i) && !element.hidden) element.hidden = true;
    });
  }
}
