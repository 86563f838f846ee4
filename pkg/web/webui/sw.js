// The phone pages' service worker: pages are fetched from the network and
// a copy kept, so they open from the cache without signal; a contact
// logged while the network fails is kept in the outbox (queue.js) and
// sent by the next page that has a network.
importScripts("/app/static/queue.js");

var CACHE = "rapport-pages-v1";
var STATIC = ["/app/static/style.css", "/app/static/app.js", "/app/static/queue.js", "/app/static/scan.js"];

self.addEventListener("install", function (e) {
  e.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(STATIC); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

// key is what a response is kept under: a page by its path (the last one
// seen of it), anything else by its whole URL.
function key(req, url) {
  if (req.mode === "navigate") return url.origin + (url.pathname.replace(/\/+$/, "") || "/app");
  return req.url;
}

// kept: the pages and what they load, not the worker itself nor the
// manifest (which the browser reads for the home screen, not a page).
function kept(url) {
  var p = url.pathname;
  return p.indexOf("/app") === 0 && p.indexOf("/app/login") !== 0 && p.indexOf("/app/signup") !== 0 && p !== "/app/sw.js" &&
    p !== "/app/manifest.webmanifest";
}

var OFFLINE = "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width, initial-scale=1'>" +
  "<title>Offline · Rapport</title><link rel=stylesheet href=/app/static/style.css><main><h1>Offline</h1>" +
  "<p>This page was not opened on this phone before. <a href=/app>Log a contact</a> works offline.</p></main>";

// signedOut: the sign-in page is where signing out (or a session that
// ended) leads. The pages kept for offline are then someone else's to
// whoever holds the phone next, and go; the static files stay, and so does
// the outbox (each contact in it names its owner, and only they send it).
function signedOut(url) {
  return url.pathname.indexOf("/app/login") === 0;
}

function forgetPages() {
  return caches.open(CACHE).then(function (c) {
    return c.keys().then(function (reqs) {
      return Promise.all(reqs.filter(function (r) { return STATIC.indexOf(new URL(r.url).pathname) < 0; })
        .map(function (r) { return c.delete(r); }));
    });
  });
}

self.addEventListener("fetch", function (e) {
  var req = e.request, url = new URL(req.url);
  if (url.origin === self.location.origin && req.method === "GET" && signedOut(url)) {
    e.waitUntil(forgetPages());
    return;
  }
  if (url.origin !== self.location.origin || !kept(url)) return;
  if (req.method === "POST" && url.pathname === "/app/encounters") {
    var copy = req.clone();
    e.respondWith(fetch(req).catch(function () {
      return copy.formData().then(function (fd) {
        var item = RapportQueue.fromForm(fd);
        return RapportQueue.add(item);
      }).then(function () { return Response.redirect("/app?queued=1", 303); });
    }));
    return;
  }
  if (req.method !== "GET") return;
  e.respondWith(fetch(req).then(function (resp) {
    if (resp.redirected && signedOut(new URL(resp.url))) {
      return forgetPages().then(function () { return resp; });
    }
    if (resp.ok && !resp.redirected && resp.type === "basic") {
      var c = resp.clone();
      caches.open(CACHE).then(function (cache) { return cache.put(key(req, url), c); });
    }
    return resp;
  }).catch(function (err) {
    return caches.match(key(req, url)).then(function (hit) {
      if (hit) return hit;
      if (req.mode !== "navigate") throw err;
      return caches.match(url.origin + "/app").then(function (home) {
        return home || new Response(OFFLINE, { headers: { "Content-Type": "text/html; charset=utf-8" } });
      });
    });
  }));
});
