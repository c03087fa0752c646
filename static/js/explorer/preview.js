// Sound before the click: resting the pointer on a song (a long press on a touch screen) plays a
// few seconds from its middle, fading in and out, on an <audio> element of its own (so the
// listener's history, which follows the player, counts no preview). One at a time: a new
// preview ends the last, and the player is turned down while one plays. A switch turns
// previews off, another makes them spatial (Web Audio's PannerNode: the song sounds from where
// it lies relative to the camera); both choices are remembered in the browser.

const DELAY_MS = 450; // the pointer rests this long before a song is heard
const SNIPPET_S = 5;
const FADE_IN_MS = 350;
const FADE_OUT_MS = 400;
const STORE = { enabled: "neuralnotes.explorer.hoverSound", spatial: "neuralnotes.explorer.spatial" };

function remembered(key, otherwise) {
  try {
    const value = window.localStorage.getItem(key);
    return value === null ? otherwise : value === "on";
  } catch {
    return otherwise; // storage refused (a private window's settings): not remembered
  }
}

function remember(key, on) {
  try {
    window.localStorage.setItem(key, on ? "on" : "off");
  } catch {
    // not remembered, but the switch still works for this visit
  }
}

/** Where a snippet of ``snippet`` seconds starts in a song of ``duration`` seconds. */
export function snippetStart(duration, snippet = SNIPPET_S) {
  if (!Number.isFinite(duration) || duration <= snippet) return 0;
  return duration / 2 - snippet / 2;
}

export class HoverPreview {
  /**
   * state: the page's ExplorerState; view: the MapView (where songs are, for spatial sound);
   * audio: the preview's <audio>; switches: {enabled, spatial} buttons (aria-pressed).
   */
  constructor({ state, api, view, audio, switches }) {
    this.state = state;
    this.api = api;
    this.view = view;
    this.audio = audio;
    this.switches = switches;
    this.enabled = remembered(STORE.enabled, true);
    this.spatial = remembered(STORE.spatial, false);
    this.songId = null; // the song previewed (or waiting for its delay)
    this.timer = null;
    this.fade = null;
    this.stopAt = null;
    this.graph = null; // Web Audio nodes, made on the first spatial preview
    this.showSwitches();
    switches.enabled.addEventListener("click", () => this.setEnabled(!this.enabled));
    switches.spatial.addEventListener("click", () => this.setSpatial(!this.spatial));
    audio.addEventListener("timeupdate", () => {
      if (this.stopAt !== null && audio.currentTime >= this.stopAt) this.stop();
    });
    audio.addEventListener("ended", () => this.stop({ fadeMs: 0 }));
    // A selection plays the song itself: no preview over it.
    state.signals.selectionChanged.add(() => this.rest(null));
    view.onFrame(() => this.place());
  }

  showSwitches() {
    this.switches.enabled.setAttribute("aria-pressed", String(this.enabled));
    this.switches.spatial.setAttribute("aria-pressed", String(this.spatial));
    this.switches.spatial.disabled = !this.enabled;
  }

  setEnabled(on) {
    this.enabled = on;
    remember(STORE.enabled, on);
    if (!on) this.rest(null);
    this.showSwitches();
  }

  setSpatial(on) {
    this.spatial = on;
    remember(STORE.spatial, on);
    if (on) this.connectGraph();
    if (this.graph) this.route();
    this.showSwitches();
  }

  /**
   * The pointer rests on ``songId`` (null: on no song). After the delay its snippet plays; a
   * song it moved away from is faded out. now: true for a long press, which has waited already.
   */
  rest(songId, { now = false } = {}) {
    if (songId === this.songId) return;
    clearTimeout(this.timer);
    this.timer = null;
    if (this.songId !== null) this.stop();
    this.songId = songId;
    if (songId === null || !this.enabled) return;
    if (now) this.start(songId);
    else this.timer = setTimeout(() => this.start(songId), DELAY_MS);
  }

  start(songId) {
    const asked = performance.now();
    const audio = this.audio;
    clearInterval(this.fade);
    audio.volume = 0;
    audio.src = this.api.audioUrl(songId);
    if (this.spatial) this.connectGraph();
    this.graph?.context.resume().catch(() => {});
    this.state.signals.previewChanged.dispatch(songId, { phase: "asked" });
    audio.addEventListener(
      "loadedmetadata",
      () => {
        if (this.songId !== songId) return;
        const from = snippetStart(audio.duration);
        audio.currentTime = from;
        this.stopAt = from + SNIPPET_S;
        audio
          .play()
          .then(() => {
            if (this.songId !== songId) return;
            this.fadeTo(1, FADE_IN_MS);
            const ms = performance.now() - asked;
            this.state.signals.previewChanged.dispatch(songId, { phase: "playing", ms });
          })
          .catch(() => {}); // no sound allowed before the listener's first click or key
      },
      { once: true },
    );
  }

  /** Fade out and stop the snippet playing, if any. */
  stop({ fadeMs = FADE_OUT_MS } = {}) {
    const audio = this.audio;
    this.stopAt = null;
    if (audio.paused) return;
    this.fadeTo(0, fadeMs, () => {
      audio.pause();
      this.state.signals.previewChanged.dispatch(null, { phase: "stopped" });
    });
  }

  /** Ease the preview's volume to ``level`` over ``ms``, then ``done()``. */
  fadeTo(level, ms, done = () => {}) {
    clearInterval(this.fade);
    const audio = this.audio;
    const from = audio.volume;
    const started = performance.now();
    const step = () => {
      const t = ms ? Math.min(1, (performance.now() - started) / ms) : 1;
      audio.volume = from + (level - from) * t;
      if (t >= 1) {
        clearInterval(this.fade);
        done();
      }
    };
    this.fade = setInterval(step, 25);
    step();
  }

  /** The Web Audio path for spatial sound: the element, a panner, the speakers. */
  connectGraph() {
    if (this.graph || !window.AudioContext) return;
    const context = new AudioContext();
    const source = context.createMediaElementSource(this.audio);
    const panner = new PannerNode(context, {
      panningModel: "equalpower",
      distanceModel: "inverse",
      refDistance: 0.6,
      rolloffFactor: 0.8,
    });
    this.graph = { context, source, panner };
    this.route();
  }

  route() {
    const { context, source, panner } = this.graph;
    source.disconnect();
    panner.disconnect();
    if (this.spatial) {
      source.connect(panner);
      panner.connect(context.destination);
    } else {
      source.connect(context.destination);
    }
    this.place();
  }

  /** Put the panner where the song is, seen from the camera (the listener at the origin). */
  place() {
    if (!this.graph || !this.spatial || this.songId === null) return;
    const index = this.state.map.indexOf.get(this.songId);
    if (index === undefined) return;
    const at = this.view.pointPosition(index).applyMatrix4(this.view.camera.matrixWorldInverse);
    const { panner, context } = this.graph;
    panner.positionX.setTargetAtTime(at.x, context.currentTime, 0.05);
    panner.positionY.setTargetAtTime(at.y, context.currentTime, 0.05);
    panner.positionZ.setTargetAtTime(at.z, context.currentTime, 0.05);
  }
}
