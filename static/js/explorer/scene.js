// The 3D map: the cloud of every song's point (cloud.js: one draw call for 100,000 songs), what
// is drawn over them (overlays.js), the camera, its controls and its flights (flight.js).
// Frames are drawn on demand (when something moves or changes), not in a constant loop: a map
// at rest costs no CPU, which matters on phones and software WebGL. While the camera moves, an
// even subset of the points is drawn (the first ones: they come in a random order), as many as
// keep frames quick, and the whole map again once it stops.

import * as THREE from "three";
import { OrbitControls } from "three/addons/controls/OrbitControls.js";

import { flightDuration, flightPath, easeInOut, framingPose } from "./flight.js";
import { boundingSphere } from "./mapdata.js";
import { Overlays } from "./overlays.js";
import { PointGrid } from "./pointgrid.js";
import { createCloud, haloFor, MAX_POINT_PIXELS, MIN_POINT_PIXELS } from "./cloud.js";

const FOV = 50;
const MULTISAMPLE_MAX_POINTS = 5_000;
// While moving: aim for frames of this long, drawing at least this many points; the whole map
// is drawn again this long after the last movement.
const MOVING_FRAME_MS = 30;
const MIN_MOVING_POINTS = 4000;
const SETTLE_MS = 160;
const DAMPING_PER_60HZ_FRAME = 0.1; // the orbit's inertia, the same whatever the frame rate

export function webglAvailable() {
  try {
    return Boolean(document.createElement("canvas").getContext("webgl2"));
  } catch {
    return false;
  }
}

export function prefersReducedMotion() {
  return Boolean(window.matchMedia?.("(prefers-reduced-motion: reduce)").matches);
}

export class MapView {
  /**
   * canvas: the element to draw in; positions: Float32Array(3n); colours: Uint8Array(3n) RGB;
   * states: Uint8Array(n) (visibility.js); background: CSS colour of the page behind the map;
   * loaded: how many of the points have arrived (the first ones: see pointsArrived).
   */
  constructor({ canvas, positions, colours, states, background, loaded = positions.length / 3 }) {
    this.canvas = canvas;
    this.positions = positions;
    this.count = positions.length / 3;
    this.loaded = loaded;
    this.frameListeners = [];
    this.animators = []; // (now, dtMs) -> true while they want more frames (freeflight.js)
    this.frameRequested = false;
    this.frameMs = 0; // how long a frame takes while moving, measured as frames are drawn
    this.lastFrameAt = null;
    this.lastMoving = false;
    this.flight = null;
    this.movingPoints = Math.min(this.count, 20_000);
    this.settleTimer = null;
    this.framesDrawn = 0;
    this.lastMatrix = new THREE.Matrix4();
    this.cloud = boundingSphere(this.loadedPositions());

    // Multisampling smooths the edges of a few hundred big points; past that each point is a
    // few pixels and it only multiplies the cost of a frame (most of all in software WebGL).
    this.renderer = new THREE.WebGLRenderer({
      canvas,
      antialias: this.count <= MULTISAMPLE_MAX_POINTS,
      powerPreference: "high-performance",
    });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
    this.background = new THREE.Color(background);
    this.renderer.setClearColor(this.background, 1);

    this.camera = new THREE.PerspectiveCamera(FOV, 1, 0.005, 50);
    this.camera.position.set(1.6, 1.1, 2.4);
    this.scene = new THREE.Scene();

    const cloud = createCloud({ positions, colours, states, background: this.background });
    this.geometry = cloud.geometry;
    this.stateAttribute = cloud.stateAttribute;
    this.sizeUniforms = cloud.sizeUniforms; // what sizes the points (pick reads them too)
    this.pointUniforms = cloud.uniforms;
    this.fog = cloud.uniforms.uFog.value;
    this.points = cloud.points;
    this.scene.add(this.points);
    this.overlays = new Overlays(this.scene, positions, this.renderer.getPixelRatio());

    this.controls = new OrbitControls(this.camera, canvas);
    this.controls.enableDamping = true;
    this.controls.dampingFactor = DAMPING_PER_60HZ_FRAME;
    this.controls.screenSpacePanning = true;
    this.controls.zoomToCursor = true;
    this.controls.minDistance = 0.02;
    this.controls.maxDistance = 12;
    // Arrow keys pan while the map has the focus (not while typing in the search box).
    this.controls.listenToKeyEvents(canvas);
    this.controls.addEventListener("change", () => this.requestRender());
    // A new drag or a flight takes over from an orbit still coasting, and the other way round.
    this.controls.addEventListener("start", () => (this.flight = null));

    this.grid = null; // pointgrid.js's, made once every point is in (pointsArrived)

    this.resize();
    new ResizeObserver(() => this.resize()).observe(canvas);
  }

  get highlight() {
    return this.overlays.highlight;
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

  /** Draw now, every point (the first frame, whose time the page reports). */
  renderNow() {
    this.frameRequested = false;
    this.frame(performance.now(), { everyPoint: true });
  }

  requestRender() {
    if (this.frameRequested) return;
    this.frameRequested = true;
    this.chained = this.inFrame === true; // asked for by the frame before: an animation
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

  /** Something that moves the camera each frame: animate(now, dtMs) -> true for more frames. */
  addAnimator(animate) {
    this.animators.push(animate);
    this.requestRender();
  }

  frame(now, { everyPoint = false } = {}) {
    this.inFrame = true;
    // Time since the last frame of a movement; the first frame after a rest takes one frame's
    // worth (not the whole rest: free flight would jump at its start).
    const resting = this.lastFrameAt === null || !this.lastMoving;
    const dt = resting ? 16.7 : Math.min(250, now - this.lastFrameAt);
    // The orbit's inertia per frame, so that it coasts as long in time at any frame rate.
    this.controls.dampingFactor = Math.min(0.9, 1 - (1 - DAMPING_PER_60HZ_FRAME) ** (dt / 16.7));
    let more = false;
    if (this.flight) more = this.stepFlight(now) || more;
    for (const animate of this.animators) more = animate(now, dt) || more;
    this.controls.update(); // with damping, asks for frames (its "change") until it settles
    this.camera.updateMatrixWorld();
    const moving = !this.camera.matrixWorld.equals(this.lastMatrix) || more;
    this.lastMatrix.copy(this.camera.matrixWorld);
    if (this.chained && moving && this.lastMoving && dt < 250) this.frameTook(dt);
    this.lastMoving = moving;
    this.lastFrameAt = now;
    this.updateFog();
    const drawn = moving && !everyPoint ? Math.min(this.movingPoints, this.loaded) : this.loaded;
    this.geometry.setDrawRange(0, drawn);
    this.sizeUniforms.uSizeBoost.value = Math.min(1.6, (this.count / drawn) ** 0.25);
    this.pointUniforms.uHalo.value = moving && drawn < this.count ? 1 : haloFor(this.count);
    this.renderer.render(this.scene, this.camera);
    this.framesDrawn += 1;
    for (const listener of this.frameListeners) listener();
    clearTimeout(this.settleTimer);
    if (more) this.requestRender();
    else if (moving && drawn < this.loaded)
      this.settleTimer = setTimeout(() => this.requestRender(), SETTLE_MS);
    this.inFrame = false;
  }

  /** A moving frame took ``ms``: draw more or fewer points next time to keep frames quick. */
  frameTook(ms) {
    this.frameMs = this.frameMs ? 0.7 * this.frameMs + 0.3 * ms : ms;
    const scaled = Math.round(this.movingPoints * Math.min(1.5, MOVING_FRAME_MS / ms));
    this.movingPoints = Math.min(this.count, Math.max(MIN_MOVING_POINTS, scaled));
  }

  /** Far songs fade: from the near side of the cloud (as the camera sees it) to its far side. */
  updateFog() {
    const centre = new THREE.Vector3(...this.cloud.centre);
    const distance = this.camera.position.distanceTo(centre);
    const radius = Math.max(this.cloud.radius, 0.05);
    this.fog.set(Math.max(0, distance - radius), distance + radius);
  }

  /** The first ``loaded`` points are in the arrays now (the map loads in blocks, each an even
   * sample of the rest): upload them and draw them. */
  pointsArrived(loaded) {
    this.loaded = loaded;
    this.geometry.getAttribute("position").needsUpdate = true;
    this.cloud = boundingSphere(this.loadedPositions());
    this.grid = null;
    // Sorting a million points into the pick grid takes tens of milliseconds: when idle (and
    // within a second: a moving camera leaves no idle time), not at the first pick.
    if (loaded === this.count && window.requestIdleCallback) {
      requestIdleCallback(() => (this.grid ??= new PointGrid(this.loadedPositions())), {
        timeout: 1000,
      });
    }
    this.requestRender();
  }

  loadedPositions() {
    return this.positions.subarray(0, 3 * this.loaded);
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

  /** Rings, lines and glows over the map: see overlays.js. Only the keys given change. */
  setHighlight(changes) {
    this.overlays.set(changes);
    this.requestRender();
  }

  /** Where the camera is and what it looks at: {position: [x, y, z], target: [x, y, z]}. */
  pose() {
    return { position: this.camera.position.toArray(), target: this.controls.target.toArray() };
  }

  /** Fly to ``pose`` along flight.js's curve (a cut when the listener asks for less motion). */
  flyToPose(pose, { duration = null } = {}) {
    const from = this.pose();
    const ms = prefersReducedMotion() ? 0 : (duration ?? flightDuration(from, pose));
    this.flight = { start: performance.now(), duration: ms, path: flightPath(from, pose) };
    this.requestRender();
  }

  /** The pose that frames a sphere (centre: [x, y, z], radius) from the present side. */
  framing(centre, radius) {
    const halfFov = THREE.MathUtils.degToRad(FOV / 2) * Math.min(1, this.camera.aspect);
    const direction = this.camera.position.clone().sub(this.controls.target).normalize();
    return framingPose(centre, radius, direction.toArray(), halfFov);
  }

  /** Move the camera smoothly to look at a sphere (centre: [x, y, z], radius) from its side. */
  flyTo(centre, radius, duration = null) {
    this.flyToPose(this.framing(centre, radius), { duration });
  }

  stepFlight(now) {
    const f = this.flight;
    const t = f.duration ? Math.min(1, (now - f.start) / f.duration) : 1;
    const { position, target } = f.path(easeInOut(t));
    this.camera.position.fromArray(position);
    this.controls.target.fromArray(target);
    if (t >= 1) this.flight = null;
    return t < 1;
  }

  /** Frame the points at ``indices`` (all points when null). */
  fit(indices = null, duration = null) {
    const { centre, radius } = boundingSphere(this.loadedPositions(), indices);
    this.flyTo(centre, radius, duration);
  }

  /** The distance from point ``index`` to the farthest of ``others`` (indices). */
  radiusAround(index, others) {
    const centre = this.pointPosition(index);
    const other = new THREE.Vector3();
    return Math.max(0, ...others.map((i) => centre.distanceTo(this.pointPosition(i, other))));
  }

  /** The pose that looks at one point from close enough to see ``radius`` around it. */
  poseAround(index, radius = 0.18) {
    return this.framing(this.pointPosition(index).toArray(), radius);
  }

  /** The point drawn under CSS pixel (x, y) of the canvas, or -1 (pointgrid.js). */
  pick(x, y) {
    this.grid ??= new PointGrid(this.loadedPositions());
    const width = this.canvas.clientWidth || 1;
    const height = this.canvas.clientHeight || 1;
    this.camera.updateMatrixWorld();
    const viewProjection = new THREE.Matrix4().multiplyMatrices(
      this.camera.projectionMatrix,
      this.camera.matrixWorldInverse,
    );
    const direction = new THREE.Vector3((2 * x) / width - 1, 1 - (2 * y) / height, 0.5)
      .unproject(this.camera)
      .sub(this.camera.position)
      .normalize();
    const perPixel = (2 * Math.tan(THREE.MathUtils.degToRad(FOV / 2))) / height;
    // As the point shader sizes them (without the halo), in CSS pixels.
    const atDepthOne = this.sizeUniforms.uWorldSize.value / perPixel;
    const view = {
      origin: this.camera.position.toArray(),
      direction: direction.toArray(),
      viewProjection: viewProjection.elements,
      width,
      height,
      perPixel,
      reach: MAX_POINT_PIXELS,
      pixelsAt: (depth) =>
        THREE.MathUtils.clamp(atDepthOne / depth, MIN_POINT_PIXELS, MAX_POINT_PIXELS),
      states: this.stateAttribute.array,
    };
    return this.grid.pick(view, x, y);
  }

  /** Where a point is drawn, in CSS pixels of the canvas: {x, y, visible}. */
  project(index) {
    return this.projectPoint(this.pointPosition(index));
  }

  /** Where map position ``v`` (Vector3, changed) is drawn: {x, y, visible, depth}. */
  projectPoint(v) {
    const depth = v.clone().applyMatrix4(this.camera.matrixWorldInverse).z;
    v.project(this.camera);
    return {
      x: ((v.x + 1) / 2) * this.canvas.clientWidth,
      y: ((1 - v.y) / 2) * this.canvas.clientHeight,
      visible: v.z > -1 && v.z < 1 && Math.abs(v.x) <= 1.05 && Math.abs(v.y) <= 1.05,
      depth: -depth,
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
