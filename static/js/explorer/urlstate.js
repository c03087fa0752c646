// The page's shareable state in its address: /explore/?song=ID selects that song on arrival;
// /explore/?playlist=ID&song=ID opens a playlist as a path (at that song, else its first).

function idFromSearch(search, name) {
  const value = new URLSearchParams(search).get(name);
  if (value === null || !/^[1-9]\d{0,9}$/.test(value)) return null;
  return Number(value);
}

function searchWithId(search, name, id) {
  const params = new URLSearchParams(search);
  if (id === null) params.delete(name);
  else params.set(name, String(id));
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** The song id in a query string ("?song=12"), or null when absent or not a positive integer. */
export function songFromSearch(search) {
  return idFromSearch(search, "song");
}

/** ``search`` with the song set (or removed when null), other parameters kept. */
export function searchWithSong(search, songId) {
  return searchWithId(search, "song", songId);
}

/** The playlist id in a query string ("?playlist=3"), or null like songFromSearch. */
export function playlistFromSearch(search) {
  return idFromSearch(search, "playlist");
}

/** ``search`` with the playlist set (or removed when null), other parameters kept. */
export function searchWithPlaylist(search, playlistId) {
  return searchWithId(search, "playlist", playlistId);
}
