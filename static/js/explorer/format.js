// How numbers read on the page.

/** 187.4 -> "3:07"; 3725 -> "1:02:05"; null -> "". */
export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "";
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

export function formatDistance(distance) {
  return distance.toFixed(3);
}

export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A song's genre as the page shows it: its own label, else the model's guess, marked so. */
export function genreLabel(song) {
  if (song.genre) return song.genre;
  if (song.predicted_genre) {
    const p = song.predicted_genre_probability;
    return p
      ? `${song.predicted_genre} (predicted, ${Math.round(p * 100)}%)`
      : `${song.predicted_genre} (predicted)`;
  }
  return "";
}
