import assert from "node:assert/strict";
import { test } from "node:test";

import {
  ApiError,
  createApi,
  errorText,
  readChunks,
  songUrl,
} from "../../static/js/explorer/api.js";

const urls = {
  points: "/api/v1/map/points/",
  song: "/api/v1/songs/{id}/",
  similar: "/api/v1/songs/{id}/similar/",
  surprise: "/api/v1/songs/{id}/surprise/",
  search: "/api/v1/songs/search/",
  audio: "/api/v1/songs/{id}/audio/",
};

function streamed(chunks, headers) {
  const body = new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(Uint8Array.from(chunk));
      controller.close();
    },
  });
  return new Response(body, { headers });
}

/** What readChunks gave: the bytes in order and [loaded, total] after each chunk. */
async function readAll(response) {
  const bytes = [];
  const seen = [];
  await readChunks(response, (chunk, loaded, total) => {
    bytes.push(...chunk);
    seen.push([loaded, total]);
  });
  return { bytes, seen };
}

test("the body is read chunk by chunk with progress against Content-Length", async () => {
  const { bytes, seen } = await readAll(
    streamed(
      [
        [1, 2, 3],
        [4, 5],
      ],
      { "Content-Length": "5" },
    ),
  );
  assert.deepEqual(bytes, [1, 2, 3, 4, 5]);
  assert.deepEqual(seen, [
    [3, 5],
    [5, 5],
  ]);
});

test("a compressed body or no length gives progress without a total", async () => {
  const compressed = await readAll(
    streamed([[1]], { "Content-Length": "40", "Content-Encoding": "gzip" }),
  );
  const unknown = await readAll(streamed([[1]], {}));
  assert.deepEqual([...compressed.seen, ...unknown.seen], [
    [1, null],
    [1, null],
  ]);
});

test("a compressed map counts against the decoded length the server names", async () => {
  const { seen } = await readAll(
    streamed([[1, 2], [3]], { "Content-Length": "2", "Content-Encoding": "gzip", "X-Map-Length": "3" }),
  );
  assert.deepEqual(seen, [
    [2, 3],
    [3, 3],
  ]);
});

test("addresses are filled in and errors carry the server's message", async () => {
  const asked = [];
  const fake = async (url) => {
    asked.push(url);
    if (url.includes("/404/")) {
      return new Response(JSON.stringify({ error: { message: "No such song." } }), {
        status: 404,
      });
    }
    if (url.startsWith(urls.points)) return new Response(null, { status: 204 });
    return new Response(JSON.stringify({ results: [] }), { status: 200 });
  };
  const api = createApi(urls, fake);
  await api.similar(3, { k: 20, maxDistance: 0.5 });
  await api.similar(3, { k: 3 });
  await api.search("a b&c");
  await api.surprise(8, { minDistance: 0.3, maxDistance: 0.8 });
  assert.deepEqual(asked, [
    "/api/v1/songs/3/similar/?k=20&max_distance=0.5",
    "/api/v1/songs/3/similar/?k=3",
    "/api/v1/songs/search/?q=a+b%26c",
    "/api/v1/songs/8/surprise/?min_distance=0.3&max_distance=0.8",
  ]);
  assert.equal(await api.points(() => {}), false);
  assert.equal(api.audioUrl(12), "/api/v1/songs/12/audio/");
  assert.equal(songUrl(urls.song, 5), "/api/v1/songs/5/");
  await assert.rejects(api.song(404), (error) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 404);
    assert.equal(error.message, "No such song.");
    return true;
  });
});

test("playlist writes send the CSRF token; their errors carry the server's message", async () => {
  const asked = [];
  const fake = async (url, init) => {
    asked.push([init.method, url, init.headers["X-CSRFToken"] ?? null, init.body ?? null]);
    if (init.method === "POST") {
      const fields = { detail: ["“A” is in this playlist already."] };
      const error = { message: "The request has invalid fields.", fields };
      return new Response(JSON.stringify({ error }), { status: 400 });
    }
    return new Response(JSON.stringify({ favourite: init.method === "PUT" }), { status: 200 });
  };
  const api = createApi(
    { ...urls, playlists: "/api/v1/playlists/", favourites: "/api/v1/favourites/" },
    fake,
    { csrf: () => "token" },
  );
  assert.deepEqual(await api.setFavourite(5, true), { favourite: true });
  assert.deepEqual(await api.setFavourite(5, false), { favourite: false });
  await api.playlist(3);
  await assert.rejects(api.addToPlaylist(3, 5), (error) => {
    assert.equal(error.status, 400);
    assert.equal(errorText(error), "“A” is in this playlist already.");
    return true;
  });
  assert.deepEqual(asked, [
    ["PUT", "/api/v1/favourites/5/", "token", null],
    ["DELETE", "/api/v1/favourites/5/", "token", null],
    ["GET", "/api/v1/playlists/3/", null, null],
    ["POST", "/api/v1/playlists/3/songs/", "token", '{"song":5}'],
  ]);
});

test("an error's text is its fields' messages when it has any", () => {
  assert.equal(errorText(new ApiError("Not found.", 404)), "Not found.");
  const fields = { song: ["Not a song."], nested: { name: ["Too long.", "Taken."] } };
  assert.equal(errorText(new ApiError("Invalid.", 400, fields)), "Not a song. Too long. Taken.");
});

test("Discover's calls: words and taste read; alchemy and new playlists write", async () => {
  const asked = [];
  const fake = async (url, init) => {
    asked.push([init.method, url, init.headers["X-CSRFToken"] ?? null, init.body ?? null]);
    if (url.startsWith("/api/v1/songs/alchemy/")) {
      const fields = { add: ["A song can be added or subtracted once, not twice."] };
      const error = { message: "The request has invalid fields.", fields };
      return new Response(JSON.stringify({ error }), { status: 400 });
    }
    return new Response(JSON.stringify({ id: 9, results: [] }), { status: 201 });
  };
  const api = createApi(
    {
      ...urls,
      playlists: "/api/v1/playlists/",
      byWords: "/api/v1/songs/by-words/",
      alchemy: "/api/v1/songs/alchemy/",
      listeningMap: "/api/v1/history/map/",
      moreLikeMyPlays: "/api/v1/history/more-like/",
      newToMe: "/api/v1/history/new-to-me/",
    },
    fake,
    { csrf: () => "token" },
  );
  await api.byWords("calm & piano");
  await api.listeningMap();
  await api.moreLikeMyPlays({ k: 5 });
  await api.newToMe();
  assert.equal((await api.createPlaylist({ name: "Mix", songs: [3, 1] })).id, 9);
  const mix = api.alchemy({ add: [{ song: 1, weight: 1 }], subtract: [], k: 20 });
  await assert.rejects(mix, (error) => {
    assert.equal(errorText(error), "A song can be added or subtracted once, not twice.");
    return true;
  });
  assert.deepEqual(asked, [
    ["GET", "/api/v1/songs/by-words/?q=calm+%26+piano&k=50", null, null],
    ["GET", "/api/v1/history/map/", null, null],
    ["GET", "/api/v1/history/more-like/?k=5", null, null],
    ["GET", "/api/v1/history/new-to-me/?k=20", null, null],
    ["POST", "/api/v1/playlists/", "token", '{"name":"Mix","songs":[3,1]}'],
    [
      "POST",
      "/api/v1/songs/alchemy/",
      "token",
      '{"add":[{"song":1,"weight":1}],"subtract":[],"k":20}',
    ],
  ]);
});
