/* The installable app: registers the comune's service worker, offers "Installa l'app" where the
 * browser fires beforeinstallprompt, and shows the iOS guide ("Aggiungi alla schermata Home"). */
(function () {
  "use strict";
  var link = document.querySelector("link[rel=manifest][data-sw]");
  if (link && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(link.dataset.sw, {scope: link.dataset.scope}).catch(function () {});
  }
  var box = document.getElementById("app-installa");
  if (!box) { return; }
  var button = document.getElementById("app-installa-bottone");
  var guide = document.getElementById("app-installa-ios");
  var standalone = window.matchMedia("(display-mode: standalone)").matches || window.navigator.standalone === true;
  if (standalone) { return; }
  var deferred = null;
  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault();
    deferred = event;
    box.hidden = false;
    button.hidden = false;
  });
  button.addEventListener("click", function () {
    if (!deferred) { return; }
    deferred.prompt();
    deferred.userChoice.finally(function () { deferred = null; box.hidden = true; });
  });
  window.addEventListener("appinstalled", function () { box.hidden = true; });
  var ios = /iphone|ipad|ipod/i.test(navigator.userAgent) ||
    (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  if (ios) {
    box.hidden = false;
    guide.hidden = false;
  }
})();
