// The explorer page's entry point: check WebGL, download the map with visible progress, draw
// its first points (an even sample of the map) while the rest arrive, then build the page
// around its state (explorer.js). Every way this can end early says why on the page.

import { createApi } from "./api.js";
import { createExplorer, createStage } from "./explorer.js";
import { formatBytes } from "./format.js";
import { recordPlays } from "./history.js";
import { MapReader } from "./mapdata.js";
import { webglAvailable } from "./scene.js";
import { ExplorerState } from "./state.js";

const root = document.getElementById("explorer");
const config = JSON.parse(document.getElementById("explorer-config").textContent);

// The page's one state. Exported with the map's stage and the hover preview for tools that
// drive the page from outside (the browser tests' probe, tests/explorer/probe.js, imports this
// module); the page itself never reads these exports and puts nothing on window.
export const state = new ExplorerState();
export let stage = null;
export let preview = null;

function showNotice(title, text, state) {
  document.getElementById("loading").hidden = true;
  const notice = document.getElementById("notice");
  const heading = document.createElement("h2");
  heading.textContent = title;
  const body = document.createElement("p");
  body.textContent = text;
  notice.replaceChildren(heading, body);
  notice.hidden = false;
  root.dataset.state = state;
}

function showProgress(loaded, total) {
  const bar = document.getElementById("load-progress");
  const detail = document.getElementById("load-detail");
  if (total) {
    bar.value = loaded / total;
    detail.textContent = `${formatBytes(loaded)} of ${formatBytes(total)}`;
  } else {
    bar.removeAttribute("value"); // an indeterminate bar: the size is not known
    detail.textContent = formatBytes(loaded);
  }
}

async function start() {
  if (!webglAvailable()) {
    showNotice(
      "This browser cannot draw the map",
      "The explorer needs WebGL 2. Use a current Firefox, Chrome, Edge or Safari, and check " +
        "that hardware acceleration is not switched off in the browser's settings.",
      "no-webgl",
    );
    return;
  }
  // A signed-in listener's page has the playlists slot, which carries their addresses.
  const slot = document.getElementById("playlist-slot");
  const urls = slot
    ? {
        ...config.urls,
        playlists: slot.dataset.playlistsUrl,
        favourites: slot.dataset.favouritesUrl,
      }
    : config.urls;
  const api = createApi(urls);
  // Every song the player plays goes into the listener's history (history.js).
  recordPlays(document.getElementById("player"), {
    url: config.urls.history,
    audioTemplate: config.urls.audio,
  });
  const reader = new MapReader();
  let bytes = 0;
  const found = await api.points((chunk, loaded, total) => {
    showProgress(loaded, total);
    bytes = loaded;
    // The first block of points (an even sample of the map: map_points_packed) is drawn at once.
    if (reader.push(chunk) > 0 && stage === null) drawFirstPoints(reader.map);
  });
  if (!found) {
    showNotice(
      "No map yet",
      "The catalogue has no map to explore yet. Songs appear here once they are uploaded and " +
        "analysed, and the map is drawn a few moments after the first of them.",
      "empty",
    );
    return;
  }
  const map = reader.finish();
  state.loadMap(map, { bytes });
  if (map.count === 0) {
    showNotice(
      "The catalogue is empty",
      "The map has no songs on it yet. Songs appear here once they are uploaded and analysed.",
      "empty",
    );
    return;
  }
  document.getElementById("loading").hidden = true;
  const parts = createExplorer({ root, state, api, stage });
  preview = parts.preview;
  stage.view.renderNow();
  // The frame was submitted; the next animation frame comes once it is on the screen.
  requestAnimationFrame(() => {
    state.allPointsMs = performance.now(); // milliseconds since navigation started
    state.ready = true;
    root.dataset.state = "ready";
    state.signals.ready.dispatch();
    parts.walk.openFromAddress({ history: "replace" });
  });
}

/** The map's first points are in: draw them while the rest arrive (the progress moves aside). */
function drawFirstPoints(map) {
  state.beginMap(map);
  stage = createStage(state);
  stage.firstFrame();
  state.firstPoints = map.loaded;
  root.dataset.state = "drawing";
  requestAnimationFrame(() => (state.firstFrameMs = performance.now()));
}

start().catch((error) => {
  console.error(error);
  showNotice("The explorer could not start", error.message, "error");
});
