import assert from "node:assert/strict";
import { test } from "node:test";

import {
  playlistFromSearch,
  searchWithPlaylist,
  searchWithSong,
  songFromSearch,
} from "../../static/js/explorer/urlstate.js";

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

test("the playlist comes from ?playlist=ID and keeps the song beside it", () => {
  assert.equal(playlistFromSearch("?playlist=3&song=7"), 3);
  for (const bad of ["", "?playlist=", "?playlist=0", "?playlist=x", "?song=3"]) {
    assert.equal(playlistFromSearch(bad), null, bad);
  }
  assert.equal(searchWithSong("?playlist=3", 7), "?playlist=3&song=7");
  assert.equal(searchWithPlaylist("?playlist=3&song=7", null), "?song=7");
  assert.equal(searchWithPlaylist("?song=7", 4), "?song=7&playlist=4");
  assert.equal(searchWithPlaylist(searchWithSong("?playlist=3&song=7", null), null), "");
});
