import assert from "node:assert/strict";
import { test } from "node:test";

import { listeningEmphasis, matchText, termItems } from "../../static/js/explorer/discover.js";

test("a word search's match reads as a percentage, or nothing without tag words", () => {
  assert.equal(matchText(0.734), "73%");
  assert.equal(matchText(1), "100%");
  assert.equal(matchText(0), "0%");
  assert.equal(matchText(null), "");
});

test("played songs stand out in proportion to their weight; skipped ones the least", () => {
  assert.deepEqual(listeningEmphasis([2, 1, 0.5, -1]), [1, 0.5, 0.25, 0]);
  assert.deepEqual(listeningEmphasis([-1, -2]), [0, 0]);
  assert.deepEqual(listeningEmphasis([]), []);
});

test("the words are shown as understood (saying how) or not understood", () => {
  const answer = {
    understood: [
      {
        text: "calm",
        kind: "tags",
        how: "synonym",
        tags: ["Mellow", "chill", "mellow"],
        genres: [],
      },
      { text: "piano", kind: "tags", how: "exact", tags: ["piano"], genres: [] },
      { text: "rock", kind: "genre", how: "genre name", tags: [], genres: ["Rock"] },
      { text: "bach", kind: "name", how: "in song names", tags: [], genres: [] },
    ],
    not_understood: ["xyzzy"],
  };
  assert.deepEqual(termItems(answer), [
    { text: "calm", kind: "understood", title: "synonym: mellow, chill" },
    { text: "piano", kind: "understood", title: "Tag: piano" },
    { text: "rock", kind: "understood", title: "Genre: Rock" },
    { text: "bach", kind: "understood", title: "In song names" },
    { text: "xyzzy", kind: "unknown", title: "Not understood" },
  ]);
});
