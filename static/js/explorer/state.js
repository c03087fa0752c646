// The explorer page's one place for its state, and the signals that announce its changes (in
// the manner of the three.js editor's `signals`). Every part of the page (the map, the song
// panel, the player, the walk, the filters, the Discover panel, the playlists slot) gets this
// object and nothing of the others: it reads the state here, asks for changes through the
// request methods below, and subscribes to the announcements it needs.

import { categoriesFor, defaultColouring } from "./palette.js";
import { DistanceFilter, FADED, indicesAtLeast, SHOWN } from "./visibility.js";

/** One named event: listeners added, called in order with what dispatch() is given. */
export class Signal {
  constructor() {
    this.listeners = [];
  }

  /** Call ``listener`` on every dispatch; returns a function that removes it. */
  add(listener) {
    this.listeners.push(listener);
    return () => this.remove(listener);
  }

  remove(listener) {
    this.listeners = this.listeners.filter((other) => other !== listener);
  }

  /** Call every listener; returns what they returned (a request's promises, see below). */
  dispatch(...args) {
    return [...this.listeners].map((listener) => listener(...args));
  }
}

const SIGNALS = [
  // Announcements: something changed; whoever shows it draws it again.
  "mapLoaded", // (map) every point arrived
  "ready", // () every point is on the screen and the page answers
  "coloursChanged", // () state.categories changed (another "colour by")
  "filtersChanged", // () state.states changed (the legend or the distance filter)
  "selectionChanged", // (songId or null, {fromWalk}) a song was selected, or none
  "selectionShown", // ({songId, ms}) its details and neighbours are in the panel
  "neighboursChanged", // () state.neighbours changed (for the selected song)
  "walkChanged", // () state.walk changed, or moved along
  "highlightChanged", // (changes) some of state.highlight's keys changed
  "labelsChanged", // (items) the names written next to points ({index, text, kind})
  "playlistSlotChanged", // () the listener's playlists changed (one was saved)
  "picked", // ({ms}) a click on the map was resolved to a point
  "songEnded", // () the player reached the end of its song
  "previewChanged", // (songId or null, {phase: "asked" | "playing" | "stopped", ms}) preview.js
  // Requests: one part of the page acts on each (named in the methods below).
  "selectRequested",
  "clearRequested",
  "playRequested",
  "listRequested",
  "playlistRequested",
  "fitRequested",
  "flyRequested",
  "neighbourStepRequested",
];

export class ExplorerState {
  constructor() {
    this.signals = Object.fromEntries(SIGNALS.map((name) => [name, new Signal()]));
    // Loading (main.js).
    this.map = null; // mapdata.js's MapReader map, filled as its blocks arrive
    this.mapBytes = null;
    this.ready = false;
    this.firstFrameMs = null; // milliseconds since navigation started: the first points drawn
    this.firstPoints = null; // how many points that first frame drew
    this.allPointsMs = null; // milliseconds since navigation started: every point drawn
    // What the points look like (filters.js).
    this.colouring = null;
    this.categories = null;
    this.legend = null; // LegendState
    this.states = null; // Uint8Array(n), visibility.js's states
    this.filter = new DistanceFilter();
    // The selection (selection.js).
    this.selected = null; // song id
    this.selectedSong = null; // its details, once loaded
    this.neighbours = []; // [{song, distance}] of the selected song
    this.k = 3;
    // The player (player.js) and the walk along songs (walking.js).
    this.playing = null; // song id
    this.walk = null; // walk.js's ListeningWalk
    // The Discover panel's alchemy recipe (recipe.js), on a signed-in listener's page.
    this.recipe = null;
    // Rings and lines over the map (indices of points), as scene.js's setHighlight takes them.
    this.highlight = {
      selected: -1,
      neighbours: [],
      path: [],
      found: [],
      marked: [],
      listening: [],
      listeningEmphasis: [],
      layers: [], // the listener's glowing layers: [{name, indices, colour, pixels}] (layers.js)
    };
  }

  /** The first points arrived (map.loaded of them, an even sample): enough to draw the map.
   * Every point shown, coloured the map's default way. */
  beginMap(map) {
    this.map = map;
    this.states = new Uint8Array(map.count).fill(SHOWN);
    this.colouring = defaultColouring(map);
    this.categories = categoriesFor(map, this.colouring);
  }

  /** Every point arrived (``bytes`` of map): the categories counted on all of them. */
  loadMap(map, { bytes }) {
    if (this.map !== map) this.beginMap(map);
    else this.categories = categoriesFor(map, this.colouring);
    this.mapBytes = bytes;
    this.signals.mapLoaded.dispatch(map);
  }

  /** Point indices of the songs ``ids`` that are on the map, in their order. */
  indicesOf(ids) {
    return ids.map((id) => this.map.indexOf.get(id)).filter((index) => index !== undefined);
  }

  /** The song ids of point ``indices``. */
  idsOf(indices) {
    return indices.map((index) => this.map.ids[index]);
  }

  setHighlight(changes) {
    Object.assign(this.highlight, changes);
    this.signals.highlightChanged.dispatch(changes);
  }

  // ---- requests: any part may ask; the part named acts ----

  /**
   * Select a song (selection.js): play it, show it and its neighbours, fly to it. options:
   * play, fly, history ("push", "replace", "none"), fromWalk, clickedAt. The promise settles
   * once the panel shows it (or a later selection took its place).
   */
  select(songId, options = {}) {
    return Promise.all(this.signals.selectRequested.dispatch(songId, options));
  }

  /** Select nothing (selection.js). history: as select's. */
  clearSelection(options = {}) {
    this.signals.clearRequested.dispatch(options);
  }

  /** Play a song (player.js); song: its details when known. onlyIfNotPlaying: leave it be
   * when it is the song playing already. */
  play(songId, song = null, { onlyIfNotPlaying = false } = {}) {
    this.signals.playRequested.dispatch(songId, song, { onlyIfNotPlaying });
  }

  /** Play ``songs`` (details, not empty) in order like a playlist not saved (walking.js). */
  playList(songs, name) {
    this.signals.listRequested.dispatch(songs, name);
  }

  /** Open a saved playlist as a path on the map (walking.js). options: songId, history, play. */
  openPlaylist(playlistId, options = {}) {
    return Promise.all(this.signals.playlistRequested.dispatch(playlistId, options));
  }

  /** Frame the points at ``indices`` (every point when null) (stage.js). */
  fit(indices = null) {
    this.signals.fitRequested.dispatch(indices);
  }

  /** Frame the songs not hidden, or all of them when every one is. */
  fitShown() {
    const shown = indicesAtLeast(this.states, FADED);
    this.fit(shown.length ? shown : null);
  }

  /** Move to the next (delta 1) or previous (-1) of the selected song's neighbours and play
   * it, without selecting it (selection.js). */
  stepNeighbour(delta) {
    this.signals.neighbourStepRequested.dispatch(delta);
  }

  /** Fly to point ``index`` with ``around`` (indices) in view (stage.js). */
  flyTo(index, around = []) {
    this.signals.flyRequested.dispatch(index, around);
  }
}
