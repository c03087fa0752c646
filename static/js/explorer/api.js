// The explorer's calls to the REST API. Addresses come from the page (the Django view reverses
// them), with "{id}" standing for a song's id.

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

export function songUrl(template, id) {
  return template.replace("{id}", encodeURIComponent(String(id)));
}

/**
 * The body of ``response`` as an ArrayBuffer, calling ``onProgress(loaded, total)`` as chunks
 * arrive (total is null when the server sent no usable Content-Length: compressed bodies are
 * counted after decompression, so their Content-Length would not match).
 */
export async function readWithProgress(response, onProgress) {
  const encoded = response.headers.get("Content-Encoding");
  const length = Number(response.headers.get("Content-Length"));
  const total = !encoded && length > 0 ? length : null;
  if (!response.body) {
    const buffer = await response.arrayBuffer();
    onProgress(buffer.byteLength, total);
    return buffer;
  }
  const reader = response.body.getReader();
  const chunks = [];
  let loaded = 0;
  onProgress(0, total);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    onProgress(loaded, total);
  }
  const out = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out.buffer;
}

export function createApi(urls, fetchImpl = globalThis.fetch.bind(globalThis)) {
  async function json(url, signal) {
    const response = await fetchImpl(url, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal,
    });
    if (!response.ok) {
      let message = `The server answered ${response.status}.`;
      try {
        const body = await response.json();
        message = body?.error?.message ?? body?.detail ?? message;
      } catch {
        // not JSON: keep the status
      }
      throw new ApiError(message, response.status);
    }
    return response.json();
  }

  return {
    /** The binary map (ArrayBuffer), or null when there is no map yet (204). */
    async points(onProgress) {
      const response = await fetchImpl(urls.points, { credentials: "same-origin" });
      if (response.status === 204) return null;
      if (!response.ok)
        throw new ApiError(`The map could not be loaded (${response.status}).`, response.status);
      return readWithProgress(response, onProgress);
    },
    song(id, signal) {
      return json(songUrl(urls.song, id), signal);
    },
    similar(id, { k, maxDistance = null }, signal) {
      const params = new URLSearchParams({ k: String(k) });
      if (maxDistance !== null) params.set("max_distance", String(maxDistance));
      return json(`${songUrl(urls.similar, id)}?${params}`, signal);
    },
    surprise(id, { minDistance, maxDistance }) {
      const params = new URLSearchParams({
        min_distance: String(minDistance),
        max_distance: String(maxDistance),
      });
      return json(`${songUrl(urls.surprise, id)}?${params}`);
    },
    search(query, signal) {
      return json(`${urls.search}?${new URLSearchParams({ q: query })}`, signal);
    },
    audioUrl(id) {
      return songUrl(urls.audio, id);
    },
  };
}
