// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Quick exit: leave at once and keep this page out of the back button's history.
  function quickExit(event) {
    var link = document.querySelector("[data-quick-exit]");
    if (!link) return;
    if (event) event.preventDefault();
    document.body.style.display = "none";
    window.location.replace(link.href);
  }
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-quick-exit]")) quickExit(event);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && document.querySelector("[data-quick-exit]")) quickExit(event);
  });
  // Countdowns: <time data-countdown datetime="ISO"> shows the time left, in the page's language.
  function tick() {
    var nodes = document.querySelectorAll("time[data-countdown]");
    var lang = document.documentElement.lang || "nb";
    var rtf = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(lang, { numeric: "auto" }) : null;
    nodes.forEach(function (node) {
      var left = (new Date(node.getAttribute("datetime")) - new Date()) / 60000;
      if (!rtf || isNaN(left)) return;
      var text = Math.abs(left) >= 120 ? rtf.format(Math.round(left / 60), "hour") : rtf.format(Math.round(left), "minute");
      var live = node.querySelector("[data-countdown-text]");
      if (live) live.textContent = text;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    tick();
    window.setInterval(tick, 30000);
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  });
})();
