import assert from "node:assert/strict";
import { test } from "node:test";

import { AlchemyRecipe, clampWeight, MAX_PER_SIDE } from "../../static/js/explorer/recipe.js";

const song = (id, title = `Song ${id}`, artist = "") => ({ id, title, artist });

test("weights stay within what the API takes", () => {
  assert.equal(clampWeight("2.5"), 2.5);
  assert.equal(clampWeight(0), 0.1);
  assert.equal(clampWeight(-3), 0.1);
  assert.equal(clampWeight(55), 10);
  assert.equal(clampWeight(1.234), 1.23);
  assert.equal(clampWeight(""), 1);
  assert.equal(clampWeight("many"), 1);
});

test("songs go in on either side, in order, and make the API's request", () => {
  const recipe = new AlchemyRecipe();
  assert.ok(recipe.isEmpty && !recipe.canMix);
  assert.equal(recipe.put(song(1), "add"), "added");
  assert.equal(recipe.put(song(2), "subtract"), "added");
  assert.equal(recipe.put(song(3), "add"), "added");
  assert.equal(recipe.setWeight(3, "2"), 2);
  assert.equal(recipe.setWeight(99, "2"), null); // not in the recipe
  assert.ok(recipe.canMix);
  assert.deepEqual(recipe.songIds, [1, 2, 3]);
  assert.deepEqual(recipe.request({ k: 5 }), {
    add: [
      { song: 1, weight: 1 },
      { song: 3, weight: 2 },
    ],
    subtract: [{ song: 2, weight: 1 }],
    k: 5,
  });
});

test("subtracting alone cannot be mixed: there is no direction to go in", () => {
  const recipe = new AlchemyRecipe();
  recipe.put(song(1), "subtract");
  assert.ok(!recipe.isEmpty && !recipe.canMix);
});

test("a song is in the recipe once: putting it on the other side moves it", () => {
  const recipe = new AlchemyRecipe();
  recipe.put(song(1), "add");
  recipe.setWeight(1, 3);
  assert.equal(recipe.put(song(1), "add"), "already");
  assert.equal(recipe.put(song(1), "subtract"), "moved");
  assert.deepEqual(recipe.request(), { add: [], subtract: [{ song: 1, weight: 3 }], k: 20 });
  recipe.remove(1);
  assert.ok(recipe.isEmpty);
});

test("each side holds at most as many songs as the API takes", () => {
  const recipe = new AlchemyRecipe();
  for (let id = 1; id <= MAX_PER_SIDE; id += 1) assert.equal(recipe.put(song(id), "add"), "added");
  assert.equal(recipe.put(song(100), "add"), "full");
  assert.equal(recipe.put(song(101), "subtract"), "added");
  assert.equal(recipe.put(song(101), "add"), "full"); // would make the full side longer
  assert.equal(recipe.find(101).sign, "subtract");
});

test("the result's playlist is named after the recipe, within a playlist name's length", () => {
  const recipe = new AlchemyRecipe();
  recipe.put(song(1, "Aria", "Bach"), "add");
  recipe.put(song(2, "Storm"), "add");
  recipe.put(song(3, "Noise", "Band"), "subtract");
  recipe.setWeight(2, 2);
  assert.equal(recipe.name(), "Alchemy: Aria — Bach + 2 × Storm − Noise — Band");
  const long = new AlchemyRecipe();
  for (let id = 1; id <= 10; id += 1) long.put(song(id, "A very long title ".repeat(3)), "add");
  assert.equal(long.name().length, 200);
  assert.ok(long.name().endsWith("…"));
});
