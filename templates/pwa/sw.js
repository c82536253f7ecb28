{% load static django_bootstrap_italia %}/* Service worker of the Omnibus app of one comune (scope {{ scope }}).
 *
 * Static files and the offline page are cached; pages always come from the network, so a family's
 * data are never kept on the device nor shown stale. Without network a page falls back to the
 * offline page.
 */
"use strict";
var CACHE = "omnibus-{{ scope|slugify }}-v1";
var OFFLINE_URL = "{{ offline_url }}";
var STATIC_PREFIX = "{% get_static_prefix %}";
var PRECACHE = [
  OFFLINE_URL,
  "{% django_bootstrap_italia_static_path 'css/bootstrap-italia.min.css' %}",
  "{% django_bootstrap_italia_static_path 'js/bootstrap-italia.bundle.min.js' %}",
  "{% static 'svg/sprites.svg' %}",
  "{% static 'django_htmx/htmx-2.min.js' %}",
  "{% static 'css/omnibus.css' %}",
  "{% static 'js/omnibus.js' %}",
  "{% static 'pwa/app.js' %}",
  "{% static 'pwa/pwa.js' %}",
  "{% static 'pwa/presenze.js' %}",
  "{% static 'pwa/push.js' %}"
];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(PRECACHE.map(function (url) { return new Request(url, {credentials: "omit"}); }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("omnibus-{{ scope|slugify }}-") === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    // Network only for pages (never cached); the offline page when the network is gone.
    event.respondWith(fetch(request).catch(function () { return caches.match(OFFLINE_URL); }));
    return;
  }
  if (url.pathname.indexOf(STATIC_PREFIX) === 0) {
    event.respondWith(caches.open(CACHE).then(function (cache) {
      return cache.match(request).then(function (hit) {
        var fresh = fetch(request).then(function (response) {
          if (response.ok) { cache.put(request, response.clone()); }
          return response;
        });
        return hit || fresh;
      });
    }));
  }
});

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  event.waitUntil(self.registration.showNotification(data.titolo || "Omnibus", {
    body: data.testo || "", tag: data.tag, data: {url: data.url || "{{ scope }}"},
    icon: "{{ scope }}app/icona-192.png", lang: "it"
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || "{{ scope }}";
  event.waitUntil(self.clients.openWindow(url));
});
