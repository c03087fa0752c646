// "Play similar": a walk through the map, each next song the nearest one not yet played, with
// previous/next moving along the path already walked. A playlist opened on the map is a walk
// whose whole path is known from the start.

/** The first of ``neighbours`` (nearest first, {song: {id}, distance}) not in ``played``. */
export function nextUnplayed(neighbours, played) {
  return neighbours.find((n) => !played.has(n.song.id)) ?? null;
}

/** A playlist's song ids in playing order, from GET /api/v1/playlists/{id}/'s entries. */
export function playlistSongIds(entries) {
  return [...entries].sort((a, b) => a.position - b.position).map((entry) => entry.song.id);
}

export class ListeningWalk {
  constructor(startId) {
    this.path = [startId];
    this.position = 0;
    this.played = new Set([startId]);
    this.playlist = null; // {id, name, songs: Map id -> song} for a walk along a playlist
  }

  /** A walk along ``songIds`` (not empty) in order, starting at the first; it never extends. */
  static along(songIds, playlist) {
    const walk = new ListeningWalk(songIds[0]);
    walk.path = [...songIds];
    walk.played = new Set(songIds);
    walk.playlist = playlist;
    return walk;
  }

  /** Whether the walk is along a playlist and at its last song. */
  get atPlaylistEnd() {
    return this.playlist !== null && !this.hasWalkedAhead;
  }

  /**
   * Move to ``songId`` on the path: the nearest place at or after the current one, else the
   * first (a playlist may hold a song twice). Returns false, not moving, when it is not there.
   */
  moveTo(songId) {
    const ahead = this.path.indexOf(songId, this.position);
    const place = ahead >= 0 ? ahead : this.path.indexOf(songId);
    if (place < 0) return false;
    this.position = place;
    return true;
  }

  get current() {
    return this.path[this.position];
  }

  get canGoBack() {
    return this.position > 0;
  }

  /** True when "next" can move along the path walked already, without asking the server. */
  get hasWalkedAhead() {
    return this.position < this.path.length - 1;
  }

  back() {
    if (this.canGoBack) this.position -= 1;
    return this.current;
  }

  ahead() {
    if (this.hasWalkedAhead) this.position += 1;
    return this.current;
  }

  /**
   * Step on from the end of the path to the nearest unplayed song among ``neighbours`` of the
   * current song. Returns its id, or null when every one of them has been played (ask again
   * with more neighbours). Stepping from the middle of the path cuts off the old way ahead.
   */
  extend(neighbours) {
    if (this.playlist !== null) return null;
    const next = nextUnplayed(neighbours, this.played);
    if (next === null) return null;
    this.path.length = this.position + 1;
    this.path.push(next.song.id);
    this.played.add(next.song.id);
    this.position += 1;
    return next.song.id;
  }

  includes(songId) {
    return this.played.has(songId);
  }
}
