// The listener's own music lit up: their favourites, the songs of a playlist they choose, and
// what they have listened to, each a layer of glowing songs switched on and off from the
// legend. The songs come from the REST API when a layer is switched on (so they are current);
// the glows are drawn by overlays.js from the state's highlight.

import { errorText } from "./api.js";

const $ = (id) => document.getElementById(id);

// Glow colours (0 to 1) and sizes in CSS pixels, one per layer; the legend's swatches match.
export const LAYERS = {
  favourites: { colour: [1.0, 0.36, 0.48], pixels: 36 },
  playlist: { colour: [1.0, 0.75, 0.3], pixels: 36 },
  history: { colour: [0.72, 0.56, 1.0], pixels: 36 },
};

export class ListenerLayers {
  /** state: the page's ExplorerState; api: createApi's (a signed-in listener's). */
  constructor({ state, api }) {
    this.state = state;
    this.api = api;
    this.on = { favourites: [], playlist: [], history: [] }; // point indices lit, per layer
    this.request = { favourites: 0, playlist: 0, history: 0 }; // later answers win
    this.buttons = {
      favourites: $("layer-favourites"),
      playlist: $("layer-playlist"),
      history: $("layer-history"),
    };
    this.choice = $("layer-playlist-choice");
    this.status = $("layers-status");
    for (const [name, button] of Object.entries(this.buttons)) {
      button.disabled = false;
      button.addEventListener("click", () => {
        if (button.getAttribute("aria-pressed") === "true") this.switchOff(name);
        else this.switchOn(name);
      });
    }
    this.choice.addEventListener("change", () => {
      if (this.buttons.playlist.getAttribute("aria-pressed") === "true") this.switchOn("playlist");
    });
    this.loadPlaylists();
    state.signals.playlistSlotChanged.add(() => this.loadPlaylists());
    $("layers").hidden = false;
  }

  async loadPlaylists() {
    try {
      const { results } = await this.api.playlists();
      const chosen = this.choice.value;
      const own = results.filter((p) => !p.is_favourites);
      this.choice.replaceChildren(...own.map((p) => new Option(p.name, String(p.id))));
      if (own.some((p) => String(p.id) === chosen)) this.choice.value = chosen;
      this.choice.disabled = !own.length;
      this.buttons.playlist.disabled = !own.length;
      if (!own.length) this.choice.replaceChildren(new Option("No playlists yet", ""));
    } catch (error) {
      this.status.textContent = errorText(error);
    }
  }

  /** The song ids of layer ``name``, from the API. */
  async songsOf(name) {
    if (name === "favourites") return (await this.api.favourites()).songs;
    if (name === "history") return (await this.api.listeningMap()).songs;
    const detail = await this.api.playlist(Number(this.choice.value));
    return detail.entries.map((entry) => entry.song.id);
  }

  async switchOn(name) {
    const request = ++this.request[name];
    const button = this.buttons[name];
    button.setAttribute("aria-pressed", "true");
    this.status.textContent = "";
    let ids;
    try {
      ids = await this.songsOf(name);
    } catch (error) {
      if (request !== this.request[name]) return;
      button.setAttribute("aria-pressed", "false");
      this.status.textContent = errorText(error);
      return;
    }
    if (request !== this.request[name]) return;
    this.on[name] = this.state.indicesOf(ids);
    if (!ids.length) this.status.textContent = `${button.dataset.empty}`;
    this.draw();
  }

  switchOff(name) {
    this.request[name] += 1;
    this.buttons[name].setAttribute("aria-pressed", "false");
    this.on[name] = [];
    this.status.textContent = "";
    this.draw();
  }

  draw() {
    const layers = Object.entries(this.on)
      .filter(([, indices]) => indices.length)
      .map(([name, indices]) => ({ name, indices, ...LAYERS[name] }));
    this.state.setHighlight({ layers });
  }
}
