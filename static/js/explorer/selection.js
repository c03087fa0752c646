// The selected song and the song panel: selecting one plays it, shows its details and nearest
// songs, rings and names them on the map, flies to it and puts it in the address; "surprise
// me" selects a song at a chosen distance. Acts on the state's select and clear requests.

import { formatDistance } from "./format.js";
import {
  renderMessage,
  renderNeighbours,
  renderSong,
  renderSongLoading,
  songLine,
} from "./panel.js";
import { searchWithPlaylist, searchWithSong } from "./urlstate.js";

const $ = (id) => document.getElementById(id);
const LOADING_AFTER_MS = 400; // a selection shows its loading state only if answers take longer

export class SelectionPanel {
  /** state: the page's ExplorerState; root: the page's element (data-selected for tests). */
  constructor({ state, api, root }) {
    this.state = state;
    this.api = api;
    this.root = root;
    this.token = 0; // increases on every selection: answers for an older one are dropped
    this.panel = {
      title: $("song-title"),
      artist: $("song-artist"),
      facts: $("song-facts"),
      tags: $("song-tags"),
      spectrogram: $("song-spectrogram"),
    };
    state.signals.selectRequested.add((songId, options) => this.select(songId, options));
    state.signals.clearRequested.add((options) => this.clear(options));
    state.signals.neighbourStepRequested.add((delta) => this.stepNeighbour(delta));
    this.cursor = -1; // the neighbour the keyboard moved to (and plays), in state.neighbours
    $("neighbour-list").addEventListener("keydown", (event) => {
      const delta = { ArrowDown: 1, ArrowUp: -1 }[event.key];
      if (!delta) return;
      event.preventDefault();
      this.stepNeighbour(delta);
    });
    $("panel-close").addEventListener("click", () => this.clear());
    const count = $("neighbour-count");
    count.addEventListener("change", () => {
      state.k = Math.min(20, Math.max(1, Math.round(Number(count.value)) || 3));
      count.value = String(state.k);
      if (state.selected !== null) this.reloadNeighbours();
    });
    $("surprise").addEventListener("click", () => this.surprise());
  }

  /**
   * Select a song: play it, show its details and nearest songs, highlight it and fly to it.
   * history: "push" (a new entry, the back button returns), "replace", or "none".
   */
  async select(
    songId,
    { play = true, fly = true, history = "push", fromWalk = false, clickedAt = null } = {},
  ) {
    const state = this.state;
    const started = clickedAt ?? performance.now();
    const token = ++this.token;
    state.selected = songId;
    state.selectedSong = null;
    state.neighbours = [];
    // The walk ends here unless it made this selection (walking.js).
    state.signals.selectionChanged.dispatch(songId, { fromWalk });
    this.root.dataset.selected = String(songId);
    $("panel").dataset.state = "loading"; // no visible change (see below); tests wait on it
    if (play) state.play(songId, null);
    if (history !== "none") {
      // The playlist stays in the address while the selection walks along it.
      const search = searchWithPlaylist(
        searchWithSong(window.location.search, songId),
        state.walk?.playlist?.id ?? null,
      );
      const url = `${window.location.pathname}${search}`;
      if (history === "push") window.history.pushState({ song: songId }, "", url);
      else window.history.replaceState({ song: songId }, "", url);
    }
    $("surprise-status").textContent = "";
    // Nothing is drawn until the answers are in, unless they are slow to come: opening the
    // panel resizes the map, and on a slow device (software WebGL) one frame of 100,000 points
    // holds the page up for longer than the server takes to answer. A wait under 100 ms is not
    // seen as one.
    const slow = setTimeout(() => {
      if (token === this.token) this.showLoading();
    }, LOADING_AFTER_MS);
    const [details, similar] = await Promise.allSettled([
      this.api.song(songId),
      this.api.similar(songId, { k: state.k }),
    ]);
    clearTimeout(slow);
    if (token !== this.token) return;
    $("panel").hidden = false;
    if (details.status === "fulfilled") {
      state.selectedSong = details.value;
      renderSong(this.panel, details.value);
    } else {
      renderSongLoading(this.panel, { title: "This song cannot be shown" });
      this.panel.artist.textContent = details.reason.message;
    }
    const neighbourIndices = this.showNeighbours(similar);
    const ms = performance.now() - started;
    $("panel").dataset.state = "ready";
    if (fly) this.flyToSelection(neighbourIndices);
    // The player names the song; the distance filter follows it.
    state.signals.selectionShown.dispatch({ songId, ms });
  }

  showLoading() {
    $("panel").hidden = false;
    $("panel").dataset.state = "loading";
    renderSongLoading(this.panel);
    renderMessage($("neighbour-list"), "Finding the closest songs…");
    $("neighbour-list").setAttribute("aria-busy", "true");
    const index = this.state.map.indexOf.get(this.state.selected) ?? -1;
    this.state.setHighlight({ selected: index, neighbours: [] });
    this.state.signals.labelsChanged.dispatch(
      index >= 0 ? [{ index, text: "…", kind: "selected" }] : [],
    );
  }

  /**
   * List the neighbours from an outcome of api.similar (as Promise.allSettled gives it), ring
   * and label them on the map; returns their point indices.
   */
  showNeighbours(outcome) {
    const state = this.state;
    const list = $("neighbour-list");
    list.setAttribute("aria-busy", "false");
    this.cursor = -1;
    const selected = state.map.indexOf.get(state.selected) ?? -1;
    let indices = [];
    if (outcome.status === "rejected") {
      state.neighbours = [];
      renderMessage(list, `The closest songs could not be found: ${outcome.reason.message}`);
    } else {
      state.neighbours = outcome.value.results;
      renderNeighbours(list, state.neighbours, {
        onPlay: (song) => state.play(song.id, song),
        onSelect: (song) => state.select(song.id),
      });
      indices = state.indicesOf(state.neighbours.map((r) => r.song.id));
    }
    state.setHighlight({ selected, neighbours: indices });
    this.updateLabels();
    state.signals.neighboursChanged.dispatch();
    return indices;
  }

  /**
   * The keyboard's way along the neighbours: move to the next or previous one, play it, and
   * put the focus on its row (Enter there selects it).
   */
  stepNeighbour(delta) {
    const neighbours = this.state.neighbours;
    if (this.state.selected === null || !neighbours.length) return;
    const count = neighbours.length;
    this.cursor = this.cursor < 0 && delta < 0 ? count - 1 : (this.cursor + delta + count) % count;
    if (this.cursor < 0) this.cursor = 0;
    const { song } = neighbours[this.cursor];
    this.state.play(song.id, song);
    const rows = [...$("neighbour-list").querySelectorAll("li[data-song-id]")];
    rows.forEach((row, i) => {
      if (i === this.cursor) row.setAttribute("aria-current", "true");
      else row.removeAttribute("aria-current");
    });
    rows[this.cursor]?.querySelector(".go")?.focus();
  }

  /** Ask again for the neighbours of the selected song (their number changed). */
  async reloadNeighbours() {
    const token = this.token;
    const state = this.state;
    const [similar] = await Promise.allSettled([this.api.similar(state.selected, { k: state.k })]);
    if (token !== this.token) return;
    this.showNeighbours(similar);
  }

  /** Keep the selected song in the middle with its neighbours in view (when the distance
   * filter is on, it frames the songs within its distance instead). */
  flyToSelection(neighbourIndices) {
    const index = this.state.map.indexOf.get(this.state.selected);
    if (index === undefined || this.state.filter.active) return;
    this.state.flyTo(index, neighbourIndices);
  }

  updateLabels() {
    const state = this.state;
    const items = [];
    const index = state.map.indexOf.get(state.selected);
    if (index !== undefined) {
      items.push({
        index,
        text: state.selectedSong ? songLine(state.selectedSong) : "…",
        kind: "selected",
      });
    }
    for (const { song, distance } of state.neighbours) {
      const i = state.map.indexOf.get(song.id);
      if (i !== undefined)
        items.push({
          index: i,
          text: `${song.title} (${formatDistance(distance)})`,
          kind: "neighbour",
        });
    }
    state.signals.labelsChanged.dispatch(items);
  }

  clear({ history = "push" } = {}) {
    const state = this.state;
    if (state.selected === null) return;
    this.token += 1;
    state.selected = null;
    state.selectedSong = null;
    state.neighbours = [];
    this.root.dataset.selected = "";
    $("panel").hidden = true;
    // The player stops, the walk and the distance filter end, the slot forgets the song.
    state.signals.selectionChanged.dispatch(null, { fromWalk: false });
    state.signals.labelsChanged.dispatch([]);
    state.setHighlight({ selected: -1, neighbours: [], path: [] });
    if (history !== "none") {
      const search = searchWithPlaylist(searchWithSong(window.location.search, null), null);
      const url = `${window.location.pathname}${search}`;
      window.history.pushState({ song: null }, "", url);
    }
  }

  async surprise() {
    const state = this.state;
    const from = state.selectedSong;
    const status = $("surprise-status");
    let minDistance = Number($("surprise-min").value);
    let maxDistance = Number($("surprise-max").value);
    if (minDistance > maxDistance) [minDistance, maxDistance] = [maxDistance, minDistance];
    try {
      const { result, message } = await this.api.surprise(state.selected, {
        minDistance,
        maxDistance,
      });
      if (!result) {
        status.textContent = message;
        return;
      }
      await state.select(result.song.id);
      status.textContent = `${formatDistance(result.distance)} away from ${from ? songLine(from) : "the last song"}.`;
    } catch (error) {
      status.textContent = error.message;
    }
  }
}
