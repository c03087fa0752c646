// The Discover panel's song alchemy: a recipe of songs to add and subtract (recipe.js), mixed
// by the API into the songs nearest the result, which are listed, lit on the map and can be
// played, or saved as a playlist.

import { errorText } from "./api.js";
import { formatDistance } from "./format.js";
import { element, renderSongs, songLine } from "./panel.js";
import { AlchemyRecipe, MAX_PER_SIDE, MAX_WEIGHT, MIN_WEIGHT } from "./recipe.js";

const $ = (id) => document.getElementById(id);

export class AlchemyPanel {
  /**
   * state: the page's ExplorerState; light({found, marked}) and open(): the Discover panel's;
   * playlistPage: the playlists page's address, an id appended.
   */
  constructor({ state, api, light, open, playlistPage }) {
    this.state = state;
    this.api = api;
    this.light = light;
    this.open = open;
    this.playlistPage = playlistPage;
    this.recipe = state.recipe = new AlchemyRecipe(); // kept in the page's state with the rest
    this.results = []; // the mix's songs, for Play all and Save
    this.name = ""; // what Play all calls them
    this.request = 0; // increases on every mix: older answers are dropped
    state.signals.selectionChanged.add((songId) => {
      if (songId !== null) this.showSelection(songId);
    });
    $("alchemy-add").addEventListener("click", () => this.putSelected("add"));
    $("alchemy-subtract").addEventListener("click", () => this.putSelected("subtract"));
    $("alchemy-mix").addEventListener("click", () => this.mix());
    $("alchemy-play").addEventListener("click", () => {
      if (this.results.length) state.playList(this.results, this.name);
    });
    $("alchemy-save").addEventListener("submit", (event) => {
      event.preventDefault();
      this.save();
    });
    this.renderRecipe();
  }

  /** The song panel shows another song (null: none): say whether it is in the recipe. */
  showSelection(songId) {
    const item = songId === null ? null : this.recipe.find(songId);
    $("alchemy-note").textContent = item
      ? `In the alchemy recipe, ${item.sign === "add" ? "to add" : "to subtract"}.`
      : "";
  }

  async putSelected(sign) {
    const songId = this.state.selected;
    if (songId === null) return;
    let song = this.state.selectedSong;
    if (song?.id !== songId) {
      try {
        song = await this.api.song(songId); // pressed before the panel's details came
      } catch (error) {
        $("alchemy-note").textContent = errorText(error);
        return;
      }
    }
    const outcome = this.recipe.put({ id: song.id, title: song.title, artist: song.artist }, sign);
    const side = sign === "add" ? "to add" : "to subtract";
    $("alchemy-note").textContent = {
      added: `“${songLine(song)}” is in the alchemy recipe, ${side}.`,
      moved: `“${songLine(song)}” moved to the songs ${side}.`,
      already: `“${songLine(song)}” is in the recipe ${side} already.`,
      full: `The recipe has ${MAX_PER_SIDE} songs ${side} already, the most it takes.`,
    }[outcome];
    this.renderRecipe();
    this.open();
  }

  renderRecipe() {
    const list = $("recipe-list");
    list.replaceChildren(
      ...this.recipe.items.map((item) => {
        const line = songLine(item.song);
        const row = element("li", {
          className: item.sign,
          attributes: { "data-song-id": String(item.song.id), "data-sign": item.sign },
        });
        const sign = element("span", {
          className: "sign",
          text: item.sign === "add" ? "+" : "−",
          attributes: { title: item.sign === "add" ? "Added" : "Subtracted" },
        });
        const name = element("span", { className: "name", text: line });
        const weight = element("input", {
          className: "weight",
          attributes: {
            type: "number",
            min: String(MIN_WEIGHT),
            max: String(MAX_WEIGHT),
            step: "0.1",
            "aria-label": `Weight of ${line}`,
            title: "Weight",
          },
        });
        weight.value = String(item.weight);
        weight.addEventListener("change", () => {
          weight.value = String(this.recipe.setWeight(item.song.id, weight.value));
        });
        const remove = element("button", {
          className: "remove",
          text: "×",
          attributes: { type: "button", "aria-label": `Take ${line} out of the recipe` },
        });
        remove.addEventListener("click", () => {
          this.recipe.remove(item.song.id);
          this.renderRecipe();
          if (this.state.selected === item.song.id) this.showSelection(item.song.id);
          $("alchemy-mix").focus();
        });
        row.append(sign, name, weight, remove);
        return row;
      }),
    );
    $("recipe-empty").hidden = !this.recipe.isEmpty;
    $("alchemy-mix").disabled = !this.recipe.canMix;
    $("alchemy-mix").title = this.recipe.canMix ? "" : "Add at least one song";
  }

  async mix() {
    if (!this.recipe.canMix) return;
    const request = ++this.request;
    const status = $("alchemy-status");
    const k = Math.min(100, Math.max(1, Math.round(Number($("alchemy-count").value)) || 20));
    $("alchemy-count").value = String(k);
    const inputs = this.recipe.songIds;
    const name = this.recipe.name();
    status.textContent = "Mixing…";
    $("alchemy-saved").replaceChildren();
    let answer;
    try {
      answer = await this.api.alchemy(this.recipe.request({ k }));
    } catch (error) {
      if (request === this.request) status.textContent = errorText(error);
      return;
    }
    if (request !== this.request) return;
    this.results = answer.results.map((result) => result.song);
    this.name = name;
    status.textContent = answer.results.length
      ? `${answer.results.length} songs nearest to the mix, ringed in green; its songs in pink.`
      : "No other song is near this mix.";
    renderSongs(
      $("alchemy-results"),
      answer.results.map(({ song, distance }) => ({ song, value: formatDistance(distance) })),
      {
        onSelect: (song) => this.state.select(song.id),
        valueTitle: "Cosine distance to the mix (0 = the same direction)",
      },
    );
    $("alchemy-play").hidden = !answer.results.length;
    $("alchemy-save").hidden = !answer.results.length;
    $("alchemy-name").value = name;
    this.light({ found: this.results.map((song) => song.id), marked: inputs });
  }

  async save() {
    const songs = this.results.map((song) => song.id);
    const name = $("alchemy-name").value.trim();
    const saved = $("alchemy-saved");
    if (!songs.length || !name) return;
    const button = $("alchemy-save").querySelector("button");
    button.disabled = true;
    saved.textContent = "Saving…";
    try {
      const playlist = await this.api.createPlaylist({ name, songs });
      const link = element("a", {
        text: "Open the playlist",
        attributes: { href: `${this.playlistPage}${playlist.id}/` },
      });
      const onMap = element("button", {
        className: "small",
        text: "Play it on the map",
        attributes: { type: "button" },
      });
      onMap.addEventListener("click", () =>
        this.state.openPlaylist(playlist.id, { history: "push" }),
      );
      saved.replaceChildren(
        `Saved as your playlist “${playlist.name}” with ${songs.length} songs. `,
        link,
        " ",
        onMap,
      );
      saved.dataset.playlistId = String(playlist.id);
      // The song panel's list of playlists to add to has it too.
      this.state.signals.playlistSlotChanged.dispatch();
    } catch (error) {
      saved.textContent = errorText(error);
    } finally {
      button.disabled = false;
    }
  }
}
