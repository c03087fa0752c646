// The song panel's contents: details of the selected song and the list of its nearest songs.
// Text from the catalogue is always set as text, never as HTML.

import { formatDistance, formatDuration, genreLabel } from "./format.js";

export function element(tag, { className, text, attributes } = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attributes ?? {})) node.setAttribute(name, value);
  return node;
}

export function songLine(song) {
  return song.artist ? `${song.title} — ${song.artist}` : song.title;
}

/** Fill the panel's details from GET /api/v1/songs/{id}/. */
export function renderSong(parts, song) {
  parts.title.textContent = song.title || "Untitled";
  if (song.artist && song.artist_key) {
    const href = `/catalogue/artists/${song.artist_key}/`;  // the artist's page (songs.urls)
    parts.artist.replaceChildren(element("a", { text: song.artist, attributes: { href } }));
  } else {
    parts.artist.textContent = song.artist || "Unknown artist";
  }
  const facts = [
    ["Album", song.album],
    ["Genre", genreLabel(song)],
    ["Year", song.year ?? ""],
    ["Duration", formatDuration(song.duration_s)],
    ["Catalogue", song.catalogue],
  ].filter(([, value]) => value !== "" && value !== null && value !== undefined);
  parts.facts.replaceChildren(
    ...facts.flatMap(([name, value]) => [
      element("dt", { text: name }),
      element("dd", { text: String(value) }),
    ]),
  );
  parts.tags.replaceChildren(
    ...(song.top_tags ?? []).map((t) =>
      element("li", { text: t.tag, attributes: { title: `${Math.round(t.probability * 100)}%` } }),
    ),
  );
  if (song.spectrogram_url) {
    parts.spectrogram.src = song.spectrogram_url;
    parts.spectrogram.alt = `Spectrogram of ${song.title}`;
    parts.spectrogram.hidden = false;
  } else {
    parts.spectrogram.removeAttribute("src");
    parts.spectrogram.hidden = true;
  }
}

export function renderSongLoading(parts, { title = "Loading…" } = {}) {
  parts.title.textContent = title;
  parts.artist.textContent = "";
  parts.facts.replaceChildren();
  parts.tags.replaceChildren();
  parts.spectrogram.hidden = true;
}

/**
 * The nearest songs, nearest first: a play button, the song (a button that selects it) and its
 * distance. results: [{song: {id, title, artist}, distance}].
 */
export function renderNeighbours(list, results, { onPlay, onSelect }) {
  if (!results.length) {
    list.replaceChildren(
      element("li", { className: "empty", text: "No other song to compare with yet." }),
    );
    return;
  }
  list.replaceChildren(
    ...results.map(({ song, distance }) => {
      const item = element("li", { attributes: { "data-song-id": String(song.id) } });
      const play = element("button", {
        className: "play",
        text: "▶",
        attributes: { type: "button", "aria-label": `Play ${songLine(song)}` },
      });
      play.addEventListener("click", () => onPlay(song));
      const go = element("button", { className: "go", attributes: { type: "button" } });
      go.append(element("span", { className: "title", text: song.title || "Untitled" }));
      go.append(element("span", { className: "artist", text: song.artist || "" }));
      go.addEventListener("click", () => onSelect(song));
      const d = element("span", {
        className: "distance",
        text: formatDistance(distance),
        attributes: { title: "Cosine distance in the embedding space (0 = identical)" },
      });
      item.append(play, go, d);
      return item;
    }),
  );
}

export function renderMessage(list, text) {
  list.replaceChildren(element("li", { className: "empty", text }));
}

/**
 * A list of songs: each a button that selects its song (title and artist) and its figure.
 * rows: [{song, value}], value the text shown at the end (a match or a distance).
 */
export function renderSongs(list, rows, { onSelect, valueTitle }) {
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
