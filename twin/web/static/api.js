// api.js — the twin's HTTP API as the page uses it: JSON to the same
// origin, with the bearer token (when the server asks for one) in the
// Authorization header, and for the WebSocket in the Sec-WebSocket-Protocol
// header. The token lives in this module's memory only: never in a URL,
// in storage or in a log.

/** An error the API answered, in its JSON shape {"error": {status, code, message}}. */
export class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

let token = "";
let askToken = null;
let asking = null;

/** setToken replaces the token (an empty string: none). */
export function setToken(t) { token = t; }

/** hasToken reports whether the page holds a token. */
export function hasToken() { return token !== ""; }

/**
 * onTokenNeeded sets the function called when the API answers 401: it gets
 * the refused error and whether a token was sent, and resolves to a new
 * token, or null to give up.
 */
export function onTokenNeeded(fn) { askToken = fn; }

// One prompt at a time, however many requests were refused.
function promptToken(err, sent) {
  if (!asking) {
    asking = Promise.resolve(askToken(err, sent)).finally(() => { asking = null; });
  }
  return asking;
}

/**
 * api sends one request and resolves to the decoded JSON answer. A body is
 * sent as application/json (the server refuses anything else). On 401 it
 * asks for a token and tries again.
 */
export async function api(method, path, body) {
  for (let attempt = 0; ; attempt++) {
    const headers = { "Accept": "application/json" };
    const sentToken = token;
    if (sentToken) headers["Authorization"] = "Bearer " + sentToken;
    const init = { method, headers, cache: "no-store", credentials: "omit", redirect: "error", referrerPolicy: "no-referrer" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const res = await fetch(path, init);
    let data = null;
    try { data = await res.json(); } catch (_) { data = null; }
    if (res.ok) return data;
    const e = (data && data.error) || { status: res.status, code: "http_" + res.status, message: res.statusText || "request failed" };
    const err = new ApiError(res.status, e.code, e.message, res.headers.get("Retry-After"));
    if (res.status === 401 && askToken && attempt < 20) {
      if (token !== sentToken) continue; // another request got a new token meanwhile
      const t = await promptToken(err, sentToken !== "");
      if (t === null || t === undefined) throw err;
      token = t;
      continue;
    }
    throw err;
  }
}

/** streamProtocols returns the WebSocket subprotocols to offer: the stream's, and the token beside it. */
export function streamProtocols() {
  const p = ["citytwin.v1"];
  if (token) p.push("citytwin.bearer." + base64url(token));
  return p;
}

function base64url(s) {
  const bytes = new TextEncoder().encode(s);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
