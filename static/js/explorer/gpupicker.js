// Which song is under the pointer, by GPU picking: the points are drawn once more into a tiny
// offscreen square around the pointer, each in a colour that encodes its index, and the square is
// read back. This costs one draw call whatever the catalogue's size, respects what is in front
// (the depth test), matches each point's drawn size exactly, and needs no index structure to
// rebuild when the camera moves — a JavaScript scan of 100,000 points per mouse move would not
// keep up, and a spatial index would still have to mimic the shader's point sizes.

import * as THREE from "three";

import { nearestPick } from "./picking.js";

const RADIUS = 6; // drawing-buffer pixels around the pointer that still count as "on" a point

const VERTEX = /* glsl */ `
uniform float uWorldSize;
uniform float uScale;
uniform float uMinPixels;
uniform float uMaxPixels;
attribute float aState;
varying vec3 vId;
void main() {
  // Only shown points can be picked: hidden and faded ones are out of the current view.
  if (aState < 1.5) { gl_Position = vec4(2.0, 2.0, 2.0, 1.0); gl_PointSize = 0.0; return; }
  vec4 mv = modelViewMatrix * vec4(position, 1.0);
  gl_Position = projectionMatrix * mv;
  gl_PointSize = clamp(uWorldSize * uScale / max(-mv.z, 1e-3), uMinPixels, uMaxPixels);
  int id = gl_VertexID + 1;  // 0 stays "nothing here"
  vId = vec3(float(id & 255), float((id >> 8) & 255), float((id >> 16) & 255)) / 255.0;
}`;

const FRAGMENT = /* glsl */ `
varying vec3 vId;
void main() {
  vec2 p = gl_PointCoord * 2.0 - 1.0;
  if (dot(p, p) > 1.0) discard;
  gl_FragColor = vec4(vId, 1.0);
}`;

export class GpuPicker {
  /** Shares the map's geometry and size uniforms, so picked and drawn points always agree. */
  constructor(renderer, geometry, uniforms) {
    this.renderer = renderer;
    this.size = 2 * RADIUS + 1;
    this.target = new THREE.WebGLRenderTarget(this.size, this.size, {
      minFilter: THREE.NearestFilter,
      magFilter: THREE.NearestFilter,
      type: THREE.UnsignedByteType,
    });
    this.pixels = new Uint8Array(this.size * this.size * 4);
    const material = new THREE.ShaderMaterial({
      uniforms,
      vertexShader: VERTEX,
      fragmentShader: FRAGMENT,
      blending: THREE.NoBlending,
    });
    const points = new THREE.Points(geometry, material);
    points.frustumCulled = false;
    this.scene = new THREE.Scene();
    this.scene.add(points);
    this.clearColour = new THREE.Color();
  }

  /** The index of the point at drawing-buffer pixel (x, y) from the top left, or -1. */
  pick(camera, x, y) {
    const { renderer, size } = this;
    const buffer = renderer.getDrawingBufferSize(new THREE.Vector2());
    camera.setViewOffset(
      buffer.x,
      buffer.y,
      Math.round(x) - RADIUS,
      Math.round(y) - RADIUS,
      size,
      size,
    );
    const previousAlpha = renderer.getClearAlpha();
    renderer.getClearColor(this.clearColour);
    renderer.setRenderTarget(this.target);
    renderer.setClearColor(0x000000, 0);
    renderer.clear();
    renderer.render(this.scene, camera);
    renderer.setRenderTarget(null);
    renderer.setClearColor(this.clearColour, previousAlpha);
    camera.clearViewOffset();
    renderer.readRenderTargetPixels(this.target, 0, 0, size, size, this.pixels);
    return nearestPick(this.pixels, size);
  }
}
