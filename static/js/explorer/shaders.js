// The map's shaders: the points (sized in map units, lit like small spheres, fading into the
// background with distance, each with a soft halo), and what is drawn over them for the
// selection, the walk, the Discover panel's songs and the listener's layers (rings and glows).

// Each point's sprite is uHalo times its core: the core is the song, the rest its glow.

export const POINT_VERTEX = /* glsl */ `
uniform float uWorldSize;
uniform float uScale;
uniform float uMinPixels;
uniform float uMaxPixels;
uniform float uSizeBoost;   // > 1 while fewer points are drawn (the camera moving)
uniform vec2 uFog;          // view-space depths where the fade starts and ends
uniform float uHalo;
attribute vec3 aColour;
attribute float aState;  // 0 hidden, 1 faded, 2 shown (visibility.js)
varying vec3 vColour;
varying float vFaded;
varying float vFog;
void main() {
  if (aState < 0.5) { gl_Position = vec4(2.0, 2.0, 2.0, 1.0); gl_PointSize = 0.0; return; }
  vec4 mv = modelViewMatrix * vec4(position, 1.0);
  gl_Position = projectionMatrix * mv;
  vFaded = aState < 1.5 ? 1.0 : 0.0;
  // Sized in map units, so nearer points look bigger (size attenuation), within pixel bounds.
  float size = uWorldSize * uSizeBoost * uScale / max(-mv.z, 1e-3) * (1.0 - 0.4 * vFaded);
  gl_PointSize = clamp(size, uMinPixels, uMaxPixels) * uHalo;
  vFog = smoothstep(uFog.x, uFog.y, -mv.z);
  vColour = aColour;
}`;

export const POINT_FRAGMENT = /* glsl */ `
uniform vec3 uBackground;
uniform float uGlow;
uniform float uHalo;
varying vec3 vColour;
varying float vFaded;
varying float vFog;
void main() {
  vec2 p = (gl_PointCoord * 2.0 - 1.0) * uHalo;  // 1 at the core's edge
  float r2 = dot(p, p);
  // Far points sink towards the background (depth you can see); faded ones further still.
  // Opaque cores need no sorting, and 100,000 of them could not be sorted every frame.
  vec3 base = mix(vColour, uBackground, max(0.82 * vFaded, 0.62 * vFog));
  if (r2 <= 1.0) {
    // A small lit sphere: brighter towards the upper left, a darker rim between neighbours.
    float light = 0.78 + 0.32 * (1.0 - length(p - vec2(-0.35, 0.35)) / 1.35);
    vec3 colour = base * light * mix(1.0, 0.7, smoothstep(0.55, 1.0, r2));
    gl_FragColor = vec4(colour, 1.0);
    gl_FragDepth = gl_FragCoord.z;
    return;
  }
  // The halo: faint, and drawn at the far plane, so that it shows only between the cores
  // (never over one) and many halos together keep their colour instead of adding up to white.
  if (uHalo < 1.01) discard;
  float halo = 1.0 - smoothstep(1.0, uHalo, sqrt(r2));
  float alpha = uGlow * (1.0 - vFaded) * (1.0 - 0.7 * vFog) * halo * halo;
  if (alpha < 0.01) discard;
  gl_FragColor = vec4(base, alpha);
  gl_FragDepth = 1.0;
}`;

// Rings drawn over the map for the selection (kind 0), its neighbours (1), the listening path
// (2), the song under the pointer (3), and the Discover panel's songs: found ones (4), the
// songs a result was made from (5) and the listener's own plays (6). Fixed pixel sizes (a
// played song's ring grows with its weight in the listener's taste), always on top.
export const RING_PIXELS = [26, 18, 14, 20, 16, 24];
export const LISTENING_PIXELS = [12, 26]; // the least and the most played song's ring
export const RING_COLOURS = [
  [1.0, 1.0, 1.0],
  [0.37, 0.78, 0.95],
  [1.0, 0.75, 0.3],
  [0.85, 0.85, 0.85],
  [0.45, 0.92, 0.55],
  [1.0, 0.42, 0.82],
  [0.72, 0.56, 1.0],
];

const glslColours = (colours) =>
  colours
    .map((c, i) => `if (k == ${i}) return vec3(${c.map((v) => v.toFixed(3)).join(", ")});`)
    .join("\n  ");

export const RING_VERTEX = /* glsl */ `
uniform float uPixelRatio;
attribute float aKind;
attribute float aSize;
varying float vKind;
void main() {
  gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
  gl_PointSize = aSize * uPixelRatio;
  vKind = aKind;
}`;

export const RING_FRAGMENT = /* glsl */ `
varying float vKind;
vec3 ringColour(int k) {
  ${glslColours(RING_COLOURS)}
  return vec3(1.0);
}
void main() {
  float r = length(gl_PointCoord * 2.0 - 1.0);
  if (r > 1.0 || r < 0.68) discard;
  gl_FragColor = vec4(ringColour(int(vKind + 0.5)), 1.0);
}`;

// Glows: soft light around the songs that matter now (the selection and its neighbours, and
// the listener's layers), added to what is behind them. Sized in pixels, with a bright core,
// so that a glowing song stands out in size as well as in light.
export const GLOW_VERTEX = /* glsl */ `
uniform float uPixelRatio;
attribute vec3 aGlowColour;
attribute float aSize;
varying vec3 vGlowColour;
void main() {
  gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
  gl_PointSize = aSize * uPixelRatio;
  vGlowColour = aGlowColour;
}`;

export const GLOW_FRAGMENT = /* glsl */ `
varying vec3 vGlowColour;
void main() {
  float r = length(gl_PointCoord * 2.0 - 1.0);
  if (r > 1.0) discard;
  float core = 1.0 - smoothstep(0.12, 0.2, r);
  float glow = pow(1.0 - r, 2.2) * 0.85;
  gl_FragColor = vec4(vGlowColour * max(core, glow), 1.0);
}`;
