/* Behaviour shared by every page; no inline scripts so that a strict CSP can apply. */
(function () {
  "use strict";
  if (window.bootstrap && bootstrap.loadFonts) {
    bootstrap.loadFonts("/static/fonts");
  }
  document.querySelectorAll(".js-autosubmit").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  // htmx reads the CSRF token from the cookie for the few POSTs it makes.
  document.body.addEventListener("htmx:configRequest", function (event) {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    if (match) { event.detail.headers["X-CSRFToken"] = decodeURIComponent(match[1]); }
  });
})();
