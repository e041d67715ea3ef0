// The JSON API, as the pages use it. Every call is one page of results (offset/limit):
// nothing loads a whole store.
import { apiUrl, takeEarly } from "./boot.js";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function answer(res, path) {
  let body = null;
  try {
    body = await res.json();
  } catch (_) {
    /* not JSON */
  }
  if (!res.ok) {
    const e = body && body.error;
    throw new ApiError(res.status, e ? e.code : "http_" + res.status, e ? e.message : `${path}: HTTP ${res.status}`);
  }
  return body;
}

/// GET path?query → JSON.
export async function get(path, query) {
  const url = apiUrl(path, query);
  // The first page's request may have been started already (boot.js).
  const res = await (takeEarly(url) || fetch(url, { headers: { accept: "application/json" } }));
  return answer(res, path);
}

/// GET that answers null for a route this server does not have (yet) or a 404.
export async function getOptional(path, query) {
  try {
    return await get(path, query);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 400 || e.status === 405)) return null;
    throw e;
  }
}

/// POST /analyze with the article text → the analyzed document (not stored).
export async function analyze(text) {
  const res = await fetch("/analyze", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ text }),
  });
  return answer(res, "/analyze");
}

/// POST /analyze/feed with a feed URL → its first items, analyzed (not stored).
export async function analyzeFeed(url) {
  const res = await fetch("/analyze/feed", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ url }),
  });
  return answer(res, "/analyze/feed");
}

export const enc = encodeURIComponent;

let described = null;

/// What this server offers beyond the base API, read once from its /openapi.yaml, so that
/// the pages use routes and parameters added later without asking for ones it lacks.
export function features() {
  if (!described) {
    described = fetch("/openapi.yaml")
      .then((r) => (r.ok ? r.text() : ""))
      .catch(() => "")
      .then((y) => {
        const path = (p) => y.includes(`\n  ${p}:`);
        const search = (y.split("\n  /search:")[1] || "").split(/\n  \/[a-z]/)[0];
        return {
          entityTimeline: path("/entities/{id}/timeline"),
          // Search that can return stories: an `as` (or `group`) parameter of /search.
          searchStories: /name: (as|group)\b/.test(search) ? (/name: as\b/.test(search) ? "as" : "group") : null,
        };
      });
  }
  return described;
}
