// The hands on the map: a click (or a tap) picks the song under it and selects it, the mouse
// hovering names a song (hover.js), and the keyboard zooms, orbits, frames and clears.

import { Hover } from "./hover.js";

const CLICK_SLOP_PX = 6; // a press that moves less than this is a click, not a drag
const CLICK_MAX_MS = 700; // a longer press is not a click either

/** state: the page's ExplorerState; view: the MapStage's MapView; api: for hover's titles. */
export function bindPointer({ state, view, canvas, tooltip, api }) {
  const hover = new Hover({
    view,
    canvas,
    tooltip,
    api,
    describe: (index) => ({
      songId: state.map.ids[index],
      category: state.categories.names[state.categories.categoryOf[index]],
    }),
  });
  let press = null;
  canvas.addEventListener("pointerdown", (event) => {
    press = { x: event.offsetX, y: event.offsetY, time: performance.now() };
    hover.cancel();
  });
  canvas.addEventListener("pointerup", (event) => {
    if (!press) return;
    const moved = Math.hypot(event.offsetX - press.x, event.offsetY - press.y);
    const quick = performance.now() - press.time < CLICK_MAX_MS;
    press = null;
    if (moved > CLICK_SLOP_PX || !quick) return;
    const clickedAt = performance.now();
    const index = view.pick(event.offsetX, event.offsetY);
    state.signals.picked.dispatch({ ms: performance.now() - clickedAt });
    // Selecting here, inside the click, lets the browser start the audio (a user gesture).
    if (index >= 0) state.select(state.map.ids[index], { clickedAt });
  });
  canvas.addEventListener("pointermove", (event) => {
    if (event.pointerType !== "touch" && event.buttons === 0) {
      hover.moved(event.offsetX, event.offsetY);
    }
  });
  canvas.addEventListener("pointerleave", () => hover.left());
}

/** freeFlight: freeflight.js's, which has the W A S D keys while it is on. */
export function bindKeys({ state, view, freeFlight }) {
  window.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    const typing = event.target.closest?.("input, textarea, select, [contenteditable]");
    if (event.key === "Escape") {
      state.clearSelection();
      return;
    }
    if (typing) return;
    if (event.key.toLowerCase() === "g") {
      event.preventDefault();
      freeFlight.toggle();
      return;
    }
    if (freeFlight.active) return; // its own keys move the camera
    const step = 0.12;
    const actions = {
      "+": () => view.zoom(0.8),
      "=": () => view.zoom(0.8),
      "-": () => view.zoom(1.25),
      _: () => view.zoom(1.25),
      a: () => view.orbit(-step, 0),
      d: () => view.orbit(step, 0),
      w: () => view.orbit(0, -step),
      s: () => view.orbit(0, step),
      f: () => state.fitShown(),
    };
    const action = actions[event.key.length === 1 ? event.key.toLowerCase() : event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });
}
