// The explorer's calls to the REST API. Addresses come from the page (the Django view reverses
// them), with "{id}" standing for a song's id.

import { csrfToken } from "../csrf.js";

export class ApiError extends Error {
  /** fields: a 400's messages by field name (error.fields), else empty. */
  constructor(message, status, fields = {}) {
    super(message);
    this.status = status;
    this.fields = fields;
  }
}

/**
 * What to tell the listener about ``error``: a 400's own messages ("“A” is in this playlist
 * already.") rather than its general "The request has invalid fields.", else its message.
 */
export function errorText(error) {
  const messages = [];
  const collect = (value) => {
    if (typeof value === "string") messages.push(value);
    else if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === "object") Object.values(value).forEach(collect);
  };
  collect(error.fields);
  return messages.length ? messages.join(" ") : error.message;
}

export function songUrl(template, id) {
  return template.replace("{id}", encodeURIComponent(String(id)));
}

/**
 * The body of ``response`` as an ArrayBuffer, calling ``onProgress(loaded, total)`` as chunks
 * arrive (total is null when the server sent no usable Content-Length: compressed bodies are
 * counted after decompression, so their Content-Length would not match).
 */
export async function readWithProgress(response, onProgress) {
  const encoded = response.headers.get("Content-Encoding");
  const length = Number(response.headers.get("Content-Length"));
  const total = !encoded && length > 0 ? length : null;
  if (!response.body) {
    const buffer = await response.arrayBuffer();
    onProgress(buffer.byteLength, total);
    return buffer;
  }
  const reader = response.body.getReader();
  const chunks = [];
  let loaded = 0;
  onProgress(0, total);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    onProgress(loaded, total);
  }
  const out = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out.buffer;
}

/** ``base`` (ending in "/") with ``id`` and ``rest`` appended: "/api/v1/playlists/3/songs/". */
export function childUrl(base, id, rest = "") {
  return `${base}${encodeURIComponent(String(id))}/${rest}`;
}

/**
 * urls: the page's addresses; urls.playlists and urls.favourites (the list addresses, ending in
 * "/") are there only for a signed-in listener. csrf: reads Django's token for writes.
 */
export function createApi(
  urls,
  fetchImpl = globalThis.fetch.bind(globalThis),
  { csrf = csrfToken } = {},
) {
  async function json(url, signal, { method = "GET", body } = {}) {
    const headers = { Accept: "application/json" };
    if (method !== "GET") headers["X-CSRFToken"] = csrf();
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetchImpl(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      signal,
    });
    if (!response.ok) {
      let message = `The server answered ${response.status}.`;
      let fields = {};
      try {
        const body = await response.json();
        message = body?.error?.message ?? body?.detail ?? message;
        fields = body?.error?.fields ?? {};
      } catch {
        // not JSON: keep the status
      }
      throw new ApiError(message, response.status, fields);
    }
    return response.json();
  }

  return {
    /** The binary map (ArrayBuffer), or null when there is no map yet (204). */
    async points(onProgress) {
      const response = await fetchImpl(urls.points, { credentials: "same-origin" });
      if (response.status === 204) return null;
      if (!response.ok)
        throw new ApiError(`The map could not be loaded (${response.status}).`, response.status);
      return readWithProgress(response, onProgress);
    },
    song(id, signal) {
      return json(songUrl(urls.song, id), signal);
    },
    similar(id, { k, maxDistance = null }, signal) {
      const params = new URLSearchParams({ k: String(k) });
      if (maxDistance !== null) params.set("max_distance", String(maxDistance));
      return json(`${songUrl(urls.similar, id)}?${params}`, signal);
    },
    surprise(id, { minDistance, maxDistance }) {
      const params = new URLSearchParams({
        min_distance: String(minDistance),
        max_distance: String(maxDistance),
      });
      return json(`${songUrl(urls.surprise, id)}?${params}`);
    },
    search(query, signal) {
      return json(`${urls.search}?${new URLSearchParams({ q: query })}`, signal);
    },
    audioUrl(id) {
      return songUrl(urls.audio, id);
    },
    /** {songs: [ids]}: the signed-in listener's favourites. */
    favourites() {
      return json(urls.favourites);
    },
    /** {song, favourite}: the song put in (true) or taken out of (false) the favourites. */
    setFavourite(songId, favourite) {
      return json(childUrl(urls.favourites, songId), undefined, {
        method: favourite ? "PUT" : "DELETE",
      });
    },
    /** {results: [{id, name, is_favourites, ...}]}: the listener's own playlists. */
    playlists() {
      return json(urls.playlists);
    },
    /** {id, name, entries: [{position, song}]}; ApiError 404 when not readable. */
    playlist(id) {
      return json(childUrl(urls.playlists, id));
    },
    /** The new entry; ApiError 400 (with the server's message) when the song is there already. */
    addToPlaylist(playlistId, songId) {
      return json(childUrl(urls.playlists, playlistId, "songs/"), undefined, {
        method: "POST",
        body: { song: songId },
      });
    },
    /** {id, name, entries}: a new playlist of the listener's with ``songs`` (ids) in order. */
    createPlaylist({ name, songs }) {
      return json(urls.playlists, undefined, { method: "POST", body: { name, songs } });
    },
    /** {message, understood, not_understood, ignored, results: [{song, match}]}. */
    byWords(query, { k = 50 } = {}, signal) {
      return json(`${urls.byWords}?${new URLSearchParams({ q: query, k: String(k) })}`, signal);
    },
    /** {add, subtract, results: [{song, distance}]}; body: AlchemyRecipe.request()'s. */
    alchemy(body) {
      return json(urls.alchemy, undefined, { method: "POST", body });
    },
    /** {songs: [ids], weights: [numbers]}: the songs the listener played, weighed. */
    listeningMap() {
      return json(urls.listeningMap);
    },
    /** {results: [{song, distance}]}: songs near what the listener plays. */
    moreLikeMyPlays({ k = 20 } = {}) {
      return json(`${urls.moreLikeMyPlays}?${new URLSearchParams({ k: String(k) })}`);
    },
    /** {results: [{song, distance}]}: like moreLikeMyPlays, never a song played before. */
    newToMe({ k = 20 } = {}) {
      return json(`${urls.newToMe}?${new URLSearchParams({ k: String(k) })}`);
    },
  };
}
