// Listening along the map: "play similar" walks from the selected song to the nearest one not
// yet played; a playlist (saved, or a Discover list) is a walk whose path is known; previous,
// next and a song's end move along it. The address (?song=, ?playlist=) opens the same.

import { songLine } from "./panel.js";
import { playlistFromSearch, songFromSearch } from "./urlstate.js";
import { API_MAX_K } from "./visibility.js";
import { ListeningWalk, playlistSongIds } from "./walk.js";

const $ = (id) => document.getElementById(id);

export class WalkControls {
  constructor({ state, api }) {
    this.state = state;
    this.api = api;
    this.playlistRequest = 0; // increases on every playlist opened: older answers are dropped
    const { signals } = state;
    signals.selectionChanged.add((songId, { fromWalk }) => {
      if (!fromWalk) this.end();
      if (songId !== null) $("playlist-notice").hidden = true;
    });
    signals.neighboursChanged.add(() => this.update());
    signals.songEnded.add(() => {
      if (state.walk) this.next();
    });
    signals.listRequested.add((songs, name) => this.playList(songs, name));
    signals.playlistRequested.add((playlistId, options) => this.openPlaylist(playlistId, options));
    $("play-similar").addEventListener("click", () => this.start());
    $("walk-next").addEventListener("click", () => this.next());
    $("walk-previous").addEventListener("click", () => {
      const walk = state.walk;
      if (walk?.canGoBack) state.select(walk.back(), { fromWalk: true });
      this.update();
    });
    window.addEventListener("popstate", () =>
      this.openFromAddress({ history: "none", play: false }),
    );
  }

  /** Open what the address names: a playlist (at its song), a song, or nothing. */
  openFromAddress({ history = "replace", play = true } = {}) {
    const state = this.state;
    const songId = songFromSearch(window.location.search);
    const playlistId = playlistFromSearch(window.location.search);
    if (playlistId !== null) {
      if (state.walk?.playlist?.id !== playlistId) {
        this.openPlaylist(playlistId, { songId, history, play });
        return;
      }
      if (songId === null || songId === state.selected) return;
      if (state.walk.moveTo(songId)) {
        state.select(songId, { history, play, fromWalk: true });
        this.update();
        return;
      }
    }
    if (songId === null) state.clearSelection({ history: "none" });
    else if (songId !== state.selected) state.select(songId, { history, play });
  }

  /** Set ``walk`` (or none) as the page's walk. */
  setWalk(walk) {
    this.state.walk = walk;
    this.state.signals.walkChanged.dispatch();
  }

  start() {
    const state = this.state;
    if (state.selected === null) return;
    this.setWalk(new ListeningWalk(state.selected));
    state.play(state.selected, state.selectedSong, { onlyIfNotPlaying: true });
    this.update();
  }

  end() {
    if (!this.state.walk) return;
    this.setWalk(null);
    this.state.setHighlight({ path: [] });
    this.update();
  }

  async next() {
    const state = this.state;
    const walk = state.walk;
    if (!walk) return;
    if (walk.hasWalkedAhead) {
      state.select(walk.ahead(), { fromWalk: true });
      this.update();
      return;
    }
    if (walk.playlist) {
      $("walk-status").textContent = `The end of “${walk.playlist.name}”.`;
      return;
    }
    $("walk-status").textContent = "Finding the next song…";
    // The current song's nearest first; when all of those are played, ask for more of them.
    for (const k of [state.k, 20, API_MAX_K]) {
      const neighbours =
        walk.current === state.selected && state.neighbours.length >= k
          ? state.neighbours
          : (await this.api.similar(walk.current, { k })).results;
      if (state.walk !== walk) return;
      const next = walk.extend(neighbours);
      if (next !== null) {
        state.select(next, { fromWalk: true });
        this.update();
        return;
      }
    }
    $("walk-status").textContent = "Every song near this one has been played.";
  }

  /** The walk's buttons, its line on the map and what it says comes next. */
  update() {
    const state = this.state;
    const walk = state.walk;
    $("walk-previous").disabled = !walk?.canGoBack;
    $("walk-next").disabled = !walk || walk.atPlaylistEnd;
    $("play-similar").disabled = Boolean(walk) || state.selected === null;
    if (!walk) {
      $("walk-status").textContent = "";
      return;
    }
    state.setHighlight({ path: state.indicesOf(walk.path) });
    state.signals.walkChanged.dispatch();
    if (walk.playlist) {
      const next = walk.hasWalkedAhead
        ? walk.playlist.songs.get(walk.path[walk.position + 1])
        : null;
      const where = `Song ${walk.position + 1} of ${walk.path.length} in “${walk.playlist.name}”`;
      $("walk-status").textContent = next ? `${where}. Up next: ${songLine(next)}.` : `${where}.`;
      return;
    }
    const upcoming = walk.hasWalkedAhead
      ? null
      : state.neighbours.find((n) => !walk.includes(n.song.id))?.song;
    const position = `Song ${walk.position + 1} of the walk`;
    $("walk-status").textContent = upcoming
      ? `${position}. Up next: ${songLine(upcoming)}.`
      : `${position}.`;
  }

  /**
   * Open a playlist as a path on the map: its songs in order joined by a line, the whole of it
   * in view, at ``songId`` when it is on it (else its first song); next and previous follow it.
   */
  async openPlaylist(playlistId, { songId = null, history = "replace", play = true } = {}) {
    const state = this.state;
    const request = ++this.playlistRequest;
    let detail;
    try {
      detail = await this.api.playlist(playlistId);
    } catch (error) {
      if (request !== this.playlistRequest) return;
      this.showNotice(
        error.status === 404
          ? "This playlist cannot be opened: it does not exist, or it is private to someone else."
          : `The playlist could not be opened: ${error.message}`,
      );
      return;
    }
    if (request !== this.playlistRequest) return;
    const ids = playlistSongIds(detail.entries);
    if (!ids.length) {
      this.showNotice(`“${detail.name}” has no songs yet.`);
      return;
    }
    const songs = new Map(detail.entries.map((entry) => [entry.song.id, entry.song]));
    this.end();
    const walk = ListeningWalk.along(ids, { id: playlistId, name: detail.name, songs });
    walk.moveTo(songId ?? ids[0]);
    this.setWalk(walk);
    await state.select(walk.current, { fromWalk: true, fly: false, history, play });
    // Framed once the panel is open: opening it narrows the map.
    const indices = state.indicesOf(ids);
    if (state.walk === walk && indices.length) state.fit(indices);
  }

  /**
   * Play ``songs`` (in order, not empty) like a playlist that is not saved: the Discover
   * panel's lists. Next, previous and a song's end follow the list, which ends at its last.
   */
  playList(songs, name) {
    const ids = songs.map((song) => song.id);
    const byId = new Map(songs.map((song) => [song.id, song]));
    this.end();
    this.setWalk(ListeningWalk.along(ids, { id: null, name, songs: byId }));
    this.state.select(ids[0], { fromWalk: true });
  }

  showNotice(text) {
    const notice = $("playlist-notice");
    notice.textContent = text;
    notice.hidden = false;
  }
}
