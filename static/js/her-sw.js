// Her pages offline (issue 23 §3): a service worker scoped to her private link's path only
// (/p/<her token>/), so nothing of the trainer's pages is ever kept. Network first: what she
// sees is always fresh when there is a connection, and the last copy of each of her pages (and
// the files they use) is kept for when there is none. A link that answers 404 (revoked, expired,
// consent withdrawn) clears everything kept here and removes this worker.
"use strict";

const SCOPE = self.registration.scope;
const SCOPE_PATH = new URL(SCOPE).pathname;
const PAGES = `restride-pages:${SCOPE_PATH}`;
const OUTBOX = `restride-outbox:${SCOPE_PATH}`;
const NOT_KEPT = [".pdf", ".ics", "sw.js"];

self.addEventListener("install", () => self.skipWaiting());
// Her page and her log form are kept from the start; the files they use as they are fetched
// (and as the page lists them, below).
self.addEventListener("activate", (event) => event.waitUntil(Promise.all([
  self.clients.claim(),
  ...[SCOPE, `${SCOPE}log/`].map((url) => fetchAndKeep(new Request(url)).catch(() => null)),
])));

function key(url) {
  const parsed = new URL(url);
  return parsed.origin + parsed.pathname;  // her page after logging (?logged=3) is still her page
}

function keepable(url) {
  const path = new URL(url).pathname;
  return (path.startsWith(SCOPE_PATH) || path.startsWith("/static/")) && !NOT_KEPT.some((end) => path.endsWith(end));
}

let forgotten = false;  // her link is gone: keep nothing more, even for the page still open

async function forget() {
  forgotten = true;
  await caches.delete(PAGES);
  await caches.delete(OUTBOX);
  await self.registration.unregister();
}

async function fetchAndKeep(request) {
  const response = await fetch(request);
  if (response.status === 404 && new URL(request.url).pathname.startsWith(SCOPE_PATH)) {
    await forget();
  } else if (response.ok && keepable(request.url) && !forgotten) {
    const cache = await caches.open(PAGES);
    await cache.put(key(request.url), response.clone());
  }
  return response;
}

// The page asks for what it has just shown to be kept (it opened before this worker was in charge).
self.addEventListener("message", (event) => {
  const urls = (event.data && event.data.keep) || [];
  event.waitUntil(Promise.all(urls.filter(keepable).map((url) => fetchAndKeep(new Request(url)).catch(() => null))));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin || !keepable(request.url)) return;
  event.respondWith(fetchAndKeep(request).catch(async (error) => {
    const kept = await (await caches.open(PAGES)).match(key(request.url));
    if (kept) return kept;
    throw error;
  }));
});
