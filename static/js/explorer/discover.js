// The Discover panel beside the map: songs for words, song alchemy, and the listener's own
// listening. Each list lights its songs up on the map (rings over the points: nothing else is
// hidden or faded, so they are seen where they lie), plays like a playlist through the
// explorer's walk, and a result selects its song. The explorer hands over what the panel needs
// (its map, view, select and playList); the panel's state stays here.

import { errorText } from "./api.js";
import { formatDistance } from "./format.js";
import { element, songLine } from "./panel.js";
import { AlchemyRecipe, MAX_PER_SIDE, MAX_WEIGHT, MIN_WEIGHT } from "./recipe.js";

const $ = (id) => document.getElementById(id);
const WORDS_K = 50;
const TASTE_K = 20;

/** A word search's match (0 to 1, or null when no tag word ranked the songs) as "73%". */
export function matchText(match) {
  return match === null || match === undefined ? "" : `${Math.round(match * 100)}%`;
}

/**
 * How much each played song's ring stands out, 0 to 1, from GET /api/v1/history/map/'s weights:
 * in proportion to the heaviest; a song skipped more than liked (weight <= 0) gets the least.
 */
export function listeningEmphasis(weights) {
  const most = Math.max(0, ...weights);
  return weights.map((weight) => (most > 0 ? Math.max(0, weight) / most : 0));
}

/**
 * The query's words as the answer read them, for chips under the search box: each understood
 * one with how (its title), then those not understood, so that the listener sees which.
 */
export function termItems(answer) {
  return [
    ...answer.understood.map((term) => ({
      text: term.text,
      kind: "understood",
      title: describeTerm(term),
    })),
    ...answer.not_understood.map((text) => ({ text, kind: "unknown", title: "Not understood" })),
  ];
}

function describeTerm(term) {
  if (term.kind === "name") return "In song names";
  if (term.kind === "genre") return `Genre: ${term.genres.join(", ")}`;
  const tags = [...new Set(term.tags.map((tag) => tag.toLowerCase()))].join(", ");
  return term.how === "exact" ? `Tag: ${tags}` : `${term.how}: ${tags}`;
}

/**
 * A list of songs: each a button that selects its song (title and artist) and its figure.
 * rows: [{song, value}], value the text shown at the end (a match or a distance).
 */
function renderSongs(list, rows, { onSelect, valueTitle }) {
  list.replaceChildren(
    ...rows.map(({ song, value }) => {
      const item = element("li", { attributes: { "data-song-id": String(song.id) } });
      const go = element("button", { className: "go", attributes: { type: "button" } });
      go.append(element("span", { className: "title", text: song.title || "Untitled" }));
      go.append(element("span", { className: "artist", text: song.artist || "" }));
      go.addEventListener("click", () => onSelect(song));
      const figure = element("span", {
        className: "value",
        text: value,
        attributes: { title: valueTitle },
      });
      item.append(go, figure);
      return item;
    }),
  );
}

export class DiscoverPanel {
  /** explorer: the Explorer (map, view, api, select, playList, openPlaylist, playlistSlot). */
  constructor({ explorer, probe }) {
    this.explorer = explorer;
    this.api = explorer.api;
    this.map = explorer.map;
    this.recipe = new AlchemyRecipe();
    this.lists = { words: [], alchemy: [], taste: [] }; // songs shown, for Play all
    this.names = { words: "", alchemy: "", taste: "" }; // what Play all calls them
    this.requests = { words: 0, alchemy: 0, taste: 0, listening: 0 }; // later answers win
    this.root = $("discover");
    this.playlistPage = this.root.dataset.playlistPageUrl; // "/playlists/", an id appended

    this.bindToggle();
    this.bindWords();
    this.bindAlchemy();
    this.bindListening();
    probe.discover = {
      // The songs ringed on the map, as drawn (ids in the order of each list).
      found: () => this.idsOf(this.explorer.view.highlight.found),
      marked: () => this.idsOf(this.explorer.view.highlight.marked),
      listening: () => this.idsOf(this.explorer.view.highlight.listening),
      listeningEmphasis: () => [...this.explorer.view.highlight.listeningEmphasis],
      recipe: () => this.recipe.request(),
    };
  }

  idsOf(indices) {
    return indices.map((index) => this.map.ids[index]);
  }

  indicesOf(ids) {
    return ids.map((id) => this.map.indexOf.get(id)).filter((index) => index !== undefined);
  }

  // ---- the panel ----

  bindToggle() {
    const toggle = $("discover-toggle");
    toggle.disabled = false;
    toggle.addEventListener("click", () => {
      if (this.root.hidden) this.open({ focus: true });
      else this.close();
    });
    $("discover-close").addEventListener("click", () => {
      this.close();
      toggle.focus();
    });
    $("discover-unlight").addEventListener("click", () => this.light({ found: [], marked: [] }));
  }

  open({ focus = false } = {}) {
    this.root.hidden = false;
    $("discover-toggle").setAttribute("aria-expanded", "true");
    if (focus) $("words-input").focus();
  }

  close() {
    this.root.hidden = true;
    $("discover-toggle").setAttribute("aria-expanded", "false");
  }

  /**
   * Ring ``found`` (ids) on the map, and ``marked`` (ids) as the songs they were made from,
   * in place of the last list's, and frame them: the list was asked for to be seen.
   */
  light({ found, marked = [] }) {
    const foundIndices = this.indicesOf(found);
    const markedIndices = this.indicesOf(marked);
    this.explorer.view.setHighlight({ found: foundIndices, marked: markedIndices });
    $("discover-unlight").disabled = !foundIndices.length && !markedIndices.length;
    const all = [...foundIndices, ...markedIndices];
    if (all.length) this.explorer.view.fit(all);
  }

  /** Play ``key``'s list from its first song, next and previous following it. */
  playAll(key) {
    const songs = this.lists[key];
    if (songs.length) this.explorer.playList(songs, this.names[key]);
  }

  select(song) {
    this.explorer.select(song.id);
  }

  // ---- words ----

  bindWords() {
    $("words-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.searchWords($("words-input").value.trim());
    });
    $("words-play").addEventListener("click", () => this.playAll("words"));
  }

  async searchWords(query) {
    if (!query) return;
    const request = ++this.requests.words;
    const message = $("words-message");
    message.textContent = "Searching…";
    let answer;
    try {
      answer = await this.api.byWords(query, { k: WORDS_K });
    } catch (error) {
      if (request === this.requests.words) message.textContent = errorText(error);
      return;
    }
    if (request !== this.requests.words) return;
    message.textContent = answer.message;
    $("words-terms").replaceChildren(
      ...termItems(answer).map((term) =>
        element("li", {
          className: term.kind,
          text: term.text,
          attributes: { title: term.title },
        }),
      ),
    );
    this.lists.words = answer.results.map((result) => result.song);
    this.names.words = `Songs for “${query}”`;
    renderSongs(
      $("words-results"),
      answer.results.map(({ song, match }) => ({ song, value: matchText(match) })),
      { onSelect: (song) => this.select(song), valueTitle: "How well the song matches the words" },
    );
    $("words-play").hidden = !this.lists.words.length;
    this.light({ found: this.lists.words.map((song) => song.id) });
  }

  // ---- alchemy ----

  bindAlchemy() {
    $("alchemy-add").addEventListener("click", () => this.putSelected("add"));
    $("alchemy-subtract").addEventListener("click", () => this.putSelected("subtract"));
    $("alchemy-mix").addEventListener("click", () => this.mix());
    $("alchemy-play").addEventListener("click", () => this.playAll("alchemy"));
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
    const songId = this.explorer.selected;
    if (songId === null) return;
    let song = this.explorer.selectedSong;
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
          if (this.explorer.selected === item.song.id) this.showSelection(item.song.id);
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
    const request = ++this.requests.alchemy;
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
      if (request === this.requests.alchemy) status.textContent = errorText(error);
      return;
    }
    if (request !== this.requests.alchemy) return;
    this.lists.alchemy = answer.results.map((result) => result.song);
    this.names.alchemy = name;
    status.textContent = answer.results.length
      ? `${answer.results.length} songs nearest to the mix, ringed in green; its songs in pink.`
      : "No other song is near this mix.";
    renderSongs(
      $("alchemy-results"),
      answer.results.map(({ song, distance }) => ({ song, value: formatDistance(distance) })),
      {
        onSelect: (song) => this.select(song),
        valueTitle: "Cosine distance to the mix (0 = the same direction)",
      },
    );
    $("alchemy-play").hidden = !answer.results.length;
    $("alchemy-save").hidden = !answer.results.length;
    $("alchemy-name").value = name;
    this.light({ found: this.lists.alchemy.map((song) => song.id), marked: inputs });
  }

  async save() {
    const songs = this.lists.alchemy.map((song) => song.id);
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
        this.explorer.openPlaylist(playlist.id, { history: "push" }),
      );
      saved.replaceChildren(
        `Saved as your playlist “${playlist.name}” with ${songs.length} songs. `,
        link,
        " ",
        onMap,
      );
      saved.dataset.playlistId = String(playlist.id);
      // The song panel's list of playlists to add to has it too.
      this.explorer.playlistSlot?.load().catch(() => {});
    } catch (error) {
      saved.textContent = errorText(error);
    } finally {
      button.disabled = false;
    }
  }

  // ---- the listener's own listening ----

  bindListening() {
    const toggle = $("listening-toggle");
    toggle.addEventListener("click", () => {
      if (toggle.getAttribute("aria-pressed") === "true") this.hideListening();
      else this.showListening();
    });
    $("more-like").addEventListener("click", () =>
      this.showTaste(() => this.api.moreLikeMyPlays({ k: TASTE_K }), "More like what I play"),
    );
    $("new-to-me").addEventListener("click", () =>
      this.showTaste(() => this.api.newToMe({ k: TASTE_K }), "New to me"),
    );
    $("taste-play").addEventListener("click", () => this.playAll("taste"));
  }

  async showListening() {
    const request = ++this.requests.listening;
    const toggle = $("listening-toggle");
    const status = $("listening-status");
    toggle.setAttribute("aria-pressed", "true");
    status.textContent = "Finding your listening…";
    let answer;
    try {
      answer = await this.api.listeningMap();
    } catch (error) {
      if (request !== this.requests.listening) return;
      toggle.setAttribute("aria-pressed", "false");
      status.textContent = errorText(error);
      return;
    }
    if (request !== this.requests.listening) return;
    const onMap = answer.songs
      .map((id, i) => [this.map.indexOf.get(id), answer.weights[i]])
      .filter(([index]) => index !== undefined);
    const emphasis = listeningEmphasis(onMap.map(([, weight]) => weight));
    this.explorer.view.setHighlight({
      listening: onMap.map(([index]) => index),
      listeningEmphasis: emphasis,
    });
    if (!answer.songs.length) {
      status.textContent = "Play some songs first: your listening history is empty.";
    } else {
      const count =
        onMap.length === 1 ? "1 song you played is" : `${onMap.length} songs you played are`;
      status.textContent = `${count} ringed in violet: the more you like one, the bigger its ring.`;
    }
  }

  hideListening() {
    this.requests.listening += 1;
    $("listening-toggle").setAttribute("aria-pressed", "false");
    $("listening-status").textContent = "";
    this.explorer.view.setHighlight({ listening: [], listeningEmphasis: [] });
  }

  /** "More like what I play" or "New to me": ``ask`` gives the API's {results}. */
  async showTaste(ask, name) {
    const request = ++this.requests.taste;
    const status = $("taste-status");
    status.textContent = "Finding songs…";
    let results;
    try {
      ({ results } = await ask());
      if (!results.length) {
        // No history, or nothing left near it: the listener is told which.
        const { songs } = await this.api.listeningMap();
        if (request !== this.requests.taste) return;
        status.textContent = songs.length
          ? "Nothing to suggest near what you play just now (songs heard in the last 24 hours are left out)."
          : "Play some songs first: suggestions come from your listening history, which is empty.";
      } else if (request === this.requests.taste) {
        status.textContent = `${name}: ${results.length} songs, ringed in green on the map.`;
      }
    } catch (error) {
      if (request === this.requests.taste) status.textContent = errorText(error);
      return;
    }
    if (request !== this.requests.taste) return;
    this.lists.taste = results.map((result) => result.song);
    this.names.taste = name;
    renderSongs(
      $("taste-results"),
      results.map(({ song, distance }) => ({ song, value: formatDistance(distance) })),
      {
        onSelect: (song) => this.select(song),
        valueTitle: "Cosine distance to what you play (0 = the same direction)",
      },
    );
    $("taste-play").hidden = !results.length;
    this.light({ found: this.lists.taste.map((song) => song.id) });
  }
}
