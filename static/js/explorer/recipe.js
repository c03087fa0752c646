// Song alchemy's recipe: the songs to add and to subtract, each with a weight, as the Discover
// panel collects them from the song panel, and the request POST /api/v1/songs/alchemy/ takes.
// Plain state (no page), so that its rules are tested with node.

import { songLine } from "./panel.js";

export const MIN_WEIGHT = 0.1;
export const MAX_WEIGHT = 10;
export const MAX_PER_SIDE = 20; // the API takes no more songs on either side
const NAME_LENGTH = 200; // a playlist's name at most

/** A weight the API accepts: within 0.1 and 10, rounded to hundredths; not a number -> 1. */
export function clampWeight(value) {
  const number = Number(value);
  if (value === "" || value === null || !Number.isFinite(number)) return 1;
  return Math.round(Math.min(MAX_WEIGHT, Math.max(MIN_WEIGHT, number)) * 100) / 100;
}

export class AlchemyRecipe {
  constructor() {
    this.items = []; // {song: {id, title, artist}, sign: "add" | "subtract", weight}, in order
  }

  /**
   * Put ``song`` in on the ``sign`` side ("add" or "subtract"). A song already in moves to that
   * side keeping its weight: the API takes each song once. Returns "added", "moved", "already"
   * (on that side), or "full" (that side has MAX_PER_SIDE songs; nothing changes).
   */
  put(song, sign) {
    const item = this.find(song.id);
    if (item?.sign === sign) return "already";
    if (this.side(sign).length >= MAX_PER_SIDE) return "full";
    if (item) {
      item.sign = sign;
      return "moved";
    }
    this.items.push({ song, sign, weight: 1 });
    return "added";
  }

  find(songId) {
    return this.items.find((item) => item.song.id === songId) ?? null;
  }

  remove(songId) {
    this.items = this.items.filter((item) => item.song.id !== songId);
  }

  /** Set a song's weight (clamped, see clampWeight); returns the weight kept, or null. */
  setWeight(songId, value) {
    const item = this.find(songId);
    if (!item) return null;
    item.weight = clampWeight(value);
    return item.weight;
  }

  side(sign) {
    return this.items.filter((item) => item.sign === sign);
  }

  get isEmpty() {
    return this.items.length === 0;
  }

  /** The API needs at least one song to add; subtracting alone has no direction to go in. */
  get canMix() {
    return this.side("add").length > 0;
  }

  /** Every song in the recipe, either side: the songs a result is never one of. */
  get songIds() {
    return this.items.map((item) => item.song.id);
  }

  /** The body of POST /api/v1/songs/alchemy/. */
  request({ k = 20 } = {}) {
    const part = (sign) =>
      this.side(sign).map((item) => ({ song: item.song.id, weight: item.weight }));
    return { add: part("add"), subtract: part("subtract"), k };
  }

  /** A name for the result's playlist: "Alchemy: A + 2 × B − C", within a playlist's length. */
  name() {
    const term = (item) => {
      const weight = item.weight === 1 ? "" : `${item.weight} × `;
      return `${weight}${songLine(item.song)}`;
    };
    const adds = this.side("add").map(term).join(" + ");
    const subtracts = this.side("subtract").map((item) => ` − ${term(item)}`).join("");
    const name = `Alchemy: ${adds}${subtracts}`;
    return name.length <= NAME_LENGTH ? name : `${name.slice(0, NAME_LENGTH - 1)}…`;
  }
}
