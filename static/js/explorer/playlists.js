// The panel's favourites and playlists: a heart for the selected song and "add to playlist".
// Shown only to a signed-in listener (the page leaves the slot out otherwise).

import { errorText } from "./api.js";

/** The heart button's label: what pressing it will do. */
export function favouriteLabel(isFavourite) {
  return isFavourite ? "Remove from favourites" : "Add to favourites";
}

/** The playlists a song can be added to from the list: every one but Favourites (the heart). */
export function playlistChoices(results) {
  return results.filter((playlist) => !playlist.is_favourites);
}

export class PlaylistSlot {
  /** elements: {slot, heart, choice, add, status}; api: createApi's, with playlist urls. */
  constructor({ elements, api }) {
    this.el = elements;
    this.api = api;
    this.favourites = new Set();
    this.songId = null;
    this.el.slot.hidden = false;
    this.el.heart.addEventListener("click", () => this.toggleFavourite());
    this.el.add.addEventListener("click", () => this.addToPlaylist());
  }

  async load() {
    const [favourites, playlists] = await Promise.allSettled([
      this.api.favourites(),
      this.api.playlists(),
    ]);
    if (favourites.status === "fulfilled") {
      this.favourites = new Set(favourites.value.songs);
      this.el.heart.disabled = false;
    } else {
      this.say(`Your favourites could not be loaded: ${favourites.reason.message}`);
    }
    this.renderHeart();
    if (playlists.status === "rejected") {
      this.say(`Your playlists could not be loaded: ${playlists.reason.message}`);
      return;
    }
    const choices = playlistChoices(playlists.value.results);
    const options = choices.map((playlist) => {
      const option = document.createElement("option");
      option.value = String(playlist.id);
      option.textContent = playlist.name;
      return option;
    });
    if (!options.length) {
      const none = document.createElement("option");
      none.textContent = "No playlists yet";
      options.push(none);
    }
    this.el.choice.replaceChildren(...options);
    this.el.choice.disabled = !choices.length;
    this.el.add.disabled = !choices.length;
  }

  /** The selected song changed (null: none). */
  show(songId) {
    this.songId = songId;
    this.say("");
    this.renderHeart();
  }

  renderHeart() {
    const on = this.favourites.has(this.songId);
    this.el.heart.setAttribute("aria-pressed", String(on));
    this.el.heart.setAttribute("aria-label", favouriteLabel(on));
    this.el.heart.title = favouriteLabel(on);
    this.el.heart.textContent = on ? "♥" : "♡";
  }

  say(text) {
    this.el.status.textContent = text;
  }

  async toggleFavourite() {
    const songId = this.songId;
    if (songId === null) return;
    this.el.heart.disabled = true;
    try {
      const { favourite } = await this.api.setFavourite(songId, !this.favourites.has(songId));
      if (favourite) this.favourites.add(songId);
      else this.favourites.delete(songId);
    } catch (error) {
      if (songId === this.songId) this.say(errorText(error));
    } finally {
      this.el.heart.disabled = false;
      this.renderHeart();
    }
  }

  async addToPlaylist() {
    const songId = this.songId;
    const option = this.el.choice.selectedOptions[0];
    if (songId === null || !option?.value) return;
    this.el.add.disabled = true;
    this.say("Adding…");
    try {
      await this.api.addToPlaylist(Number(option.value), songId);
      if (songId === this.songId) this.say(`Added to “${option.textContent}”.`);
    } catch (error) {
      if (songId === this.songId) this.say(errorText(error));
    } finally {
      this.el.add.disabled = false;
    }
  }
}
