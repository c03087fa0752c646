import assert from "node:assert/strict";
import { test } from "node:test";

import { recordPlays, songIdFrom } from "../../static/js/explorer/history.js";

const AUDIO = "/api/v1/songs/{id}/audio/";

/** An <audio> stand-in: events are dispatched by the test, as the browser would. */
class FakePlayer extends EventTarget {
  src = "";
  currentSrc = "";
  currentTime = 0;
  paused = true;
  seeking = false;

  load(id) {
    this.currentSrc = this.src = `http://nn.test/api/v1/songs/${id}/audio/`;
    this.currentTime = 0;
    this.emit("loadstart");
  }

  emit(name) {
    this.dispatchEvent(new Event(name));
  }

  /** Play ``seconds`` in steps of 0.25 s, a timeupdate after each. */
  advance(seconds) {
    this.paused = false;
    for (let t = 0; t < seconds; t += 0.25) {
      this.currentTime += 0.25;
      this.emit("timeupdate");
    }
  }
}

function setUp() {
  const player = new FakePlayer();
  const sent = [];
  const win = new EventTarget();
  const doc = new EventTarget();
  doc.visibilityState = "visible";
  const fetchImpl = (url, init) => {
    sent.push({ url, init, body: JSON.parse(init.body) });
    return Promise.resolve(new Response(null, { status: 201 }));
  };
  recordPlays(player, {
    url: "/api/v1/history/",
    audioTemplate: AUDIO,
    fetchImpl,
    csrf: () => "token",
    win,
    doc,
  });
  return { player, sent, win, doc };
}

test("a song id is read from its audio address only", () => {
  assert.equal(songIdFrom("http://nn.test/api/v1/songs/42/audio/", AUDIO), 42);
  assert.equal(songIdFrom("/api/v1/songs/7/audio/", AUDIO), 7);
  assert.equal(songIdFrom("http://nn.test/api/v1/songs/x/audio/", AUDIO), null);
  assert.equal(songIdFrom("http://nn.test/media/a.wav", AUDIO), null);
  assert.equal(songIdFrom("", AUDIO), null);
});

test("another song starting sends the play before it, with the seconds heard", () => {
  const { player, sent } = setUp();
  player.load(3);
  player.emit("playing");
  player.advance(12);
  player.load(4);
  assert.equal(sent.length, 1);
  const [{ url, init, body }] = sent;
  assert.equal(url, "/api/v1/history/");
  assert.equal(init.method, "POST");
  assert.equal(init.keepalive, true);
  assert.equal(init.headers["X-CSRFToken"], "token");
  assert.deepEqual(body, { song: 3, seconds_heard: 12 });
});

test("seeking adds nothing: the seconds are those played, not the position", () => {
  const { player, sent } = setUp();
  player.load(5);
  player.advance(4);
  player.seeking = true;
  player.emit("seeking");
  player.currentTime = 150;
  player.emit("timeupdate");
  player.seeking = false;
  player.emit("seeked");
  player.advance(3);
  player.emit("ended");
  assert.deepEqual(
    sent.map((s) => s.body),
    [{ song: 5, seconds_heard: 7 }],
  );
});

test("a song barely started is not sent; leaving the page sends the one playing", () => {
  const { player, sent, win } = setUp();
  player.load(1);
  player.advance(0.5);
  player.load(2);
  assert.equal(sent.length, 0);
  player.advance(20);
  win.dispatchEvent(new Event("pagehide"));
  assert.deepEqual(
    sent.map((s) => s.body),
    [{ song: 2, seconds_heard: 20 }],
  );
  win.dispatchEvent(new Event("pagehide"));
  assert.equal(sent.length, 1); // once
});

test("hidden while paused ends the play; playing again starts a new one", () => {
  const { player, sent, doc } = setUp();
  player.load(8);
  player.advance(10);
  doc.visibilityState = "hidden";
  player.paused = false;
  doc.dispatchEvent(new Event("visibilitychange"));
  assert.equal(sent.length, 0); // still playing in the background
  player.paused = true;
  doc.dispatchEvent(new Event("visibilitychange"));
  assert.equal(sent.length, 1);
  player.emit("playing");
  player.advance(5);
  player.emit("ended");
  assert.deepEqual(
    sent.map((s) => s.body),
    [
      { song: 8, seconds_heard: 10 },
      { song: 8, seconds_heard: 5 },
    ],
  );
});

test("a failed request is swallowed", async () => {
  const player = new FakePlayer();
  const fetchImpl = () => Promise.reject(new TypeError("offline"));
  recordPlays(player, {
    url: "/h/",
    audioTemplate: AUDIO,
    fetchImpl,
    csrf: () => "",
    win: new EventTarget(),
    doc: new EventTarget(),
  });
  player.load(1);
  player.advance(3);
  player.emit("ended");
  await new Promise((resolve) => setTimeout(resolve, 0)); // an unhandled rejection would fail
});
