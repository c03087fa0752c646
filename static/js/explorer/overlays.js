// What the map draws over its points: rings for the selection, its neighbours, the walk, the
// song under the pointer and the Discover panel's songs; lines from the selection to its
// neighbours and along the walk; and glows, soft light around the selection, its neighbours
// and the listener's own layers (layers.js), so that these stand out in size and light.

import * as THREE from "three";

import {
  GLOW_FRAGMENT,
  GLOW_VERTEX,
  LISTENING_PIXELS,
  RING_FRAGMENT,
  RING_PIXELS,
  RING_VERTEX,
} from "./shaders.js";

// Glow colours (0 to 1) and sizes in CSS pixels, by what a song is.
export const GLOWS = {
  selected: { colour: [1.0, 0.96, 0.85], pixels: 64 },
  neighbour: { colour: [0.37, 0.78, 0.95], pixels: 40 },
};

const EMPTY = {
  selected: -1,
  neighbours: [],
  path: [],
  hover: -1,
  found: [],
  marked: [],
  listening: [],
  listeningEmphasis: [],
  layers: [], // [{indices, colour: [r, g, b] 0 to 1, pixels}] (layers.js)
};

function pointsOf(vertexShader, fragmentShader, pixelRatio, options) {
  const points = new THREE.Points(
    new THREE.BufferGeometry(),
    new THREE.ShaderMaterial({
      uniforms: { uPixelRatio: { value: pixelRatio } },
      vertexShader,
      fragmentShader,
      depthTest: false,
      depthWrite: false,
      ...options,
    }),
  );
  points.frustumCulled = false;
  return points;
}

export class Overlays {
  /** scene: where to add them; positions: the map's Float32Array(3n); pixelRatio: the
   * renderer's. */
  constructor(scene, positions, pixelRatio) {
    this.positions = positions;
    this.highlight = structuredClone(EMPTY);
    this.glows = pointsOf(GLOW_VERTEX, GLOW_FRAGMENT, pixelRatio, {
      blending: THREE.AdditiveBlending,
      transparent: true,
    });
    this.glows.renderOrder = 1;
    // Every overlay is "transparent" like the points (whose halos blend), so that all are
    // drawn in one list, in their render order, after the points.
    this.rings = pointsOf(RING_VERTEX, RING_FRAGMENT, pixelRatio, { transparent: true });
    this.rings.renderOrder = 3;
    this.neighbourLines = new THREE.LineSegments(
      new THREE.BufferGeometry(),
      new THREE.LineBasicMaterial({
        color: 0x5ec8f2,
        transparent: true,
        opacity: 0.75,
        depthTest: false,
      }),
    );
    this.pathLine = new THREE.Line(
      new THREE.BufferGeometry(),
      new THREE.LineBasicMaterial({ color: 0xffbf4d, depthTest: false, transparent: true }),
    );
    for (const line of [this.neighbourLines, this.pathLine]) {
      line.frustumCulled = false;
      line.renderOrder = 2;
    }
    scene.add(this.glows, this.neighbourLines, this.pathLine, this.rings);
  }

  position(index) {
    return new THREE.Vector3().fromArray(this.positions, 3 * index);
  }

  /** Only the keys given change; see EMPTY for them (indices of points, -1 for none). */
  set(changes) {
    Object.assign(this.highlight, changes);
    const h = this.highlight;
    this.drawRings(h);
    this.drawGlows(h);
    const segments = [];
    if (h.selected >= 0) {
      for (const index of h.neighbours) segments.push(this.position(h.selected), this.position(index));
    }
    replaceGeometry(this.neighbourLines, new THREE.BufferGeometry().setFromPoints(segments));
    replaceGeometry(
      this.pathLine,
      new THREE.BufferGeometry().setFromPoints(h.path.map((index) => this.position(index))),
    );
  }

  drawRings(h) {
    const rings = [];
    const kinds = [];
    const sizes = [];
    const add = (index, kind, size = RING_PIXELS[kind]) => {
      if (index < 0) return;
      rings.push(...this.positions.subarray(3 * index, 3 * index + 3));
      kinds.push(kind);
      sizes.push(size);
    };
    // Drawn in this order, so the selection's rings lie over the Discover panel's.
    const [least, most] = LISTENING_PIXELS;
    h.listening.forEach((index, i) =>
      add(index, 6, least + (most - least) * (h.listeningEmphasis[i] ?? 1)),
    );
    h.found.forEach((index) => add(index, 4));
    h.marked.forEach((index) => add(index, 5));
    h.path.forEach((index) => add(index, 2));
    h.neighbours.forEach((index) => add(index, 1));
    add(h.selected, 0);
    add(h.hover, 3);
    const geometry = new THREE.BufferGeometry();
    geometry.setAttribute("position", new THREE.Float32BufferAttribute(rings, 3));
    geometry.setAttribute("aKind", new THREE.Float32BufferAttribute(kinds, 1));
    geometry.setAttribute("aSize", new THREE.Float32BufferAttribute(sizes, 1));
    replaceGeometry(this.rings, geometry);
  }

  drawGlows(h) {
    const at = [];
    const colours = [];
    const sizes = [];
    const add = (index, { colour, pixels }) => {
      if (index < 0) return;
      at.push(...this.positions.subarray(3 * index, 3 * index + 3));
      colours.push(...colour);
      sizes.push(pixels);
    };
    for (const layer of h.layers) layer.indices.forEach((index) => add(index, layer));
    h.neighbours.forEach((index) => add(index, GLOWS.neighbour));
    add(h.selected, GLOWS.selected);
    const geometry = new THREE.BufferGeometry();
    geometry.setAttribute("position", new THREE.Float32BufferAttribute(at, 3));
    geometry.setAttribute("aGlowColour", new THREE.Float32BufferAttribute(colours, 3));
    geometry.setAttribute("aSize", new THREE.Float32BufferAttribute(sizes, 1));
    replaceGeometry(this.glows, geometry);
  }
}

function replaceGeometry(object, geometry) {
  object.geometry.dispose();
  object.geometry = geometry;
}
