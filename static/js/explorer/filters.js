// Which songs the map shows, and how: "colour by" (genre or cluster), the legend that hides
// and shows a colour's songs, the distance filter that fades songs far from the selected one,
// and "fit all". Each change rewrites the state's point states and announces it.

import { renderColouringChoice, renderLegend } from "./legend.js";
import { availableColourings, categoriesFor, LegendState } from "./palette.js";
import {
  API_MAX_K,
  DistanceFilter,
  indicesAtLeast,
  MAX_DISTANCE,
  pointStates,
  SHOWN,
} from "./visibility.js";

const $ = (id) => document.getElementById(id);
const SLIDER_DEBOUNCE_MS = 200;

export class MapFilters {
  /** root: the page's element (data-filter, for tests, holds the distance applied). */
  constructor({ state, api, root }) {
    this.state = state;
    this.api = api;
    this.root = root;
    this.request = 0; // increases on every distance asked for: older answers are dropped
    renderColouringChoice({
      label: $("colour-by"),
      select: $("colour-by-select"),
      ways: availableColourings(state.map),
      current: state.colouring,
      onChange: (colouring) => this.colourBy(colouring),
    });
    this.buildLegend();
    state.signals.selectionShown.add(() => {
      if (state.filter.active || DistanceFilter.isActiveAt(Number($("distance-slider").value))) {
        this.applyDistance();
      }
    });
    state.signals.selectionChanged.add((songId) => {
      if (songId === null) this.resetDistance({ fit: false });
    });
    this.bindControls();
  }

  bindControls() {
    $("fit-all").disabled = false;
    $("fit-all").addEventListener("click", () => this.state.fitShown());
    const slider = $("distance-slider");
    let debounce = null;
    slider.addEventListener("input", () => {
      $("distance-value").textContent = this.distanceText(Number(slider.value));
      clearTimeout(debounce);
      debounce = setTimeout(() => this.applyDistance(), SLIDER_DEBOUNCE_MS);
    });
    $("distance-reset").addEventListener("click", () => {
      this.buildLegend(); // every entry on again
      this.resetDistance({ fit: true });
    });
  }

  colourBy(colouring) {
    const state = this.state;
    state.colouring = colouring;
    state.categories = categoriesFor(state.map, colouring);
    state.signals.coloursChanged.dispatch();
    this.buildLegend();
    this.updateStates();
  }

  buildLegend() {
    const state = this.state;
    state.legend = new LegendState(state.categories.names.length);
    renderLegend({
      elements: {
        legend: $("legend"),
        title: $("legend-title"),
        entries: $("legend-entries"),
        showAll: $("legend-show-all"),
      },
      categories: state.categories,
      legend: state.legend,
      colouring: state.colouring,
      onChange: () => this.updateStates(),
    });
  }

  /** Every point's state again, from the legend and the distance filter. */
  updateStates() {
    const state = this.state;
    const within = state.filter.active ? state.filter.withinIndices(state.map.indexOf) : null;
    pointStates({
      categoryOf: state.categories.categoryOf,
      legend: state.legend,
      within,
      out: state.states,
    });
    state.signals.filtersChanged.dispatch();
  }

  distanceText(value) {
    return DistanceFilter.isActiveAt(value) ? value.toFixed(2) : "all";
  }

  async applyDistance() {
    const state = this.state;
    const distance = Number($("distance-slider").value);
    const songId = state.selected;
    if (songId === null) return;
    if (!DistanceFilter.isActiveAt(distance)) {
      this.resetDistance({ fit: true });
      return;
    }
    const request = ++this.request;
    $("distance-status").textContent = "Finding the songs within this distance…";
    try {
      const { results } = await this.api.similar(songId, { k: API_MAX_K, maxDistance: distance });
      if (request !== this.request || songId !== state.selected) return;
      state.filter.apply(songId, distance, results);
      this.updateStates();
      const within = indicesAtLeast(state.states, SHOWN);
      if (within.length) state.fit(within);
      $("distance-status").textContent = state.filter.describe();
      this.root.dataset.filter = String(distance);
    } catch (error) {
      if (request === this.request) $("distance-status").textContent = error.message;
    }
  }

  resetDistance({ fit }) {
    this.request += 1;
    this.state.filter.clear();
    $("distance-slider").value = String(MAX_DISTANCE);
    $("distance-value").textContent = "all";
    $("distance-status").textContent = "";
    this.root.dataset.filter = "";
    this.updateStates();
    if (fit) this.state.fitShown();
  }
}
