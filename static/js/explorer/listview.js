// A way in without 3D: the list view shows, as plain lists that a keyboard and a screen reader
// can use, where one is on the map. With a song selected: the song, its region and its nearest
// songs (each playable and selectable); with none: the map's regions, each opening onto its
// songs (its mix, the most typical first). The choice to use it is remembered.

import { errorText } from "./api.js";
import { formatDistance } from "./format.js";
import { element, songLine } from "./panel.js";

const $ = (id) => document.getElementById(id);
const STORE = "neuralnotes.explorer.listView";

/** The name of the region point ``index`` lies in, or null (map: mapdata.js's). */
export function regionOf(map, index) {
  const names = map.summary.clusters ?? [];
  const cluster = map.cluster[index];
  return cluster < names.length ? names[cluster] : null;
}

export class ListView {
  /** state: the page's ExplorerState; api: createApi's. */
  constructor({ state, api }) {
    this.state = state;
    this.api = api;
    this.toggle = $("list-view-toggle");
    this.panel = $("list-view");
    this.title = $("list-view-title");
    this.where = $("list-view-where");
    this.list = $("list-view-songs");
    this.back = $("list-view-back");
    this.mixes = null; // the regions' mixes, loaded when first shown
    this.toggle.disabled = false;
    this.toggle.addEventListener("click", () => this.show(this.panel.hidden));
    $("list-view-close").addEventListener("click", () => {
      this.show(false);
      this.toggle.focus();
    });
    this.back.addEventListener("click", () => this.renderRegions());
    const { signals } = state;
    signals.selectionShown.add(() => this.render());
    signals.neighboursChanged.add(() => this.render());
    signals.selectionChanged.add((songId) => {
      if (songId === null) this.render();
    });
    let open = false;
    try {
      open = window.localStorage.getItem(STORE) === "on";
    } catch {
      // storage refused: the list view starts closed
    }
    if (open) this.show(true, { focus: false });
  }

  show(open, { focus = true } = {}) {
    this.panel.hidden = !open;
    this.toggle.setAttribute("aria-expanded", String(open));
    try {
      window.localStorage.setItem(STORE, open ? "on" : "off");
    } catch {
      // not remembered
    }
    if (!open) return;
    this.render();
    if (focus) this.title.focus();
  }

  render() {
    if (this.panel.hidden) return;
    const { state } = this;
    if (state.selected === null) {
      this.renderRegions();
      return;
    }
    const song = state.selectedSong;
    const index = state.map.indexOf.get(state.selected);
    const region = index === undefined ? null : regionOf(state.map, index);
    this.back.hidden = true;
    this.title.textContent = song ? `Around ${songLine(song)}` : "Around the selected song";
    this.where.textContent = region ? `In the region “${region}”.` : "";
    const rows = state.neighbours.map(({ song: other, distance }) =>
      this.songRow(other, formatDistance(distance)),
    );
    if (song) rows.unshift(this.songRow(song, "selected", { current: true }));
    this.list.setAttribute("aria-label", "The selected song and its closest songs");
    this.list.replaceChildren(...rows);
  }

  /** One song: a play button, the song (a button that selects it), and ``value``. */
  songRow(song, value, { current = false } = {}) {
    const item = element("li", { attributes: { "data-song-id": String(song.id) } });
    if (current) item.setAttribute("aria-current", "true");
    const play = element("button", {
      className: "play",
      text: "▶",
      attributes: { type: "button", "aria-label": `Play ${songLine(song)}` },
    });
    play.addEventListener("click", () => this.state.play(song.id, song));
    const go = element("button", { className: "go", attributes: { type: "button" } });
    go.append(element("span", { className: "title", text: song.title || "Untitled" }));
    go.append(element("span", { className: "artist", text: song.artist || "" }));
    go.addEventListener("click", () => this.state.select(song.id));
    item.append(play, go, element("span", { className: "value", text: value }));
    return item;
  }

  async renderRegions() {
    this.back.hidden = true;
    this.title.textContent = "Regions of the map";
    this.where.textContent = "Open a region to list its songs, the most typical first.";
    this.list.setAttribute("aria-label", "The map's regions");
    try {
      this.mixes ??= (await this.api.mixes()).results;
    } catch (error) {
      this.where.textContent = errorText(error);
      return;
    }
    if (this.state.selected !== null || this.panel.hidden) return;
    const counts = new Map();
    for (const cluster of this.state.map.cluster) counts.set(cluster, (counts.get(cluster) ?? 0) + 1);
    this.list.replaceChildren(
      ...this.mixes.map((mix) => {
        const open = element("button", {
          className: "go",
          text: mix.name,
          attributes: { type: "button", "data-region": String(mix.cluster) },
        });
        open.addEventListener("click", () => this.openRegion(mix));
        const item = element("li");
        const songs = counts.get(mix.cluster) ?? 0;
        item.append(open, element("span", { className: "value", text: `${songs} songs` }));
        return item;
      }),
    );
  }

  async openRegion(mix) {
    this.title.textContent = mix.name;
    this.where.textContent = "Loading its songs…";
    let detail;
    try {
      detail = await this.api.mix(mix.id);
    } catch (error) {
      this.where.textContent = errorText(error);
      return;
    }
    this.where.textContent = `${detail.songs.length} songs of this region, the most typical first.`;
    this.list.setAttribute("aria-label", `Songs of the region “${mix.name}”`);
    this.list.replaceChildren(...detail.songs.map((song) => this.songRow(song, "")));
    this.back.hidden = false;
    this.title.focus();
  }
}
