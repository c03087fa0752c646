// Free flight through the cloud: instead of orbiting a point, the camera moves where it looks.
// Keys W A S D (or the arrows) move forward, left, back and right, Q and E down and up, Shift
// goes faster; dragging (mouse, pen or one finger) turns the view, the wheel or a pinch moves
// forward and back. Moving eases in and out (inertia), in map units per second whatever the
// frame rate. The camera is read afresh at every start, so a selection's flight, an orbit or
// "fit all" in between leaves no stale direction behind.

import * as THREE from "three";

const SPEED = 0.45; // map units per second (the map spans about 2)
const FAST = 3; // with Shift
const EASE_MS = 140; // how fast the speed follows the keys
const LOOK_PER_PIXEL = 0.004; // radians of turn per pixel dragged
const WHEEL_PER_PIXEL = 0.0012; // map units per pixel of wheel
const KEYS = {
  w: [0, 0, -1],
  arrowup: [0, 0, -1],
  s: [0, 0, 1],
  arrowdown: [0, 0, 1],
  a: [-1, 0, 0],
  arrowleft: [-1, 0, 0],
  d: [1, 0, 0],
  arrowright: [1, 0, 0],
  q: [0, -1, 0],
  e: [0, 1, 0],
};

export class FreeFlight {
  /** view: the MapView; button: the toolbar's switch (aria-pressed); onChange(active). */
  constructor({ view, canvas, button, onChange = () => {} }) {
    this.view = view;
    this.canvas = canvas;
    this.button = button;
    this.onChange = onChange;
    this.active = false;
    this.held = new Set();
    this.fast = false;
    this.velocity = new THREE.Vector3(); // camera space, units per second
    this.pointers = new Map(); // pointerId -> {x, y}
    this.pinch = null;
    view.addAnimator((now, dt) => this.step(dt));
    button.addEventListener("click", () => this.toggle());
    window.addEventListener("keydown", (event) => this.keyDown(event));
    window.addEventListener("keyup", (event) => this.keyUp(event));
    window.addEventListener("blur", () => this.held.clear());
    canvas.addEventListener("pointerdown", (event) => this.pointerDown(event));
    canvas.addEventListener("pointermove", (event) => this.pointerMove(event));
    for (const type of ["pointerup", "pointercancel", "pointerleave"]) {
      canvas.addEventListener(type, (event) => this.pointers.delete(event.pointerId));
    }
    canvas.addEventListener("wheel", (event) => this.wheel(event), { passive: false });
  }

  toggle(on = !this.active) {
    this.active = on;
    this.view.controls.enabled = !on;
    this.button.setAttribute("aria-pressed", String(on));
    this.held.clear();
    this.velocity.set(0, 0, 0);
    if (!on) this.view.controls.update();
    this.onChange(on);
    this.view.requestRender();
  }

  /** Keys that fly (not while typing, and not with Ctrl, Alt or Meta). */
  keyDown(event) {
    if (!this.active || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest?.("input, textarea, select, [contenteditable]")) return;
    const key = event.key.toLowerCase();
    this.fast = event.shiftKey;
    if (!(key in KEYS)) return;
    event.preventDefault();
    this.view.flight = null; // a flight to a song gives way to the listener's own
    this.held.add(key);
    this.view.requestRender();
  }

  keyUp(event) {
    this.held.delete(event.key.toLowerCase());
    this.fast = event.shiftKey;
  }

  /** The camera's look direction and how far ahead its orbit target lies. */
  look() {
    const { camera, controls } = this.view;
    const ahead = controls.target.clone().sub(camera.position);
    const distance = Math.max(ahead.length(), 0.05);
    return { direction: ahead.normalize(), distance };
  }

  /** Turn the view by (dx, dy) pixels dragged. */
  turn(dx, dy) {
    const { camera, controls } = this.view;
    const { direction, distance } = this.look();
    const spherical = new THREE.Spherical().setFromVector3(direction);
    spherical.theta -= dx * LOOK_PER_PIXEL;
    spherical.phi = THREE.MathUtils.clamp(spherical.phi + dy * LOOK_PER_PIXEL, 0.05, Math.PI - 0.05);
    const turned = new THREE.Vector3().setFromSpherical(spherical);
    controls.target.copy(camera.position).addScaledVector(turned, distance);
    this.view.flight = null;
    this.view.requestRender();
  }

  /** Move by ``offset`` (camera space: x right, y up, -z forward), map units. */
  move(offset) {
    const { camera, controls } = this.view;
    const world = offset.clone().applyQuaternion(camera.quaternion);
    camera.position.add(world);
    controls.target.add(world);
  }

  step(dt) {
    if (!this.active) return false;
    const wanted = new THREE.Vector3();
    for (const key of this.held) wanted.add(new THREE.Vector3(...KEYS[key]));
    if (wanted.lengthSq() > 0) wanted.setLength(SPEED * (this.fast ? FAST : 1));
    this.velocity.lerp(wanted, 1 - Math.exp(-dt / EASE_MS));
    if (wanted.lengthSq() === 0 && this.velocity.length() < 1e-3) {
      this.velocity.set(0, 0, 0);
      return false;
    }
    this.move(this.velocity.clone().multiplyScalar(dt / 1000));
    return true;
  }

  pointerDown(event) {
    if (!this.active) return;
    this.pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    this.pinch = null;
  }

  pointerMove(event) {
    if (!this.active || !this.pointers.has(event.pointerId)) return;
    const last = this.pointers.get(event.pointerId);
    this.pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (this.pointers.size >= 2) {
      // Two fingers: spreading them flies forward, pinching them back.
      const [a, b] = [...this.pointers.values()];
      const spread = Math.hypot(a.x - b.x, a.y - b.y);
      if (this.pinch !== null) this.move(new THREE.Vector3(0, 0, -(spread - this.pinch) * 0.004));
      this.pinch = spread;
      this.view.requestRender();
      return;
    }
    this.turn(event.clientX - last.x, event.clientY - last.y);
  }

  wheel(event) {
    if (!this.active) return;
    event.preventDefault();
    this.move(new THREE.Vector3(0, 0, event.deltaY * WHEEL_PER_PIXEL));
    this.view.requestRender();
  }
}
