import assert from "node:assert/strict";
import { test } from "node:test";

import { favouriteLabel, playlistChoices } from "../../static/js/explorer/playlists.js";

test("the heart says what pressing it will do", () => {
  assert.equal(favouriteLabel(false), "Add to favourites");
  assert.equal(favouriteLabel(true), "Remove from favourites");
});

test("Favourites is left out of the playlists to add to (the heart is its way in)", () => {
  const results = [
    { id: 1, name: "Favourites", is_favourites: true },
    { id: 2, name: "Road trip", is_favourites: false },
    { id: 3, name: "Calm", is_favourites: false },
  ];
  assert.deepEqual(
    playlistChoices(results).map((p) => p.id),
    [2, 3],
  );
  assert.deepEqual(playlistChoices([]), []);
});
