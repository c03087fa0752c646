// The explorer once the map is loaded: ties the 3D view, the legend, the song panel, the player,
// the distance filter and the listening walk together. State lives here; drawing in scene.js;
// the rules (colours, filters, walk, address) in small modules tested with node.

import { DiscoverPanel } from "./discover.js";
import { formatDistance } from "./format.js";
import { Hover } from "./hover.js";
import { LabelLayer } from "./labels.js";
import { renderColouringChoice, renderLegend } from "./legend.js";
import {
  availableColourings,
  categoriesFor,
  defaultColouring,
  LegendState,
  pointColours,
} from "./palette.js";
import {
  renderMessage,
  renderNeighbours,
  renderSong,
  renderSongLoading,
  songLine,
} from "./panel.js";
import { PlaylistSlot } from "./playlists.js";
import { MapView } from "./scene.js";
import { setupSearch } from "./search.js";
import {
  playlistFromSearch,
  searchWithPlaylist,
  searchWithSong,
  songFromSearch,
} from "./urlstate.js";
import {
  API_MAX_K,
  DistanceFilter,
  FADED,
  indicesAtLeast,
  MAX_DISTANCE,
  pointStates,
  SHOWN,
} from "./visibility.js";
import { ListeningWalk, playlistSongIds } from "./walk.js";

const $ = (id) => document.getElementById(id);
const CLICK_SLOP_PX = 6; // a press that moves less than this is a click, not a drag
const LOADING_AFTER_MS = 400; // a selection shows its loading state only if answers take longer

export class Explorer {
  constructor({ root, map, api, probe }) {
    this.root = root;
    this.map = map;
    this.api = api;
    this.probe = probe;
    this.legend = null;
    this.states = new Uint8Array(map.count).fill(SHOWN);
    this.filter = new DistanceFilter();
    this.walk = null;
    this.selected = null; // song id
    this.selectedSong = null; // its details, once loaded
    this.neighbours = [];
    this.k = 3;
    this.selection = 0; // increases on every selection: answers for an older one are dropped
    this.filterRequest = 0;
    this.playlistRequest = 0; // like selection, for opening a playlist

    this.colouring = defaultColouring(map);
    this.categories = categoriesFor(map, this.colouring);
    this.view = new MapView({
      canvas: $("map-canvas"),
      positions: map.positions,
      colours: pointColours(this.categories),
      states: this.states,
      background: getComputedStyle(document.body).getPropertyValue("--bg").trim() || "#0f1218",
    });
    this.labels = new LabelLayer($("labels"));
    this.hover = new Hover({
      view: this.view,
      canvas: $("map-canvas"),
      tooltip: $("tooltip"),
      api,
      describe: (index) => ({
        songId: map.ids[index],
        category: this.categories.names[this.categories.categoryOf[index]],
      }),
    });
    this.view.onFrame(() => this.labels.update((index) => this.view.project(index)));

    this.panel = {
      title: $("song-title"),
      artist: $("song-artist"),
      facts: $("song-facts"),
      tags: $("song-tags"),
      spectrogram: $("song-spectrogram"),
    };
    this.player = $("player");
    this.playlistSlot = null; // only for a signed-in listener
    if ($("playlist-slot")) {
      this.playlistSlot = new PlaylistSlot({
        elements: {
          slot: $("playlist-slot"),
          heart: $("favourite-toggle"),
          choice: $("playlist-choice"),
          add: $("playlist-add"),
          status: $("playlist-status"),
        },
        api,
      });
      this.playlistSlot.load().catch((error) => this.playlistSlot.say(error.message));
    }
    this.bindPointer();
    this.bindKeys();
    this.bindPanel();
    renderColouringChoice({
      label: $("colour-by"),
      select: $("colour-by-select"),
      ways: availableColourings(map),
      current: this.colouring,
      onChange: (colouring) => this.colourBy(colouring),
    });
    this.buildLegend();
    setupSearch({
      input: $("search-input"),
      list: $("search-results"),
      api,
      onChoose: (song) => this.select(song.id),
    });
    $("fit-all").disabled = false;
    $("fit-all").addEventListener("click", () => this.fitShown());
    window.addEventListener("popstate", () =>
      this.openFromAddress({ history: "none", play: false }),
    );
    Object.assign(probe, {
      project: (songId) => this.projectSong(songId),
      counts: () => this.stateCounts(),
      stateOf: (songId) => this.states[map.indexOf.get(songId)],
      selected: () => this.selected,
      // The songs the path line is drawn through, in order, and the playlist it follows.
      drawnPath: () => this.view.highlight.path.map((index) => map.ids[index]),
      playlist: () =>
        this.walk?.playlist ? { id: this.walk.playlist.id, name: this.walk.playlist.name } : null,
      lastNeighboursMs: null,
      lastPickMs: null,
    });
    // Words, alchemy and the listener's own listening: only on a signed-in listener's page.
    this.discover = $("discover") ? new DiscoverPanel({ explorer: this, probe }) : null;
  }

  firstFrame() {
    this.view.fit(null, 0);
    this.view.renderNow();
  }

  openFromAddress({ history = "replace", play = true } = {}) {
    const songId = songFromSearch(window.location.search);
    const playlistId = playlistFromSearch(window.location.search);
    if (playlistId !== null) {
      if (this.walk?.playlist?.id !== playlistId) {
        this.openPlaylist(playlistId, { songId, history, play });
        return;
      }
      if (songId === null || songId === this.selected) return;
      if (this.walk.moveTo(songId)) {
        this.select(songId, { history, play, fromWalk: true });
        this.updateWalkControls();
        return;
      }
    }
    if (songId === null) this.clearSelection({ history: "none" });
    else if (songId !== this.selected) this.select(songId, { history, play });
  }

  // ---- legend and colours ----

  colourBy(colouring) {
    this.colouring = colouring;
    this.categories = categoriesFor(this.map, colouring);
    this.view.coloursChanged(pointColours(this.categories));
    this.buildLegend();
    this.updateStates();
  }

  buildLegend() {
    this.legend = new LegendState(this.categories.names.length);
    renderLegend({
      elements: {
        legend: $("legend"),
        title: $("legend-title"),
        entries: $("legend-entries"),
        showAll: $("legend-show-all"),
      },
      categories: this.categories,
      legend: this.legend,
      colouring: this.colouring,
      onChange: () => this.updateStates(),
    });
  }

  updateStates() {
    const within = this.filter.active ? this.filter.withinIndices(this.map.indexOf) : null;
    pointStates({
      categoryOf: this.categories.categoryOf,
      legend: this.legend,
      within,
      out: this.states,
    });
    this.view.statesChanged();
  }

  stateCounts() {
    const counts = { hidden: 0, faded: 0, shown: 0 };
    for (const s of this.states)
      counts[s === SHOWN ? "shown" : s === FADED ? "faded" : "hidden"] += 1;
    return counts;
  }

  fitShown() {
    const shown = indicesAtLeast(this.states, FADED);
    this.view.fit(shown.length ? shown : null);
  }

  // ---- pointer and keyboard ----

  bindPointer() {
    const canvas = $("map-canvas");
    let press = null;
    canvas.addEventListener("pointerdown", (event) => {
      press = { x: event.offsetX, y: event.offsetY, time: performance.now() };
      this.hover.cancel();
    });
    canvas.addEventListener("pointerup", (event) => {
      if (!press) return;
      const moved = Math.hypot(event.offsetX - press.x, event.offsetY - press.y);
      const quick = performance.now() - press.time < 700;
      press = null;
      if (moved > CLICK_SLOP_PX || !quick) return;
      const clickedAt = performance.now();
      const index = this.view.pick(event.offsetX, event.offsetY);
      this.probe.lastPickMs = performance.now() - clickedAt;
      // Selecting here, inside the click, lets the browser start the audio (a user gesture).
      if (index >= 0) this.select(this.map.ids[index], { clickedAt });
    });
    canvas.addEventListener("pointermove", (event) => {
      if (event.pointerType !== "touch" && event.buttons === 0) {
        this.hover.moved(event.offsetX, event.offsetY);
      }
    });
    canvas.addEventListener("pointerleave", () => this.hover.left());
  }

  bindKeys() {
    window.addEventListener("keydown", (event) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      const typing = event.target.closest?.("input, textarea, select, [contenteditable]");
      if (event.key === "Escape") {
        this.clearSelection();
        return;
      }
      if (typing) return;
      const step = 0.12;
      const actions = {
        "+": () => this.view.zoom(0.8),
        "=": () => this.view.zoom(0.8),
        "-": () => this.view.zoom(1.25),
        _: () => this.view.zoom(1.25),
        a: () => this.view.orbit(-step, 0),
        d: () => this.view.orbit(step, 0),
        w: () => this.view.orbit(0, -step),
        s: () => this.view.orbit(0, step),
        f: () => this.fitShown(),
      };
      const action = actions[event.key.length === 1 ? event.key.toLowerCase() : event.key];
      if (action) {
        event.preventDefault();
        action();
      }
    });
  }

  // ---- selection ----

  /**
   * Select a song: play it, show its details and nearest songs, highlight it and fly to it.
   * history: "push" (a new entry, the back button returns), "replace", or "none".
   */
  async select(
    songId,
    { play = true, fly = true, history = "push", fromWalk = false, clickedAt = null } = {},
  ) {
    const started = clickedAt ?? performance.now();
    const token = ++this.selection;
    if (!fromWalk) this.endWalk();
    this.selected = songId;
    this.selectedSong = null;
    this.playlistSlot?.show(songId);
    this.discover?.showSelection(songId);
    $("playlist-notice").hidden = true;
    this.neighbours = [];
    this.root.dataset.selected = String(songId);
    $("panel").dataset.state = "loading"; // no visible change (see below); tests wait on it
    if (play) this.play(songId, null);
    if (history !== "none") {
      // The playlist stays in the address while the selection walks along it.
      const search = searchWithPlaylist(
        searchWithSong(window.location.search, songId),
        this.walk?.playlist?.id ?? null,
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
      if (token === this.selection) this.showSelectionLoading();
    }, LOADING_AFTER_MS);
    const [details, similar] = await Promise.allSettled([
      this.api.song(songId),
      this.api.similar(songId, { k: this.k }),
    ]);
    clearTimeout(slow);
    if (token !== this.selection) return;
    $("panel").hidden = false;
    if (details.status === "fulfilled") {
      this.selectedSong = details.value;
      renderSong(this.panel, details.value);
      if (this.playing === songId) this.showNowPlaying(details.value);
    } else {
      renderSongLoading(this.panel, { title: "This song cannot be shown" });
      this.panel.artist.textContent = details.reason.message;
    }
    const neighbourIndices = this.showNeighbours(similar);
    this.probe.lastNeighboursMs = performance.now() - started;
    $("panel").dataset.state = "ready";
    this.updateWalkControls();
    if (fly) this.flyToSelection(neighbourIndices);
    if (this.filter.active || DistanceFilter.isActiveAt(Number($("distance-slider").value))) {
      this.applyDistance();
    }
  }

  showSelectionLoading() {
    $("panel").hidden = false;
    $("panel").dataset.state = "loading";
    renderSongLoading(this.panel);
    renderMessage($("neighbour-list"), "Finding the closest songs…");
    $("neighbour-list").setAttribute("aria-busy", "true");
    const index = this.map.indexOf.get(this.selected) ?? -1;
    this.view.setHighlight({ selected: index, neighbours: [] });
    this.labels.set(index >= 0 ? [{ index, text: "…", kind: "selected" }] : []);
  }

  /**
   * List the neighbours from an outcome of api.similar (as Promise.allSettled gives it), ring
   * and label them on the map; returns their point indices.
   */
  showNeighbours(outcome) {
    const list = $("neighbour-list");
    list.setAttribute("aria-busy", "false");
    const selected = this.map.indexOf.get(this.selected) ?? -1;
    if (outcome.status === "rejected") {
      this.neighbours = [];
      renderMessage(list, `The closest songs could not be found: ${outcome.reason.message}`);
      this.view.setHighlight({ selected, neighbours: [] });
      this.updateLabels();
      return [];
    }
    this.neighbours = outcome.value.results;
    renderNeighbours(list, this.neighbours, {
      onPlay: (song) => this.play(song.id, song),
      onSelect: (song) => this.select(song.id),
    });
    const indices = this.neighbours
      .map((r) => this.map.indexOf.get(r.song.id))
      .filter((i) => i !== undefined);
    this.view.setHighlight({ selected, neighbours: indices });
    this.updateLabels();
    return indices;
  }

  /** Ask again for the neighbours of the selected song (their number changed). */
  async reloadNeighbours() {
    const token = this.selection;
    const [similar] = await Promise.allSettled([this.api.similar(this.selected, { k: this.k })]);
    if (token !== this.selection) return;
    this.showNeighbours(similar);
    this.updateWalkControls();
  }

  /** Keep the selected song in the middle with its neighbours in view (when the distance
   * filter is on, it frames the songs within its distance instead). */
  flyToSelection(neighbourIndices) {
    const index = this.map.indexOf.get(this.selected);
    if (index === undefined || this.filter.active) return;
    if (neighbourIndices.length) {
      this.view.flyToPoint(index, 1.15 * this.view.radiusAround(index, neighbourIndices));
    } else {
      this.view.flyToPoint(index);
    }
  }

  updateLabels() {
    const items = [];
    const index = this.map.indexOf.get(this.selected);
    if (index !== undefined) {
      items.push({
        index,
        text: this.selectedSong ? songLine(this.selectedSong) : "…",
        kind: "selected",
      });
    }
    for (const { song, distance } of this.neighbours) {
      const i = this.map.indexOf.get(song.id);
      if (i !== undefined)
        items.push({
          index: i,
          text: `${song.title} (${formatDistance(distance)})`,
          kind: "neighbour",
        });
    }
    this.labels.set(items);
    this.view.requestRender();
  }

  clearSelection({ history = "push" } = {}) {
    if (this.selected === null) return;
    this.selection += 1;
    this.selected = null;
    this.selectedSong = null;
    this.neighbours = [];
    this.root.dataset.selected = "";
    $("panel").hidden = true;
    this.player.pause();
    this.endWalk();
    this.resetDistance({ fit: false });
    this.labels.clear();
    this.view.setHighlight({ selected: -1, neighbours: [], path: [] });
    this.playlistSlot?.show(null);
    if (history !== "none") {
      const search = searchWithPlaylist(searchWithSong(window.location.search, null), null);
      const url = `${window.location.pathname}${search}`;
      window.history.pushState({ song: null }, "", url);
    }
  }

  // ---- player and listening walk ----

  /** Start a song. Called from click handlers so that browsers allow the sound. */
  play(songId, song) {
    this.playing = songId;
    this.player.src = this.api.audioUrl(songId);
    this.showNowPlaying(song);
    this.player.play().catch((error) => {
      // Opened from an address, with no click yet: the browser waits for the play button.
      if (error.name === "NotAllowedError") $("now-playing").textContent = "Press play to listen.";
    });
  }

  showNowPlaying(song) {
    $("now-playing").textContent = song ? `Playing: ${songLine(song)}` : "Playing…";
  }

  bindPanel() {
    $("panel-close").addEventListener("click", () => this.clearSelection());
    this.player.addEventListener("ended", () => {
      if (this.walk) this.walkNext();
    });
    $("play-similar").addEventListener("click", () => this.startWalk());
    $("walk-next").addEventListener("click", () => this.walkNext());
    $("walk-previous").addEventListener("click", () => {
      if (this.walk?.canGoBack) this.select(this.walk.back(), { fromWalk: true });
      this.updateWalkControls();
    });
    const count = $("neighbour-count");
    count.addEventListener("change", () => {
      this.k = Math.min(20, Math.max(1, Math.round(Number(count.value)) || 3));
      count.value = String(this.k);
      if (this.selected !== null) this.reloadNeighbours();
    });
    const slider = $("distance-slider");
    let debounce = null;
    slider.addEventListener("input", () => {
      $("distance-value").textContent = this.distanceText(Number(slider.value));
      clearTimeout(debounce);
      debounce = setTimeout(() => this.applyDistance(), 200);
    });
    $("distance-reset").addEventListener("click", () => {
      this.buildLegend(); // every entry on again
      this.resetDistance({ fit: true });
    });
    $("surprise").addEventListener("click", () => this.surprise());
  }

  startWalk() {
    if (this.selected === null) return;
    this.walk = new ListeningWalk(this.selected);
    if (this.playing !== this.selected || this.player.paused)
      this.play(this.selected, this.selectedSong);
    this.updateWalkControls();
  }

  endWalk() {
    if (!this.walk) return;
    this.walk = null;
    this.view.setHighlight({ path: [] });
    this.updateWalkControls();
  }

  async walkNext() {
    const walk = this.walk;
    if (!walk) return;
    if (walk.hasWalkedAhead) {
      this.select(walk.ahead(), { fromWalk: true });
      this.updateWalkControls();
      return;
    }
    if (walk.playlist) {
      $("walk-status").textContent = `The end of “${walk.playlist.name}”.`;
      return;
    }
    $("walk-status").textContent = "Finding the next song…";
    // The current song's nearest first; when all of those are played, ask for more of them.
    for (const k of [this.k, 20, API_MAX_K]) {
      const neighbours =
        walk.current === this.selected && this.neighbours.length >= k
          ? this.neighbours
          : (await this.api.similar(walk.current, { k })).results;
      if (this.walk !== walk) return;
      const next = walk.extend(neighbours);
      if (next !== null) {
        this.select(next, { fromWalk: true });
        this.updateWalkControls();
        return;
      }
    }
    $("walk-status").textContent = "Every song near this one has been played.";
  }

  updateWalkControls() {
    const walk = this.walk;
    $("walk-previous").disabled = !walk?.canGoBack;
    $("walk-next").disabled = !walk || walk.atPlaylistEnd;
    $("play-similar").disabled = Boolean(walk) || this.selected === null;
    if (!walk) {
      $("walk-status").textContent = "";
      return;
    }
    const path = walk.path.map((id) => this.map.indexOf.get(id)).filter((i) => i !== undefined);
    this.view.setHighlight({ path });
    if (walk.playlist) {
      const next = walk.hasWalkedAhead
        ? walk.playlist.songs.get(walk.path[walk.position + 1])
        : null;
      const where = `Song ${walk.position + 1} of ${walk.path.length} in “${walk.playlist.name}”`;
      $("walk-status").textContent = next ? `${where}. Up next: ${songLine(next)}.` : `${where}.`;
      return;
    }
    const upcoming = walk.hasWalkedAhead
      ? null
      : this.neighbours.find((n) => !walk.includes(n.song.id))?.song;
    const position = `Song ${walk.position + 1} of the walk`;
    $("walk-status").textContent = upcoming
      ? `${position}. Up next: ${songLine(upcoming)}.`
      : `${position}.`;
  }

  /**
   * Open a playlist as a path on the map: its songs in order joined by a line, the whole of it
   * in view, at ``songId`` when it is on it (else its first song); next and previous follow it.
   */
  async openPlaylist(playlistId, { songId = null, history = "replace", play = true } = {}) {
    const request = ++this.playlistRequest;
    let detail;
    try {
      detail = await this.api.playlist(playlistId);
    } catch (error) {
      if (request !== this.playlistRequest) return;
      this.showPlaylistNotice(
        error.status === 404
          ? "This playlist cannot be opened: it does not exist, or it is private to someone else."
          : `The playlist could not be opened: ${error.message}`,
      );
      return;
    }
    if (request !== this.playlistRequest) return;
    const ids = playlistSongIds(detail.entries);
    if (!ids.length) {
      this.showPlaylistNotice(`“${detail.name}” has no songs yet.`);
      return;
    }
    const songs = new Map(detail.entries.map((entry) => [entry.song.id, entry.song]));
    this.endWalk();
    this.walk = ListeningWalk.along(ids, { id: playlistId, name: detail.name, songs });
    this.walk.moveTo(songId ?? ids[0]);
    const walk = this.walk;
    await this.select(walk.current, { fromWalk: true, fly: false, history, play });
    // Framed once the panel is open: opening it narrows the map.
    const indices = ids.map((id) => this.map.indexOf.get(id)).filter((i) => i !== undefined);
    if (this.walk === walk && indices.length) this.view.fit(indices);
  }

  /**
   * Play ``songs`` (in order, not empty) like a playlist that is not saved: the Discover
   * panel's lists. Next, previous and a song's end follow the list, which ends at its last.
   */
  playList(songs, name) {
    const ids = songs.map((song) => song.id);
    const byId = new Map(songs.map((song) => [song.id, song]));
    this.endWalk();
    this.walk = ListeningWalk.along(ids, { id: null, name, songs: byId });
    this.select(ids[0], { fromWalk: true });
  }

  showPlaylistNotice(text) {
    const notice = $("playlist-notice");
    notice.textContent = text;
    notice.hidden = false;
  }

  // ---- distance filter and surprise ----

  distanceText(value) {
    return DistanceFilter.isActiveAt(value) ? value.toFixed(2) : "all";
  }

  async applyDistance() {
    const slider = $("distance-slider");
    const distance = Number(slider.value);
    const songId = this.selected;
    if (songId === null) return;
    if (!DistanceFilter.isActiveAt(distance)) {
      this.resetDistance({ fit: true });
      return;
    }
    const request = ++this.filterRequest;
    $("distance-status").textContent = "Finding the songs within this distance…";
    try {
      const { results } = await this.api.similar(songId, { k: API_MAX_K, maxDistance: distance });
      if (request !== this.filterRequest || songId !== this.selected) return;
      this.filter.apply(songId, distance, results);
      this.updateStates();
      const within = indicesAtLeast(this.states, SHOWN);
      if (within.length) this.view.fit(within);
      $("distance-status").textContent = this.filter.describe();
      this.root.dataset.filter = String(distance);
    } catch (error) {
      if (request === this.filterRequest) $("distance-status").textContent = error.message;
    }
  }

  resetDistance({ fit }) {
    this.filterRequest += 1;
    this.filter.clear();
    $("distance-slider").value = String(MAX_DISTANCE);
    $("distance-value").textContent = "all";
    $("distance-status").textContent = "";
    this.root.dataset.filter = "";
    this.updateStates();
    if (fit) this.fitShown();
  }

  async surprise() {
    const from = this.selectedSong;
    const status = $("surprise-status");
    let minDistance = Number($("surprise-min").value);
    let maxDistance = Number($("surprise-max").value);
    if (minDistance > maxDistance) [minDistance, maxDistance] = [maxDistance, minDistance];
    try {
      const { result, message } = await this.api.surprise(this.selected, {
        minDistance,
        maxDistance,
      });
      if (!result) {
        status.textContent = message;
        return;
      }
      await this.select(result.song.id);
      $("surprise-status").textContent =
        `${formatDistance(result.distance)} away from ${from ? songLine(from) : "the last song"}.`;
    } catch (error) {
      status.textContent = error.message;
    }
  }

  // ---- for tests and the benchmark ----

  /** Where a song is drawn, in CSS pixels of the page, or null when off the map or the screen. */
  projectSong(songId) {
    const index = this.map.indexOf.get(songId);
    if (index === undefined) return null;
    const { x, y, visible } = this.view.project(index);
    if (!visible) return null;
    const rect = $("map-canvas").getBoundingClientRect();
    return { x: rect.left + x, y: rect.top + y };
  }
}
