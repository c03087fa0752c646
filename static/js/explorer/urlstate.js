// The page's shareable state in its address: /explore/?song=ID selects that song on arrival.

/** The song id in a query string ("?song=12"), or null when absent or not a positive integer. */
export function songFromSearch(search) {
  const value = new URLSearchParams(search).get("song");
  if (value === null || !/^[1-9]\d{0,9}$/.test(value)) return null;
  return Number(value);
}

/** ``search`` with the song set (or removed when null), other parameters kept. */
export function searchWithSong(search, songId) {
  const params = new URLSearchParams(search);
  if (songId === null) params.delete("song");
  else params.set("song", String(songId));
  const text = params.toString();
  return text ? `?${text}` : "";
}
