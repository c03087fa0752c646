// The browser tests' (and bench/explorer.py's) window into the explorer page: window.__explorer
// with readiness, timings and what the map draws. The page never loads this; probe.py serves it
// to the test's browser and imports it once the page's modules have run. It reaches the page
// only through what main.js exports (the page's state and its map's stage).

const entry = document.querySelector('script[type="module"][src*="/js/explorer/main."]');

if (entry) {
  // The page's own module (the same address, hashed or not: the same instance), already run.
  const page = await import(entry.src);
  const { state } = page;
  const drawn = () => page.stage?.view.highlight ?? state.highlight;
  const probe = {
    get ready() {
      return state.ready;
    },
    get firstFrameMs() {
      return state.firstFrameMs;
    },
    get allPointsMs() {
      return state.allPointsMs;
    },
    /** How many points the first frame drew: the first of the map to arrive. */
    get firstPoints() {
      return state.firstPoints;
    },
    get mapBytes() {
      return state.mapBytes;
    },
    get count() {
      return state.map?.count ?? null;
    },
    /** How many of the map's points are in (and drawn): all of them once it is ready. */
    get loaded() {
      return page.stage?.view.loaded ?? null;
    },
    ids: () => [...state.map.ids],
    lastNeighboursMs: null, // from the click (or the request) to the neighbours listed
    lastPickMs: null, // the pick (pointgrid.js) of the last click
    /** Where a song is drawn, in CSS pixels of the page, or null when not on the screen. */
    project: (songId) => page.stage?.projectSong(songId) ?? null,
    /** The song the page picks under page pixel (x, y) (pointgrid.js), or null. */
    pickAt(x, y) {
      const rect = page.stage.canvas.getBoundingClientRect();
      const index = page.stage.view.pick(x - rect.left, y - rect.top);
      return index < 0 ? null : state.map.ids[index];
    },
    counts: () => {
      const counts = { hidden: 0, faded: 0, shown: 0 };
      for (const s of state.states ?? []) counts[["hidden", "faded", "shown"][s]] += 1;
      return counts;
    },
    stateOf: (songId) => state.states[state.map.indexOf.get(songId)],
    selected: () => state.selected,
    // The songs the path line is drawn through, in order, and the playlist it follows.
    drawnPath: () => state.idsOf(drawn().path),
    playlist: () =>
      state.walk?.playlist ? { id: state.walk.playlist.id, name: state.walk.playlist.name } : null,
    // The camera: where it is and what it looks at; each drawn frame's, once recording.
    camera: () => page.stage.view.pose(),
    /** The share of the points drawn while the camera moves (all of them at rest). */
    get movingShare() {
      const view = page.stage.view;
      return view.movingPoints / view.count;
    },
    get framesDrawn() {
      return page.stage?.view.framesDrawn ?? 0;
    },
    frames: [],
    recordFrames() {
      probe.frames = [];
      if (!probe.recording) {
        probe.recording = true;
        page.stage.view.onFrame(() =>
          probe.frames.push({ at: performance.now(), ...page.stage.view.pose() }),
        );
      }
    },
    /** The points' halo strength (null: the page's own), to compare a frame without them. */
    setGlow(value) {
      const uniform = page.stage.view.pointUniforms.uGlow;
      probe.pageGlow ??= uniform.value;
      uniform.value = value ?? probe.pageGlow;
      page.stage.view.requestRender();
    },
    /** Draw the glows over the map or not, to compare a frame without them. */
    showGlows(shown) {
      page.stage.view.overlays.glows.visible = shown;
      page.stage.view.requestRender();
    },
    /** Where map position [x, y, z] is drawn, in CSS pixels of the page. */
    projectPosition: (xyz) => {
      const view = page.stage.view;
      const at = view.projectPoint(view.pointPosition(0).fromArray(xyz));
      const rect = view.canvas.getBoundingClientRect();
      return { x: rect.left + at.x, y: rect.top + at.y, visible: at.visible };
    },
    /** A song's distance in front of the camera (map units), and whether it is on screen. */
    depth: (songId) => {
      const view = page.stage.view;
      return view.project(state.map.indexOf.get(songId)).depth;
    },
    // The listener's layers as drawn: {name: [song ids]}.
    layers: () =>
      Object.fromEntries(drawn().layers.map((layer) => [layer.name, state.idsOf(layer.indices)])),
    discover: {
      // The songs ringed on the map, as drawn (ids in the order of each list).
      found: () => state.idsOf(drawn().found),
      marked: () => state.idsOf(drawn().marked),
      listening: () => state.idsOf(drawn().listening),
      listeningEmphasis: () => [...drawn().listeningEmphasis],
      recipe: () => state.recipe?.request() ?? null,
    },
  };
  // The hover previews as announced: [{songId, phase, ms}], and the spatial panner's place.
  probe.previews = [];
  state.signals.previewChanged.add((songId, { phase, ms }) =>
    probe.previews.push({ songId, phase, ms: ms ?? null }),
  );
  probe.panner = () => {
    const graph = page.preview?.graph;
    if (!graph) return null;
    const { positionX, positionY, positionZ } = graph.panner;
    return { x: positionX.value, y: positionY.value, z: positionZ.value, state: graph.context.state };
  };
  state.signals.selectionShown.add(({ ms }) => (probe.lastNeighboursMs = ms));
  state.signals.picked.add(({ ms }) => (probe.lastPickMs = ms));
  window.__explorer = probe;
}
