import assert from "node:assert/strict";
import { test } from "node:test";

import { searchWithSong, songFromSearch } from "../../static/js/explorer/urlstate.js";

test("the song comes from ?song=ID and nothing else", () => {
  assert.equal(songFromSearch("?song=42"), 42);
  assert.equal(songFromSearch("?x=1&song=7"), 7);
  for (const bad of ["", "?song=", "?song=0", "?song=-3", "?song=1.5", "?song=abc", "?song=01"]) {
    assert.equal(songFromSearch(bad), null, bad);
  }
});

test("setting the song keeps other parameters; null removes it", () => {
  assert.equal(searchWithSong("", 5), "?song=5");
  assert.equal(searchWithSong("?song=5&lang=en", 9), "?song=9&lang=en");
  assert.equal(searchWithSong("?song=5", null), "");
  assert.equal(searchWithSong("?song=5&lang=en", null), "?lang=en");
});
