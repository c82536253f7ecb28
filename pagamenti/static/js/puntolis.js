/* PuntoLIS: a tap on the QR code shows it full screen (Fullscreen API, CSS fallback on iOS). */
(function () {
  "use strict";
  var qr = document.getElementById("puntolis-qr");
  if (!qr) { return; }
  qr.addEventListener("click", function () {
    if (document.fullscreenElement) { document.exitFullscreen(); return; }
    if (qr.classList.contains("puntolis-qr-full")) { qr.classList.remove("puntolis-qr-full"); return; }
    if (qr.requestFullscreen) {
      qr.requestFullscreen().catch(function () { qr.classList.add("puntolis-qr-full"); });
    } else {
      qr.classList.add("puntolis-qr-full");
    }
  });
})();
