import assert from "node:assert/strict";
import { test } from "node:test";

import {
  formatBytes,
  formatDistance,
  formatDuration,
  genreLabel,
} from "../../static/js/explorer/format.js";

test("durations read as m:ss or h:mm:ss", () => {
  assert.equal(formatDuration(187.4), "3:07");
  assert.equal(formatDuration(5), "0:05");
  assert.equal(formatDuration(3725), "1:02:05");
  assert.equal(formatDuration(null), "");
});

test("distances, sizes and genres", () => {
  assert.equal(formatDistance(0.12345), "0.123");
  assert.equal(formatBytes(512), "512 B");
  assert.equal(formatBytes(1_200_000), "1.1 MB");
  assert.equal(genreLabel({ genre: "Rock", predicted_genre: "Pop" }), "Rock");
  assert.equal(
    genreLabel({ genre: "", predicted_genre: "Pop", predicted_genre_probability: 0.874 }),
    "Pop (predicted, 87%)",
  );
  assert.equal(genreLabel({ genre: "", predicted_genre: "" }), "");
});
