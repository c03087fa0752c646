// The 3D map: one THREE.Points for every song (a single BufferGeometry, so 100,000 songs are one
// draw call), rings and lines for the selection, its neighbours and the listening path, rings
// for the songs the Discover panel lights up, the camera and its controls. Frames are drawn on
// demand (when something moves or changes), not in a constant loop: a map at rest costs no
// CPU, which matters on phones and software WebGL.

import * as THREE from "three";
import { OrbitControls } from "three/addons/controls/OrbitControls.js";

import { GpuPicker } from "./gpupicker.js";
import { boundingSphere } from "./mapdata.js";
import {
  LISTENING_PIXELS,
  POINT_FRAGMENT,
  POINT_VERTEX,
  RING_FRAGMENT,
  RING_PIXELS,
  RING_VERTEX,
} from "./shaders.js";

const FOV = 50;
const MULTISAMPLE_MAX_POINTS = 20_000;
// Slower frames than this (software WebGL, weak phones) make animation a slideshow that keeps
// the browser busy: the camera then jumps instead of flying, and stops without damping.
const SLOW_FRAME_MS = 50;
// Points keep their size in map units (nearer looks bigger) within these bounds, in CSS pixels:
// visible when far, and not so big when near that they hide their neighbours.
const MIN_POINT_PIXELS = 2;
const MAX_POINT_PIXELS = 24;

/** Point diameter in map units: about half the mean spacing of n points in the [-1, 1] cube. */
function worldSizeFor(count) {
  return Math.min(0.06, Math.max(0.012, 0.9 / Math.cbrt(Math.max(count, 1))));
}

export function webglAvailable() {
  try {
    return Boolean(document.createElement("canvas").getContext("webgl2"));
  } catch {
    return false;
  }
}

export class MapView {
  /**
   * canvas: the element to draw in; positions: Float32Array(3n); colours: Uint8Array(3n) RGB;
   * states: Uint8Array(n) (visibility.js); background: CSS colour of the page behind the map.
   */
  constructor({ canvas, positions, colours, states, background }) {
    this.canvas = canvas;
    this.positions = positions;
    this.count = positions.length / 3;
    this.frameListeners = [];
    this.frameRequested = false;
    this.frameMs = 0; // how long a frame takes to reach the screen, measured as frames are drawn
    this.chained = false; // the frame was asked for by the frame before it (an animation)
    this.lastFrameAt = null;
    this.flight = null;

    // Multisampling smooths the edges of a few hundred big points; past that each point is a
    // few pixels and it only multiplies the cost of a frame (most of all in software WebGL).
    const antialias = this.count <= MULTISAMPLE_MAX_POINTS;
    this.renderer = new THREE.WebGLRenderer({
      canvas,
      antialias,
      powerPreference: "high-performance",
    });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
    this.background = new THREE.Color(background);
    this.renderer.setClearColor(this.background, 1);

    this.camera = new THREE.PerspectiveCamera(FOV, 1, 0.005, 50);
    this.camera.position.set(1.6, 1.1, 2.4);
    this.scene = new THREE.Scene();

    const geometry = new THREE.BufferGeometry();
    geometry.setAttribute("position", new THREE.BufferAttribute(positions, 3));
    geometry.setAttribute("aColour", new THREE.BufferAttribute(colours, 3, true));
    this.stateAttribute = new THREE.BufferAttribute(states, 1);
    this.stateAttribute.setUsage(THREE.DynamicDrawUsage);
    geometry.setAttribute("aState", this.stateAttribute);
    this.geometry = geometry;

    // Shared with the picking pass (the same objects), so picked sizes follow drawn sizes.
    this.sizeUniforms = {
      uWorldSize: { value: worldSizeFor(this.count) },
      uScale: { value: 1 },
      uMinPixels: { value: 2 },
      uMaxPixels: { value: 24 },
    };
    const material = new THREE.ShaderMaterial({
      uniforms: { ...this.sizeUniforms, uBackground: { value: this.background } },
      vertexShader: POINT_VERTEX,
      fragmentShader: POINT_FRAGMENT,
    });
    this.points = new THREE.Points(geometry, material);
    this.points.frustumCulled = false; // the cloud is always in view; skip its bounding sphere
    this.scene.add(this.points);

    this.rings = new THREE.Points(
      new THREE.BufferGeometry(),
      new THREE.ShaderMaterial({
        uniforms: { uPixelRatio: { value: this.renderer.getPixelRatio() } },
        vertexShader: RING_VERTEX,
        fragmentShader: RING_FRAGMENT,
        depthTest: false,
        depthWrite: false,
      }),
    );
    this.rings.frustumCulled = false;
    this.rings.renderOrder = 2;
    this.scene.add(this.rings);

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
      new THREE.LineBasicMaterial({ color: 0xffbf4d, depthTest: false }),
    );
    for (const line of [this.neighbourLines, this.pathLine]) {
      line.frustumCulled = false;
      line.renderOrder = 1;
      this.scene.add(line);
    }
    this.highlight = {
      selected: -1,
      neighbours: [],
      path: [],
      hover: -1,
      found: [],
      marked: [],
      listening: [],
      listeningEmphasis: [],
    };

    this.controls = new OrbitControls(this.camera, canvas);
    this.controls.enableDamping = true;
    this.controls.dampingFactor = 0.12;
    this.controls.screenSpacePanning = true;
    this.controls.zoomToCursor = true;
    this.controls.minDistance = 0.02;
    this.controls.maxDistance = 12;
    // Arrow keys pan while the map has the focus (not while typing in the search box).
    this.controls.listenToKeyEvents(canvas);
    this.controls.addEventListener("change", () => this.requestRender());

    this.picker = new GpuPicker(this.renderer, geometry, this.sizeUniforms);

    this.resize();
    new ResizeObserver(() => this.resize()).observe(canvas);
  }

  resize() {
    const width = this.canvas.clientWidth || 1;
    const height = this.canvas.clientHeight || 1;
    this.renderer.setSize(width, height, false);
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
    const bufferHeight = this.renderer.getDrawingBufferSize(new THREE.Vector2()).y;
    this.sizeUniforms.uScale.value =
      bufferHeight / (2 * Math.tan(THREE.MathUtils.degToRad(FOV / 2)));
    const ratio = this.renderer.getPixelRatio();
    this.sizeUniforms.uMinPixels.value = MIN_POINT_PIXELS * ratio;
    this.sizeUniforms.uMaxPixels.value = MAX_POINT_PIXELS * ratio;
    this.requestRender();
  }

  /** Draw now (the first frame, whose time the page reports), and time it to the screen. */
  renderNow() {
    this.frameRequested = false;
    this.frame(performance.now());
    const drawn = performance.now();
    requestAnimationFrame(() => this.frameTook(performance.now() - drawn));
  }

  frameTook(ms) {
    this.frameMs = this.frameMs ? 0.7 * this.frameMs + 0.3 * ms : ms;
    this.controls.enableDamping = this.frameMs <= SLOW_FRAME_MS;
  }

  get framesAreSlow() {
    return this.frameMs > SLOW_FRAME_MS;
  }

  requestRender() {
    if (this.frameRequested) return;
    this.frameRequested = true;
    this.chained = this.inFrame === true;
    requestAnimationFrame((now) => {
      if (this.frameRequested) {
        this.frameRequested = false;
        this.frame(now);
      }
    });
  }

  onFrame(listener) {
    this.frameListeners.push(listener);
  }

  frame(now) {
    if (this.chained && this.lastFrameAt !== null) this.frameTook(now - this.lastFrameAt);
    this.lastFrameAt = now;
    this.inFrame = true;
    if (this.flight) this.stepFlight(now);
    this.controls.update(); // with damping, keeps requesting frames until the motion settles
    this.renderer.render(this.scene, this.camera);
    for (const listener of this.frameListeners) listener();
    this.inFrame = false;
  }

  /** The states changed (legend, distance filter): upload them, not the geometry. */
  statesChanged() {
    this.stateAttribute.needsUpdate = true;
    this.requestRender();
  }

  coloursChanged(colours) {
    const attribute = this.geometry.getAttribute("aColour");
    attribute.array.set(colours);
    attribute.needsUpdate = true;
    this.requestRender();
  }

  pointPosition(index, target = new THREE.Vector3()) {
    return target.fromArray(this.positions, 3 * index);
  }

  /**
   * selected: index or -1; neighbours, path: arrays of indices; hover: index or -1. From the
   * Discover panel: found, marked, listening: arrays of indices; listeningEmphasis: 0 to 1 for
   * each of listening (a bigger ring). Only the keys given change.
   */
  setHighlight(changes) {
    Object.assign(this.highlight, changes);
    const { selected, neighbours, path, hover, found, marked, listening, listeningEmphasis } =
      this.highlight;
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
    listening.forEach((index, i) =>
      add(index, 6, least + (most - least) * (listeningEmphasis[i] ?? 1)),
    );
    found.forEach((index) => add(index, 4));
    marked.forEach((index) => add(index, 5));
    path.forEach((index) => add(index, 2));
    neighbours.forEach((index) => add(index, 1));
    add(selected, 0);
    add(hover, 3);
    const ringGeometry = new THREE.BufferGeometry();
    ringGeometry.setAttribute("position", new THREE.Float32BufferAttribute(rings, 3));
    ringGeometry.setAttribute("aKind", new THREE.Float32BufferAttribute(kinds, 1));
    ringGeometry.setAttribute("aSize", new THREE.Float32BufferAttribute(sizes, 1));
    this.rings.geometry.dispose();
    this.rings.geometry = ringGeometry;

    const segments = [];
    if (selected >= 0) {
      for (const index of neighbours) {
        segments.push(this.pointPosition(selected), this.pointPosition(index));
      }
    }
    this.neighbourLines.geometry.dispose();
    this.neighbourLines.geometry = new THREE.BufferGeometry().setFromPoints(segments);
    this.pathLine.geometry.dispose();
    this.pathLine.geometry = new THREE.BufferGeometry().setFromPoints(
      path.map((index) => this.pointPosition(index)),
    );
    this.requestRender();
  }

  /** Move the camera smoothly to look at a sphere (centre: [x, y, z], radius) from its side. */
  flyTo(centre, radius, duration = 650) {
    const halfFov = THREE.MathUtils.degToRad(FOV / 2) * Math.min(1, this.camera.aspect);
    const distance = Math.max(0.08, (Math.max(radius, 0.02) / Math.sin(halfFov)) * 1.08);
    const target = new THREE.Vector3(...centre);
    const direction = this.camera.position.clone().sub(this.controls.target).normalize();
    this.flight = {
      start: performance.now(),
      duration:
        this.framesAreSlow || window.matchMedia?.("(prefers-reduced-motion: reduce)").matches
          ? 0
          : duration,
      fromPosition: this.camera.position.clone(),
      fromTarget: this.controls.target.clone(),
      toPosition: target.clone().addScaledVector(direction, distance),
      toTarget: target,
    };
    this.requestRender();
  }

  stepFlight(now) {
    const f = this.flight;
    const t = f.duration ? Math.min(1, (now - f.start) / f.duration) : 1;
    const eased = t < 0.5 ? 4 * t * t * t : 1 - (-2 * t + 2) ** 3 / 2;
    this.camera.position.lerpVectors(f.fromPosition, f.toPosition, eased);
    this.controls.target.lerpVectors(f.fromTarget, f.toTarget, eased);
    if (t < 1) this.requestRender();
    else this.flight = null;
  }

  /** Frame the points at ``indices`` (all points when null). */
  fit(indices = null, duration = 650) {
    const { centre, radius } = boundingSphere(this.positions, indices);
    this.flyTo(centre, radius, duration);
  }

  /** The distance from point ``index`` to the farthest of ``others`` (indices). */
  radiusAround(index, others) {
    const centre = this.pointPosition(index);
    const other = new THREE.Vector3();
    return Math.max(0, ...others.map((i) => centre.distanceTo(this.pointPosition(i, other))));
  }

  /** Look at one point from close enough to see its neighbourhood. */
  flyToPoint(index, radius = 0.18) {
    this.flyTo([...this.pointPosition(index).toArray()], radius);
  }

  /** The point under CSS pixel (x, y) of the canvas, or -1. */
  pick(x, y) {
    const ratio = this.renderer.getPixelRatio();
    return this.picker.pick(this.camera, x * ratio, y * ratio);
  }

  /** Where a point is drawn, in CSS pixels of the canvas: {x, y, visible}. */
  project(index) {
    const v = this.pointPosition(index).project(this.camera);
    return {
      x: ((v.x + 1) / 2) * this.canvas.clientWidth,
      y: ((1 - v.y) / 2) * this.canvas.clientHeight,
      visible: v.z > -1 && v.z < 1 && Math.abs(v.x) <= 1.05 && Math.abs(v.y) <= 1.05,
    };
  }

  /** Keyboard zoom: factor < 1 moves closer. */
  zoom(factor) {
    const offset = this.camera.position.clone().sub(this.controls.target).multiplyScalar(factor);
    const length = THREE.MathUtils.clamp(
      offset.length(),
      this.controls.minDistance,
      this.controls.maxDistance,
    );
    this.camera.position.copy(this.controls.target).add(offset.setLength(length));
    this.requestRender();
  }

  /** Keyboard orbit around the target, in radians. */
  orbit(azimuth, polar) {
    const offset = this.camera.position.clone().sub(this.controls.target);
    const spherical = new THREE.Spherical().setFromVector3(offset);
    spherical.theta += azimuth;
    spherical.phi = THREE.MathUtils.clamp(spherical.phi + polar, 0.05, Math.PI - 0.05);
    this.camera.position
      .copy(this.controls.target)
      .add(new THREE.Vector3().setFromSpherical(spherical));
    this.requestRender();
  }
}
