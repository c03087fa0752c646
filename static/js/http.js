// The one client every page talks to the platform's API with: the session's cookie, Django's
// CSRF token on writes, JSON bodies, and the API's error envelope ({"error": {message, fields}})
// turned into an ApiError carrying the status, the fields and the server's Retry-After.

/** Django's CSRF token: the page's form field, else the cookie. */
export function csrfToken() {
  const field = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (field) return field.value;
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export class ApiError extends Error {
  /**
   * fields: a 400's messages by field name, else empty; retryAfterS: the seconds a 429 or 503
   * asked to wait (its Retry-After header), else null.
   */
  constructor(message, status, fields = {}, retryAfterS = null) {
    super(message);
    this.status = status;
    this.fields = fields;
    this.retryAfterS = retryAfterS;
  }
}

/**
 * What to tell the listener about ``error``: a 400's own messages ("“A” is in this playlist
 * already.") rather than its general "The request has invalid fields.", else its message.
 */
export function errorText(error) {
  const messages = [];
  const collect = (value) => {
    if (typeof value === "string") messages.push(value);
    else if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === "object") Object.values(value).forEach(collect);
  };
  collect(error.fields);
  return messages.length ? messages.join(" ") : error.message;
}

/** A Retry-After header (seconds, or an HTTP date) as whole seconds from ``now``, or null. */
export function retryAfterSeconds(header, now = Date.now()) {
  if (header === null || header === undefined || header === "") return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text);
  // An HTTP date names its day and month ("Wed, 21 Oct 2015 07:28:00 GMT"); Date.parse alone
  // would read "-3" as a year.
  if (!/^[A-Za-z]{3}, /.test(text)) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/** The ApiError for a response that is not ok, in the server's words when it sent JSON. */
export async function errorFrom(response) {
  let message = `The server answered ${response.status}.`;
  let fields = {};
  try {
    const body = await response.json();
    message = body?.error?.message ?? body?.detail ?? message;
    fields = body?.error?.fields ?? {};
  } catch {
    // not JSON: keep the status
  }
  const retryAfterS = retryAfterSeconds(response.headers?.get?.("Retry-After") ?? null);
  return new ApiError(message, response.status, fields, retryAfterS);
}

/**
 * fetchImpl: the fetch to use (tests hand in their own); csrf(): the token for writes.
 * send() answers the Response whatever its status; json() answers the parsed body (null for a
 * 204) and throws an ApiError for any other status that is not ok. accept: null sends no Accept
 * header (a binary download).
 */
export function createClient({
  fetchImpl = globalThis.fetch.bind(globalThis),
  csrf = csrfToken,
} = {}) {
  function send(url, { method = "GET", body, signal, keepalive, accept = "application/json" } = {}) {
    const headers = accept ? { Accept: accept } : {};
    if (method !== "GET") headers["X-CSRFToken"] = csrf();
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const init = {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      signal,
    };
    if (keepalive) init.keepalive = true;
    return fetchImpl(url, init);
  }

  async function json(url, options) {
    const response = await send(url, options);
    if (!response.ok) throw await errorFrom(response);
    if (response.status === 204) return null;
    return response.json();
  }

  return { send, json };
}
