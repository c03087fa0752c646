import assert from "node:assert/strict";
import { test } from "node:test";

import { ApiError, createClient, errorFrom, retryAfterSeconds } from "../../static/js/http.js";

function recorder(answer) {
  const asked = [];
  const fetchImpl = async (url, init) => {
    asked.push({ url, ...init });
    return answer(url, init);
  };
  return { asked, client: createClient({ fetchImpl, csrf: () => "token" }) };
}

test("reads send no CSRF token and no body; writes send both, as JSON", async () => {
  const { asked, client } = recorder(() => new Response("{}", { status: 200 }));
  await client.json("/api/v1/songs/1/");
  await client.json("/api/v1/playlists/", { method: "POST", body: { name: "A" } });
  await client.send("/api/v1/history/", { method: "POST", body: { song: 1 }, keepalive: true });
  const [read, write, beacon] = asked;
  assert.equal(read.method, "GET");
  assert.equal(read.headers["X-CSRFToken"], undefined);
  assert.equal(read.body, undefined);
  assert.equal(read.credentials, "same-origin");
  assert.equal(write.headers["X-CSRFToken"], "token");
  assert.equal(write.headers["Content-Type"], "application/json");
  assert.equal(write.body, '{"name":"A"}');
  assert.equal(write.keepalive, undefined);
  assert.equal(beacon.keepalive, true);
});

test("a binary download sends no Accept header; send() leaves the status to the caller", async () => {
  const { asked, client } = recorder(() => new Response(null, { status: 204 }));
  const response = await client.send("/api/v1/map/points/", { accept: null });
  assert.equal(response.status, 204);
  assert.deepEqual(asked[0].headers, {});
  assert.equal(await client.json("/api/v1/favourites/1/", { method: "DELETE" }), null);
});

test("errors carry the server's message, fields, status and Retry-After", async () => {
  const { client } = recorder((url) => {
    if (url === "/busy/") {
      const body = JSON.stringify({ error: { message: "The service is busy." } });
      return new Response(body, { status: 503, headers: { "Retry-After": "7" } });
    }
    if (url === "/bad/") {
      const error = { message: "Invalid.", fields: { name: ["Too long."] } };
      return new Response(JSON.stringify({ error }), { status: 400 });
    }
    if (url === "/drf/") return new Response('{"detail": "Not found."}', { status: 404 });
    return new Response("<html>oops</html>", { status: 502 });
  });
  const refused = async (url) => {
    try {
      await client.json(url);
    } catch (error) {
      assert.ok(error instanceof ApiError);
      return error;
    }
    assert.fail(`${url} did not throw`);
  };
  const busy = await refused("/busy/");
  assert.deepEqual([busy.status, busy.message, busy.retryAfterS], [503, "The service is busy.", 7]);
  const bad = await refused("/bad/");
  assert.deepEqual([bad.status, bad.fields, bad.retryAfterS], [400, { name: ["Too long."] }, null]);
  assert.equal((await refused("/drf/")).message, "Not found.");
  assert.equal((await refused("/html/")).message, "The server answered 502.");
});

test("Retry-After is read as seconds or as a date, and nonsense as nothing", async () => {
  const now = Date.parse("2025-01-01T00:00:00Z");
  assert.equal(retryAfterSeconds("120", now), 120);
  assert.equal(retryAfterSeconds(" 5 ", now), 5);
  assert.equal(retryAfterSeconds("Wed, 01 Jan 2025 00:00:30 GMT", now), 30);
  assert.equal(retryAfterSeconds("Tue, 31 Dec 2024 00:00:00 GMT", now), 0); // in the past
  for (const nonsense of [null, undefined, "", "soon", "-3"]) {
    assert.equal(retryAfterSeconds(nonsense, now), null, String(nonsense));
  }
  const error = await errorFrom(new Response("", { status: 429, headers: { "Retry-After": "2" } }));
  assert.deepEqual([error.status, error.retryAfterS], [429, 2]);
});
