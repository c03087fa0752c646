// The listener's history from the explorer's player: when a song stops (it ended, another one
// started, or the page goes away) one play is sent to the REST API with the seconds actually
// heard: the time the audio played, not the position it reached, so seeking adds nothing.
// Whether that was a skip is left to the server's one rule for every player (ml.taste).
// Everything here listens to the <audio> element; the explorer itself is not touched.

import { createClient } from "../http.js";

// Less than this was no listen at all (a song opened while looking around the map).
const MIN_SECONDS = 1;
// Between two timeupdate events more than this is a jump (a seek), not listening.
const MAX_STEP_S = 2;

/** The id in ``src`` when it is a song's audio address ("/api/v1/songs/{id}/audio/"), or null. */
export function songIdFrom(src, audioTemplate) {
  if (!src) return null;
  const [before, after] = audioTemplate.split("{id}");
  const path = new URL(src, globalThis.location?.href ?? "http://localhost/").pathname;
  if (!path.startsWith(before) || !path.endsWith(after)) return null;
  const id = path.slice(before.length, path.length - after.length);
  return /^\d+$/.test(id) ? Number(id) : null;
}

/**
 * Record what ``player`` (an <audio>) plays. url: the history's address (POST); audioTemplate:
 * the songs' audio address with "{id}". win and doc: where "pagehide" and "visibilitychange"
 * come from (the page's window and document). Returns a function that ends the play now.
 */
export function recordPlays(
  player,
  {
    url,
    audioTemplate,
    fetchImpl = globalThis.fetch.bind(globalThis),
    csrf,
    win = globalThis.window,
    doc = globalThis.document,
  },
) {
  const client = createClient({ fetchImpl, csrf });
  let current = null; // {song, heard, at}: the song playing and the seconds heard so far

  function begin() {
    const song = songIdFrom(player.currentSrc || player.src, audioTemplate);
    current = song === null ? null : { song, heard: 0, at: player.currentTime };
  }

  function finish() {
    const done = current;
    current = null;
    if (!done || done.heard < MIN_SECONDS) return;
    // keepalive: the request outlives a page that is closing (it carries the CSRF header,
    // which sendBeacon cannot).
    client
      .send(url, {
        method: "POST",
        keepalive: true,
        body: { song: done.song, seconds_heard: Math.round(done.heard * 10) / 10 },
      })
      .catch(() => {}); // a lost play is not worth bothering the listener with
  }

  function listen() {
    if (!current || player.seeking) return;
    const step = player.currentTime - current.at;
    if (step > 0 && step <= MAX_STEP_S) current.heard += step;
    current.at = player.currentTime;
  }

  // A new source (another song, or the same one again) ends the play before it.
  player.addEventListener("loadstart", () => {
    finish();
    begin();
  });
  player.addEventListener("timeupdate", listen);
  player.addEventListener("seeked", () => {
    if (current) current.at = player.currentTime;
  });
  player.addEventListener("playing", () => {
    if (!current) begin(); // played again after the page had sent the play (see below)
    else current.at = player.currentTime;
  });
  const end = () => {
    listen();
    finish();
  };
  player.addEventListener("ended", end);
  // Leaving the page ends the play; so does hiding it while paused (a phone may never come
  // back to it). Hidden while playing, the music goes on and so does the play.
  win.addEventListener("pagehide", end);
  doc.addEventListener("visibilitychange", () => {
    if (doc.visibilityState === "hidden" && player.paused) finish();
  });
  return end;
}
