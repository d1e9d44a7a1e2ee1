{% load static %}// The gate's service worker: the guard console and the QR self-registration page open without
// a network (a discarded tab, a restarted phone), with their scripts and the resident list they
// were last loaded with. Pages are fetched from the network first and kept; the cached copy
// is used only when the network fails. Passages themselves live in the page's localStorage.
"use strict";
var CACHE = "gongke-gate-v1";
var ASSETS = ["{% static 'community/offline.js' %}", "{% static 'community/community.css' %}",
              "{% static 'gongke/app.css' %}", "{% static 'community/icon.svg' %}"];
var PAGES = /^\/community\/(post\/\d+\/|p\/[^/]+\/)$/;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(ASSETS); }).then(function () { return self.skipWaiting(); }));
});
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("gongke-gate-") === 0 && n !== CACHE; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});
self.addEventListener("fetch", function (event) {
  var req = event.request, url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin) return;
  if (req.mode === "navigate" && PAGES.test(url.pathname)) {
    var kept = function (fallback) {
      return caches.match(url.pathname).then(function (hit) { return hit || fallback; });
    };
    event.respondWith(fetch(req).then(function (res) {
      if (res.ok && res.type === "basic" && !res.redirected) {
        var copy = res.clone();
        caches.open(CACHE).then(function (c) { c.put(url.pathname, copy); });
      }
      // A proxy's 502/503 while the server is down is no better than no network.
      return res.status >= 500 ? kept(res) : res;
    }).catch(function () { return kept(Response.error()); }));
  } else if (url.pathname.indexOf("{% get_static_prefix %}") === 0 || /manifest\.webmanifest$/.test(url.pathname)) {
    // Kept copy first (fast, offline), refreshed behind it: a new script is used from the next load.
    var fresh = fetch(req).then(function (res) {
      if (res.ok) { var copy = res.clone(); caches.open(CACHE).then(function (c) { c.put(req, copy); }); }
      return res;
    });
    event.respondWith(caches.match(req).then(function (hit) {
      if (hit) { fresh.catch(function () {}); return hit; }
      return fresh;
    }));
  }
});
