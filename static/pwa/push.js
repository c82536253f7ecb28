/* "Attiva le notifiche su questo dispositivo": subscribes this browser with the server's VAPID key
 * and records the subscription for the family. */
(function () {
  "use strict";
  var box = document.getElementById("push-attiva");
  if (!box) { return; }
  var button = document.getElementById("push-attiva-bottone");
  var status = document.getElementById("push-stato");
  // iOS and iPadOS deliver Web Push only to the home-screen app, from 16.4 on: in Safari, say how to get there.
  var ios = /iphone|ipad|ipod/i.test(navigator.userAgent) ||
    (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  if (ios) {
    var version = /OS (\d+)_(\d+)/.exec(navigator.userAgent);
    var old = version !== null && (Number(version[1]) < 16 || (Number(version[1]) === 16 && Number(version[2]) < 4));
    var standalone = window.navigator.standalone === true || window.matchMedia("(display-mode: standalone)").matches;
    if (!standalone || old || !("PushManager" in window)) {
      document.getElementById("push-ios").hidden = false;
      document.getElementById("push-ios-versione").hidden = !old;
      return;
    }
  }
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    status.textContent = status.dataset.nonSupportato;
    return;
  }
  button.hidden = false;

  function key(value) {
    var padded = (value + "===".slice((value.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out;
  }

  function csrf() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  button.addEventListener("click", function () {
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { throw new Error("denied"); }
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      return registration.pushManager.subscribe({userVisibleOnly: true, applicationServerKey: key(box.dataset.vapidKey)});
    }).then(function (subscription) {
      var body = subscription.toJSON();
      body.nome = (navigator.userAgentData && navigator.userAgentData.platform) || navigator.platform || "";
      return fetch(box.dataset.url, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()}, body: JSON.stringify(body)
      });
    }).then(function (response) {
      if (!response.ok) { throw new Error("server"); }
      window.location.reload();
    }).catch(function (error) {
      status.textContent = error && error.message === "denied" ? status.dataset.negato : status.dataset.errore;
    });
  });
})();
