// The map as the page shows it: the 3D view (scene.js) and the names written next to points
// (labels.js), kept in step with the page's state. Nothing else touches the view: the other
// parts change the state, and this draws what it announces.

import { LabelLayer } from "./labels.js";
import { pointColours } from "./palette.js";
import { MapView } from "./scene.js";

export class MapStage {
  /** state: the page's ExplorerState (its map begun: the first points in, see main.js);
   * canvas, labels: the elements. */
  constructor({ state, canvas, labels }) {
    this.state = state;
    this.canvas = canvas;
    this.view = new MapView({
      canvas,
      positions: state.map.positions,
      colours: pointColours(state.categories),
      states: state.states,
      loaded: state.map.loaded,
      background: getComputedStyle(document.body).getPropertyValue("--bg").trim() || "#0f1218",
    });
    this.labels = new LabelLayer(labels);
    // Flights between songs: the view each was left from, so that going back (Back, or the
    // song chosen again) flies back along the same path to the same view.
    this.framed = null; // the song id the camera last flew to
    this.leftFrom = new Map(); // song id -> pose
    this.view.onFrame(() => this.labels.update((index) => this.view.project(index)));

    const { signals } = state;
    signals.mapLoaded.add((map) => {
      this.view.pointsArrived(map.loaded);
      this.view.coloursChanged(pointColours(state.categories));
      this.view.statesChanged();
    });
    signals.highlightChanged.add((changes) => this.view.setHighlight(changes));
    signals.filtersChanged.add(() => this.view.statesChanged());
    signals.coloursChanged.add(() => this.view.coloursChanged(pointColours(state.categories)));
    signals.labelsChanged.add((items) => {
      this.labels.set(items);
      this.view.requestRender();
    });
    signals.fitRequested.add((indices) => this.view.fit(indices));
    signals.flyRequested.add((index, around) => this.flyTo(index, around));
  }

  /** The map as it is, drawn at once (the first frame, whose time the page reports). */
  firstFrame() {
    this.view.fit(null, 0);
    this.view.renderNow();
  }

  /** Keep point ``index`` in the middle with ``around`` (indices) in view. */
  flyTo(index, around) {
    const songId = this.state.map.ids[index];
    if (this.framed !== null && this.framed !== songId) {
      this.leftFrom.set(this.framed, this.view.pose());
    }
    this.framed = songId;
    const back = this.leftFrom.get(songId);
    if (back) {
      this.view.flyToPose(back);
      return;
    }
    const radius = around.length ? 1.15 * this.view.radiusAround(index, around) : undefined;
    this.view.flyToPose(this.view.poseAround(index, radius));
  }

  /** Where a song is drawn, in CSS pixels of the page, or null when off the map or the screen. */
  projectSong(songId) {
    const index = this.state.map.indexOf.get(songId);
    if (index === undefined) return null;
    const { x, y, visible } = this.view.project(index);
    if (!visible) return null;
    const rect = this.canvas.getBoundingClientRect();
    return { x: rect.left + x, y: rect.top + y };
  }
}
