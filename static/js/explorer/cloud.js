// The cloud of points, one per song, as one THREE.Points (a single BufferGeometry, so 100,000
// songs are one draw call): each point sized in map units, lit, fading with distance and with
// a halo (shaders.js), its look set by its state (shown, faded, hidden: visibility.js).

import * as THREE from "three";

import { POINT_FRAGMENT, POINT_VERTEX } from "./shaders.js";

// Points keep their size in map units (nearer looks bigger) within these bounds, in CSS pixels:
// visible when far, and not so big when near that they hide their neighbours.
export const MIN_POINT_PIXELS = 2;
export const MAX_POINT_PIXELS = 28;
const GLOW = 0.32; // how strong each point's halo is
// How far the halo reaches (times the point's size): the halos cost most of a frame's pixels,
// so a big map (whose points are close together, leaving little room between them) gets
// shorter ones, and none while the camera moves.
export const haloFor = (count) => 2.4 - 0.8 * Math.min(1, Math.max(0, (count - 20_000) / 80_000));

/** Point diameter in map units: about half the mean spacing of n points in the [-1, 1] cube. */
function worldSizeFor(count) {
  return Math.min(0.06, Math.max(0.012, 0.9 / Math.cbrt(Math.max(count, 1))));
}

/**
 * The points of ``positions`` (Float32Array(3n)) in ``colours`` (Uint8Array(3n) RGB) with
 * ``states`` (Uint8Array(n)); background: a THREE.Color (what far points fade into). Returns
 * {points, geometry, stateAttribute, sizeUniforms, uniforms}: sizeUniforms are the ones that
 * size the points (also in uniforms), which the view sets on a resize and its pick reads.
 */
export function createCloud({ positions, colours, states, background }) {
  const count = positions.length / 3;
  const geometry = new THREE.BufferGeometry();
  geometry.setAttribute("position", new THREE.BufferAttribute(positions, 3));
  geometry.setAttribute("aColour", new THREE.BufferAttribute(colours, 3, true));
  const stateAttribute = new THREE.BufferAttribute(states, 1);
  stateAttribute.setUsage(THREE.DynamicDrawUsage);
  geometry.setAttribute("aState", stateAttribute);
  // The map's points come in a random order (explorer.selectors.map_points_packed), so the
  // first m of them are an even sample of the map: what is drawn while the camera moves, and
  // while the rest of the map is still loading.
  const sizeUniforms = {
    uWorldSize: { value: worldSizeFor(count) },
    uScale: { value: 1 },
    uMinPixels: { value: 2 },
    uMaxPixels: { value: 24 },
    uSizeBoost: { value: 1 },
  };
  const material = new THREE.ShaderMaterial({
    uniforms: {
      ...sizeUniforms,
      uBackground: { value: background },
      uFog: { value: new THREE.Vector2(0, 10) }, // view-space depths of the fade (scene.js)
      uGlow: { value: GLOW },
      uHalo: { value: haloFor(count) },
    },
    vertexShader: POINT_VERTEX,
    fragmentShader: POINT_FRAGMENT,
    transparent: true, // the halos blend; the cores are opaque and write depth
    depthWrite: true,
  });
  const points = new THREE.Points(geometry, material);
  points.frustumCulled = false; // the cloud is always in view; skip its bounding sphere
  return { points, geometry, stateAttribute, sizeUniforms, uniforms: material.uniforms };
}
