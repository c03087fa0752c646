// The explorer once its map is loaded: builds the page's parts around its one state
// (state.js) and connects the panels to it. The parts never hold each other: each reads the
// state, asks it for changes and subscribes to its signals. Drawing is in stage.js and
// scene.js; the rules (colours, filters, walk, address) in small modules tested with node.

import { DiscoverPanel } from "./discover.js";
import { MapFilters } from "./filters.js";
import { FreeFlight } from "./freeflight.js";
import { ListenerLayers } from "./layers.js";
import { ListView } from "./listview.js";
import { Player } from "./player.js";
import { PlaylistSlot } from "./playlists.js";
import { HoverPreview } from "./preview.js";
import { RegionNames } from "./regions.js";
import { bindKeys, bindPointer } from "./pointer.js";
import { setupSearch } from "./search.js";
import { SelectionPanel } from "./selection.js";
import { MapStage } from "./stage.js";
import { WalkControls } from "./walking.js";

const $ = (id) => document.getElementById(id);

/** The map for ``state``, drawn as soon as its first points are in (main.js). */
export function createStage(state) {
  return new MapStage({ state, canvas: $("map-canvas"), labels: $("labels") });
}

/**
 * Build the page around ``stage`` (createStage's) once every point of the map is in. Returns
 * {walk, preview}: the walk controls (which open what the address names once every point is
 * drawn) and the hover preview.
 */
export function createExplorer({ root, state, api, stage }) {
  const preview = new HoverPreview({
    state,
    api,
    view: stage.view,
    audio: $("preview"),
    switches: { enabled: $("hover-sound"), spatial: $("spatial-sound") },
  });
  bindPointer({
    state,
    view: stage.view,
    canvas: $("map-canvas"),
    tooltip: $("tooltip"),
    api,
    preview,
  });
  new RegionNames({ state, view: stage.view, container: $("region-names") });
  const freeFlight = new FreeFlight({
    view: stage.view,
    canvas: $("map-canvas"),
    button: $("free-flight"),
  });
  bindKeys({ state, view: stage.view, freeFlight });
  // Subscribed in this order: the walk ends before the player, the filter and the slot hear
  // of a new selection.
  const walk = new WalkControls({ state, api });
  new Player({ state, api, audio: $("player"), nowPlaying: $("now-playing") });
  new SelectionPanel({ state, api, root });
  new MapFilters({ state, api, root });
  setupSearch({
    input: $("search-input"),
    list: $("search-results"),
    api,
    onChoose: (song) => state.select(song.id),
  });
  if ($("playlist-slot")) connectPlaylistSlot({ state, api });
  if ($("layers")) new ListenerLayers({ state, api });
  new ListView({ state, api });
  // Words, alchemy and the listener's own listening: only on a signed-in listener's page.
  if ($("discover")) new DiscoverPanel({ state, api });
  return { walk, preview };
}

/** The panel's heart and "add to playlist", for a signed-in listener only. */
function connectPlaylistSlot({ state, api }) {
  const slot = new PlaylistSlot({
    elements: {
      slot: $("playlist-slot"),
      heart: $("favourite-toggle"),
      choice: $("playlist-choice"),
      add: $("playlist-add"),
      status: $("playlist-status"),
    },
    api,
  });
  slot.load().catch((error) => slot.say(error.message));
  state.signals.selectionChanged.add((songId) => slot.show(songId));
  state.signals.playlistSlotChanged.add(() => slot.load().catch(() => {}));
}
