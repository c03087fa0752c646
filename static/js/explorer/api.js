// The explorer's calls to the REST API, through the site's one client (../http.js). Addresses
// come from the page (the Django view reverses them), with "{id}" standing for a song's id.

import { ApiError, createClient, errorText } from "../http.js";

// The explorer's modules import the error and its text from here with the calls.
export { ApiError, errorText };

export function songUrl(template, id) {
  return template.replace("{id}", encodeURIComponent(String(id)));
}

/**
 * Read ``response``'s body as it arrives, calling ``onChunk(bytes, loaded, total)`` with each
 * chunk (a Uint8Array). Chunks are counted decoded, so the total is the decoded length the map
 * names (X-Map-Length), else Content-Length when nothing is compressed, else null.
 */
export async function readChunks(response, onChunk) {
  // Content-Length counts the bytes as they travel: compressed, that is not what is read.
  const encoded = response.headers.get("Content-Encoding");
  const decoded = Number(response.headers.get("X-Map-Length"));
  const length = Number(response.headers.get("Content-Length"));
  const total = decoded > 0 ? decoded : !encoded && length > 0 ? length : null;
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onChunk(bytes, bytes.byteLength, total);
    return;
  }
  const reader = response.body.getReader();
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    loaded += value.byteLength;
    onChunk(value, loaded, total);
  }
}

/** ``base`` (ending in "/") with ``id`` and ``rest`` appended: "/api/v1/playlists/3/songs/". */
export function childUrl(base, id, rest = "") {
  return `${base}${encodeURIComponent(String(id))}/${rest}`;
}

/**
 * urls: the page's addresses; urls.playlists and urls.favourites (the list addresses, ending in
 * "/") are there only for a signed-in listener. fetchImpl and csrf: as createClient's.
 */
export function createApi(urls, fetchImpl = globalThis.fetch.bind(globalThis), { csrf } = {}) {
  const client = createClient({ fetchImpl, csrf });
  const json = (url, signal, { method = "GET", body } = {}) =>
    client.json(url, { method, body, signal });

  return {
    /** The binary map, chunk by chunk to ``onChunk`` (readChunks's); false when there is no
     * map yet (204), true once every chunk was given. */
    async points(onChunk) {
      const response = await client.send(urls.points, { accept: null });
      if (response.status === 204) return false;
      if (!response.ok)
        throw new ApiError(`The map could not be loaded (${response.status}).`, response.status);
      await readChunks(response, onChunk);
      return true;
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
    /** {results: [{id, name, cluster, size, cluster_size, words}]}: the map's regions. */
    mixes() {
      return json(urls.mixes);
    },
    /** A region's mix with its songs, the most typical first: {id, name, songs: [...]}. */
    mix(id) {
      return json(songUrl(urls.mix, id));
    },
    /** {results: [{song, distance}]}: like moreLikeMyPlays, never a song played before. */
    newToMe({ k = 20 } = {}) {
      return json(`${urls.newToMe}?${new URLSearchParams({ k: String(k) })}`);
    },
  };
}
