// The hands on the map: a click (or a tap) picks the song under it and selects it, the mouse
// hovering names a song (hover.js), and the keyboard zooms, orbits, frames and clears.

import { Hover } from "./hover.js";

const CLICK_SLOP_PX = 6; // a press that moves less than this is a click, not a drag
const CLICK_MAX_MS = 700; // a longer press is not a click either
const LONG_PRESS_MS = 500; // a finger held still this long previews the song under it

/**
 * state: the page's ExplorerState; view: the MapStage's MapView; api: for hover's titles;
 * preview: preview.js's, told where the pointer rests (a long press on a touch screen).
 */
export function bindPointer({ state, view, canvas, tooltip, api, preview }) {
  const hover = new Hover({
    onRest: (songId) => preview.rest(songId),
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
  let longPress = null;
  canvas.addEventListener("pointerdown", (event) => {
    press = { x: event.offsetX, y: event.offsetY, time: performance.now(), previewed: false };
    hover.cancel();
    clearTimeout(longPress);
    if (event.pointerType === "touch" && event.isPrimary) {
      const pressed = press;
      longPress = setTimeout(() => {
        const index = view.pick(pressed.x, pressed.y);
        if (index < 0 || press !== pressed) return;
        pressed.previewed = true; // lifting the finger now is not a tap
        hover.x = pressed.x;
        hover.y = pressed.y;
        hover.show(index);
        preview.rest(state.map.ids[index], { now: true });
      }, LONG_PRESS_MS);
    }
  });
  canvas.addEventListener("pointermove", (event) => {
    if (press && Math.hypot(event.offsetX - press.x, event.offsetY - press.y) > CLICK_SLOP_PX) {
      clearTimeout(longPress); // a drag or a pinch, not a press
    }
  });
  canvas.addEventListener("pointerup", (event) => {
    clearTimeout(longPress);
    if (!press) return;
    const moved = Math.hypot(event.offsetX - press.x, event.offsetY - press.y);
    const quick = performance.now() - press.time < CLICK_MAX_MS;
    const previewed = press.previewed;
    press = null;
    if (moved > CLICK_SLOP_PX || !quick || previewed) return;
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
  canvas.addEventListener("pointerleave", (event) => {
    // A finger lifted leaves too: its long press's preview plays on (to its end, or the next).
    if (event.pointerType === "touch") hover.cancel();
    else hover.left();
  });
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
      "]": () => state.stepNeighbour(1),
      "[": () => state.stepNeighbour(-1),
    };
    const action = actions[event.key.length === 1 ? event.key.toLowerCase() : event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });
}
