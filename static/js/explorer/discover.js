// The Discover panel beside the map: songs for words, song alchemy, and the listener's own
// listening. Each list lights its songs up on the map (rings over the points: nothing else is
// hidden or faded, so they are seen where they lie), plays like a playlist through the
// page's walk, and a result selects its song. The panel knows the page only through its state
// (state.js): it reads the selection there and asks it to select, play, light and frame; the
// panel's own state (the recipe, its lists) stays here.

import { errorText } from "./api.js";
import { formatDistance } from "./format.js";
import { AlchemyPanel } from "./alchemy.js";
import { element, renderSongs } from "./panel.js";

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

export class DiscoverPanel {
  /** state: the page's ExplorerState; api: createApi's. */
  constructor({ state, api }) {
    this.state = state;
    this.api = api;
    this.lists = { words: [], taste: [] }; // songs shown, for Play all
    this.names = { words: "", taste: "" }; // what Play all calls them
    this.requests = { words: 0, taste: 0, listening: 0 }; // later answers win
    this.root = $("discover");
    this.playlistPage = this.root.dataset.playlistPageUrl; // "/playlists/", an id appended

    this.bindToggle();
    this.bindWords();
    this.alchemy = new AlchemyPanel({
      state,
      api,
      light: (songs) => this.light(songs),
      open: () => this.open(),
      playlistPage: this.playlistPage,
    });
    this.bindListening();
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
    const foundIndices = this.state.indicesOf(found);
    const markedIndices = this.state.indicesOf(marked);
    this.state.setHighlight({ found: foundIndices, marked: markedIndices });
    $("discover-unlight").disabled = !foundIndices.length && !markedIndices.length;
    const all = [...foundIndices, ...markedIndices];
    if (all.length) this.state.fit(all);
  }

  /** Play ``key``'s list from its first song, next and previous following it. */
  playAll(key) {
    const songs = this.lists[key];
    if (songs.length) this.state.playList(songs, this.names[key]);
  }

  select(song) {
    this.state.select(song.id);
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
      .map((id, i) => [this.state.map.indexOf.get(id), answer.weights[i]])
      .filter(([index]) => index !== undefined);
    const emphasis = listeningEmphasis(onMap.map(([, weight]) => weight));
    this.state.setHighlight({
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
    this.state.setHighlight({ listening: [], listeningEmphasis: [] });
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
