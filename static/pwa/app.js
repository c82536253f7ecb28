/* The store app "Omnibus", one app for every comune (pwa/piattaforma.py).
 *
 * In the app (display-mode standalone, iOS home-screen app, or a session started at the app's start URL
 * /?source=app) a comune's page remembers its comune on the device: localStorage, and a cookie the server
 * reads at the start URL to open the comune's login directly. On the finder a remembered comune opens
 * directly too; "Cambia comune" (/?cambia=1) forgets it and leaves the finder on screen.
 */
(function () {
  "use strict";
  var KEY = "omnibus.comune";
  var APP = "omnibus.app";
  var COOKIE = "omnibus_app_comune";
  var YEAR = 60 * 60 * 24 * 365;
  var SLUG = /^[-A-Za-z0-9_]{1,50}$/;

  function store(kind) {
    try { return window[kind] || null; } catch (e) { return null; }  // storage may be blocked
  }
  var local = store("localStorage");
  var session = store("sessionStorage");
  var params = new URLSearchParams(window.location.search);
  if (params.get("source") === "app" && session) { session.setItem(APP, "1"); }
  var inApp = window.matchMedia("(display-mode: standalone)").matches || window.navigator.standalone === true ||
    (session !== null && session.getItem(APP) === "1");

  function cookie(value, maxAge) {
    document.cookie = COOKIE + "=" + value + "; path=/; max-age=" + maxAge + "; samesite=lax" +
      (window.location.protocol === "https:" ? "; secure" : "");
  }

  // The install help (/app/installa/) shows the steps of this phone: Safari's on iPhone and iPad, Chrome's on Android.
  var iphone = document.getElementById("installa-iphone");
  var android = document.getElementById("installa-android");
  if (iphone && android) {
    if (/iphone|ipad|ipod/i.test(navigator.userAgent) ||
        (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1)) {
      android.hidden = true;
    } else if (/android/i.test(navigator.userAgent)) {
      iphone.hidden = true;
    }
  }

  var comune = document.querySelector("meta[name=omnibus-comune]");
  if (comune) {
    if (inApp && SLUG.test(comune.content)) {
      if (local) { local.setItem(KEY, comune.content); }
      cookie(comune.content, YEAR);
    }
    return;
  }

  if (!document.getElementById("cerca-comune")) { return; }
  if (params.has("cambia")) {
    if (local) { local.removeItem(KEY); }
    cookie("", 0);
    return;
  }
  var remembered = local ? local.getItem(KEY) : null;
  var navigation = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
  // Not on "back": the family who went back from a comune's login to the finder wants the finder.
  if (inApp && remembered && SLUG.test(remembered) && !params.get("q") &&
      (!navigation || navigation.type === "navigate")) {
    window.location.replace("/login/" + remembered + "/");
  }
})();
