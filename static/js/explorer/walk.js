// "Play similar": a walk through the map, each next song the nearest one not yet played, with
// previous/next moving along the path already walked.

/** The first of ``neighbours`` (nearest first, {song: {id}, distance}) not in ``played``. */
export function nextUnplayed(neighbours, played) {
  return neighbours.find((n) => !played.has(n.song.id)) ?? null;
}

export class ListeningWalk {
  constructor(startId) {
    this.path = [startId];
    this.position = 0;
    this.played = new Set([startId]);
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
