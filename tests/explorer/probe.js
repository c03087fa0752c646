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
    get mapBytes() {
      return state.mapBytes;
    },
    get count() {
      return state.map?.count ?? null;
    },
    lastNeighboursMs: null, // from the click (or the request) to the neighbours listed
    lastPickMs: null, // the GPU pick of the last click
    /** Where a song is drawn, in CSS pixels of the page, or null when not on the screen. */
    project: (songId) => page.stage?.projectSong(songId) ?? null,
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
    discover: {
      // The songs ringed on the map, as drawn (ids in the order of each list).
      found: () => state.idsOf(drawn().found),
      marked: () => state.idsOf(drawn().marked),
      listening: () => state.idsOf(drawn().listening),
      listeningEmphasis: () => [...drawn().listeningEmphasis],
      recipe: () => state.recipe?.request() ?? null,
    },
  };
  state.signals.selectionShown.add(({ ms }) => (probe.lastNeighboursMs = ms));
  state.signals.picked.add(({ ms }) => (probe.lastPickMs = ms));
  window.__explorer = probe;
}
