// The song under the mouse: a ring on the map and a tooltip with its title, artist and genre.
// Picks are throttled (at most one every HOVER_INTERVAL_MS), each a look along the pointer's
// ray in the grid of points (pointgrid.js); titles come from the API once per song and are kept.

const HOVER_INTERVAL_MS = 40;
const CACHE_SIZE = 500;

export class Hover {
  /**
   * view: the MapView (pick, setHighlight); tooltip: its element; api: for song details;
   * describe(index) -> {songId, category}: what the map itself knows of a point; onRest(songId
   * or null): the pointer came to another song, or off the songs (preview.js listens).
   */
  constructor({ view, canvas, tooltip, api, describe, onRest = () => {} }) {
    this.onRest = onRest;
    this.view = view;
    this.canvas = canvas;
    this.tooltip = tooltip;
    this.api = api;
    this.describe = describe;
    this.index = -1;
    this.timer = null;
    this.last = 0;
    this.x = 0;
    this.y = 0;
    this.details = new Map();
  }

  /** The mouse moved to (x, y), CSS pixels of the canvas. */
  moved(x, y) {
    this.x = x;
    this.y = y;
    if (this.timer !== null) return;
    const wait = Math.max(0, HOVER_INTERVAL_MS - (performance.now() - this.last));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.last = performance.now();
      this.show(this.view.pick(this.x, this.y));
    }, wait);
  }

  /** A press began (a drag or a click): a pick still waiting is of no use. */
  cancel() {
    clearTimeout(this.timer);
    this.timer = null;
    this.tooltip.hidden = true;
  }

  left() {
    this.cancel();
    this.show(-1);
  }

  show(index) {
    if (index !== this.index) {
      this.index = index;
      this.view.setHighlight({ hover: index });
      this.canvas.style.cursor = index >= 0 ? "pointer" : "";
      this.onRest(index >= 0 ? this.describe(index).songId : null);
    }
    if (index < 0) {
      this.tooltip.hidden = true;
      return;
    }
    this.tooltip.style.left = `${this.x}px`;
    this.tooltip.style.top = `${this.y}px`;
    this.tooltip.hidden = false;
    const { songId, category } = this.describe(index);
    const known = this.details.get(songId);
    this.fill(known ?? { title: "…", artist: "" }, category);
    if (known) return;
    this.api
      .song(songId)
      .then((song) => {
        if (this.details.size >= CACHE_SIZE) this.details.clear();
        this.details.set(songId, song);
        if (this.index === index) this.fill(song, category);
      })
      .catch(() => {}); // the tooltip keeps what the map knows
  }

  fill(song, category) {
    const title = document.createElement("div");
    title.className = "title";
    title.textContent = song.title || "Untitled";
    const meta = document.createElement("div");
    meta.className = "meta";
    meta.textContent = [song.artist, song.genre || song.predicted_genre || category]
      .filter(Boolean)
      .join(" · ");
    this.tooltip.replaceChildren(title, meta);
  }
}
