// The map's shaders: the points (sized in map units, faded or hidden by their state) and the
// rings drawn over them for the selection, the walk and the Discover panel's songs.

export const POINT_VERTEX = /* glsl */ `
uniform float uWorldSize;
uniform float uScale;
uniform float uMinPixels;
uniform float uMaxPixels;
attribute vec3 aColour;
attribute float aState;  // 0 hidden, 1 faded, 2 shown (visibility.js)
varying vec3 vColour;
varying float vFaded;
void main() {
  if (aState < 0.5) { gl_Position = vec4(2.0, 2.0, 2.0, 1.0); gl_PointSize = 0.0; return; }
  vec4 mv = modelViewMatrix * vec4(position, 1.0);
  gl_Position = projectionMatrix * mv;
  vFaded = aState < 1.5 ? 1.0 : 0.0;
  // Sized in map units, so nearer points look bigger (size attenuation), within pixel bounds.
  float size = uWorldSize * uScale / max(-mv.z, 1e-3) * (1.0 - 0.4 * vFaded);
  gl_PointSize = clamp(size, uMinPixels, uMaxPixels);
  vColour = aColour;
}`;

export const POINT_FRAGMENT = /* glsl */ `
uniform vec3 uBackground;
varying vec3 vColour;
varying float vFaded;
void main() {
  vec2 p = gl_PointCoord * 2.0 - 1.0;
  float r2 = dot(p, p);
  if (r2 > 1.0) discard;
  // Faded points sink towards the background instead of turning transparent: opaque points
  // need no sorting, and 100,000 of them could not be sorted every frame.
  vec3 colour = mix(vColour, uBackground, 0.82 * vFaded);
  colour *= mix(1.0, 0.72, smoothstep(0.6, 1.0, r2));  // a darker rim separates neighbours
  gl_FragColor = vec4(colour, 1.0);
}`;

// Rings drawn over the map for the selection (kind 0), its neighbours (1), the listening path
// (2), the song under the pointer (3), and the Discover panel's songs: found ones (4), the
// songs a result was made from (5) and the listener's own plays (6). Fixed pixel sizes (a
// played song's ring grows with its weight in the listener's taste), always on top.
export const RING_PIXELS = [26, 18, 14, 20, 16, 24];
export const LISTENING_PIXELS = [12, 26]; // the least and the most played song's ring
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
void main() {
  float r = length(gl_PointCoord * 2.0 - 1.0);
  if (r > 1.0 || r < 0.68) discard;
  vec3 colour = vKind < 0.5 ? vec3(1.0) : vKind < 1.5 ? vec3(0.37, 0.78, 0.95)
    : vKind < 2.5 ? vec3(1.0, 0.75, 0.3) : vKind < 3.5 ? vec3(0.85)
    : vKind < 4.5 ? vec3(0.45, 0.92, 0.55) : vKind < 5.5 ? vec3(1.0, 0.42, 0.82)
    : vec3(0.72, 0.56, 1.0);
  gl_FragColor = vec4(colour, 1.0);
}`;
