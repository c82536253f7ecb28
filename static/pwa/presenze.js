/* Attendance that works offline (canteen operator, bus boarding).
 *
 * Every tap on a form marked data-tap is kept in IndexedDB with an id made on the device and the
 * device time, shown "da inviare", and sent in batches to the page's sync URL whenever the network
 * is there. The server records each id once and keeps, per child and day, the latest tap. */
(function () {
  "use strict";
  var box = document.querySelector("[data-offline-sync]");
  if (!box || !window.indexedDB) { return; }
  var syncUrl = box.dataset.syncUrl;
  var giorno = box.dataset.giorno;
  var status = box.querySelector("[data-coda-stato]");
  var refused = box.querySelector("[data-coda-rifiutati]");
  var refusedBox = box.querySelector("[data-coda-rifiutati-box]");
  var sending = false;

  function db() {
    return new Promise(function (resolve, reject) {
      var open = indexedDB.open("omnibus-presenze", 1);
      open.onupgradeneeded = function () {
        open.result.createObjectStore("tocchi", {keyPath: "id"}).createIndex("url", "url");
      };
      open.onsuccess = function () { resolve(open.result); };
      open.onerror = function () { reject(open.error); };
    });
  }

  function store(mode, work) {
    return db().then(function (conn) {
      return new Promise(function (resolve, reject) {
        var tx = conn.transaction("tocchi", mode);
        var result = work(tx.objectStore("tocchi"));
        tx.oncomplete = function () { resolve(result && result.result !== undefined ? result.result : result); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }

  function pending() {
    return store("readonly", function (s) { return s.index("url").getAll(syncUrl); }).then(function (taps) {
      return taps.sort(function (a, b) { return a.corpo.registrato_il < b.corpo.registrato_il ? -1 : 1; });
    });
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function rowOf(key) { return document.querySelector("form[data-tap=\"" + key + "\"]"); }

  function mark(form, waiting) {
    var badge = form.parentNode.querySelector(".js-da-inviare");
    if (waiting && !badge) {
      badge = document.createElement("span");
      badge.className = "badge bg-warning text-dark js-da-inviare";
      badge.textContent = box.dataset.etichettaDaInviare;
      form.parentNode.insertBefore(badge, form);
    } else if (!waiting && badge) {
      badge.remove();
    }
  }

  function showState(form, data) {
    // One button: a toggle (boarded or not). Several: the pressed one is the recorded value.
    var buttons = form.querySelectorAll("button[type=submit]");
    buttons.forEach(function (button) {
      var on;
      if (buttons.length === 1) {
        on = data.valore === "1";
        var input = form.querySelector("input[data-toggle]");
        if (input) { input.value = on ? "0" : "1"; }
        var label = button.querySelector("[data-label]");
        if (label) { label.textContent = on ? button.dataset.labelOn : button.dataset.labelOff; }
      } else {
        on = button.value === data.valore;
      }
      button.setAttribute("aria-pressed", on ? "true" : "false");
      (button.dataset.on || "").split(" ").forEach(function (c) { if (c) { button.classList.toggle(c, on); } });
      (button.dataset.off || "").split(" ").forEach(function (c) { if (c) { button.classList.toggle(c, !on); } });
    });
  }

  function refresh() {
    return pending().then(function (taps) {
      document.querySelectorAll("form[data-tap]").forEach(function (form) { mark(form, false); });
      taps.forEach(function (tap) {
        var form = rowOf(tap.chiave);
        if (form) { mark(form, true); showState(form, tap); }
      });
      var text = taps.length === 1 ? box.dataset.etichettaCodaUno :
        taps.length ? box.dataset.etichettaCoda.replace("%(n)s", taps.length) : box.dataset.etichettaVuota;
      if (!navigator.onLine) { text = box.dataset.etichettaOffline + " " + text; }
      status.textContent = text;
      return taps;
    });
  }

  function csrf() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function report(taps, answers) {
    var byId = {};
    taps.forEach(function (t) { byId[t.id] = t; });
    answers.forEach(function (a) {
      if (a.esito !== "rifiutato") { return; }
      var item = document.createElement("li");
      item.textContent = ((byId[a.id] && byId[a.id].nome) || a.id) + ": " + a.messaggio;
      refused.appendChild(item);
      refusedBox.hidden = false;
    });
  }

  function flush() {
    if (sending || !navigator.onLine) { return refresh(); }
    sending = true;
    return pending().then(function (taps) {
      if (!taps.length) { return null; }
      var batch = taps.slice(0, 500);
      return fetch(syncUrl, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()},
        body: JSON.stringify({tocchi: batch.map(function (t) { return t.corpo; })})
      }).then(function (response) {
        if (response.status === 401 || response.status === 403) {
          status.textContent = box.dataset.etichettaSessione;
          return null;
        }
        if (!response.ok) { return null; }
        return response.json().then(function (data) {
          report(batch, data.esiti);
          var done = data.esiti.map(function (a) { return a.id; });
          return store("readwrite", function (s) { done.forEach(function (id) { s.delete(id); }); });
        });
      }).catch(function () { return null; });  // no network: the taps wait on the device
    }).finally(function () { sending = false; return refresh(); });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-tap]")) { return; }
    // Captured before htmx and the browser: the tap goes to the device queue first.
    event.preventDefault();
    event.stopPropagation();
    var fields = new FormData(form);
    var submitter = event.submitter;
    if (submitter && submitter.name) { fields.set(submitter.name, submitter.value); }
    var corpo = {id: uuid(), giorno: giorno, registrato_il: new Date().toISOString()};
    fields.forEach(function (value, name) { if (name !== "csrfmiddlewaretoken") { corpo[name] = value; } });
    var tap = {id: corpo.id, url: syncUrl, chiave: form.dataset.tap, nome: form.dataset.nome || "",
               valore: String(corpo[form.dataset.campo]), corpo: corpo};
    showState(form, tap);
    store("readwrite", function (s) { s.put(tap); }).then(flush);
  }, true);

  window.addEventListener("online", flush);
  window.addEventListener("offline", refresh);
  window.setInterval(flush, 30000);
  flush();
})();
