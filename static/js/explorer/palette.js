// Colours for the map's categories (genres, or automatic clusters where songs have no genre) and
// the legend's state: which categories are shown.

import { NO_INDEX } from "./mapdata.js";

// Distinct on the dark background and from each other; past these, hues step by the golden
// angle so that any number of categories stay apart.
const PALETTE = [
  [94, 200, 242],
  [255, 159, 67],
  [120, 220, 120],
  [255, 107, 129],
  [186, 140, 255],
  [255, 221, 87],
  [72, 219, 190],
  [255, 138, 216],
  [160, 190, 90],
  [120, 150, 255],
  [230, 120, 70],
  [200, 200, 210],
  [190, 150, 110],
  [220, 70, 200],
  [170, 255, 200],
  [210, 170, 40],
  [40, 160, 255],
  [255, 180, 160],
  [130, 90, 230],
  [200, 240, 80],
];
export const UNKNOWN_COLOUR = [110, 116, 130];
export const UNKNOWN_NAME = "Unlabelled";

export function categoryColour(i) {
  if (i < PALETTE.length) return PALETTE[i];
  const step = i - PALETTE.length;
  // Alternate the lightness too: hues alone come back near the hand-picked ones.
  return hslToRgb((step * 137.508) % 360, 0.65, step % 2 ? 0.45 : 0.75);
}

export function hslToRgb(h, s, l) {
  const k = (n) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n) => l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1));
  return [f(0), f(8), f(4)].map((v) => Math.round(v * 255));
}

/**
 * Which categories colour the map: "genre" when any song has one, else "cluster" when the map
 * has clusters, else null (every song the same colour).
 */
export function defaultColouring(map) {
  if (map.genres.length && map.genre.some((g) => g !== NO_INDEX)) return "genre";
  if ((map.summary.clusters ?? []).length) return "cluster";
  return null;
}

/** The colourings this map offers, in the order of the "colour by" choice. */
export function availableColourings(map) {
  const ways = [];
  if (map.genres.length && map.genre.some((g) => g !== NO_INDEX)) ways.push("genre");
  if ((map.summary.clusters ?? []).length) ways.push("cluster");
  return ways;
}

/**
 * The categories of a colouring: {names, colours, counts, categoryOf: Uint8Array(n)}, where
 * categoryOf[i] indexes names. Songs with no category share a last "Unlabelled" entry (present
 * only when such songs exist).
 */
export function categoriesFor(map, colouring) {
  const names =
    colouring === "genre"
      ? [...map.genres]
      : colouring === "cluster"
        ? [...(map.summary.clusters ?? [])]
        : [];
  const source = colouring === "genre" ? map.genre : colouring === "cluster" ? map.cluster : null;
  const unknown = names.length;
  const categoryOf = new Uint8Array(map.count);
  const counts = new Array(names.length + 1).fill(0);
  for (let i = 0; i < map.count; i++) {
    const c = source ? source[i] : NO_INDEX;
    const category = c === NO_INDEX || c >= names.length ? unknown : c;
    categoryOf[i] = category;
    counts[category] += 1;
  }
  const colours = names.map((_, i) => categoryColour(i));
  if (counts[unknown] > 0) {
    names.push(colouring ? UNKNOWN_NAME : "Songs");
    colours.push(colouring ? UNKNOWN_COLOUR : categoryColour(0));
  } else {
    counts.pop();
  }
  return { names, colours, counts, categoryOf };
}

/** Per-point RGB bytes (Uint8Array(3n)) from the categories' colours. */
export function pointColours(categories) {
  const { categoryOf, colours } = categories;
  const out = new Uint8Array(categoryOf.length * 3);
  for (let i = 0; i < categoryOf.length; i++) {
    out.set(colours[categoryOf[i]], 3 * i);
  }
  return out;
}

/** Which legend entries are switched off. */
export class LegendState {
  constructor(size) {
    this.size = size;
    this.hidden = new Set();
  }

  toggle(category) {
    if (this.hidden.has(category)) this.hidden.delete(category);
    else this.hidden.add(category);
    return !this.hidden.has(category);
  }

  isShown(category) {
    return !this.hidden.has(category);
  }

  showAll() {
    this.hidden.clear();
  }

  get anyHidden() {
    return this.hidden.size > 0;
  }
}
