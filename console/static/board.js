// Dispatcher board: live refreshes. The hidden [data-refresh] listeners
// receive the event stream's events (htmx SSE extension); each burst of
// events becomes one "board:refresh" of the section they name, at most
// one every two seconds, and always one after the last event, so that
// the screen never stays behind what happened.
(function () {
  "use strict";
  var SETTLE = 300, PERIOD = 2000;

  function wire(listener) {
    if (listener._wired) return;
    var target = document.querySelector(listener.getAttribute("data-refresh"));
    if (!target || !window.htmx) return;
    listener._wired = true;
    var timer = null, last = 0;
    function schedule() {
      if (timer) return;
      var wait = Math.max(SETTLE, last + PERIOD - Date.now());
      timer = setTimeout(function () {
        timer = null;
        last = Date.now();
        htmx.trigger(target, "board:refresh");
      }, wait);
    }
    (listener.getAttribute("hx-trigger") || "").split(",").forEach(function (name) {
      name = name.trim();
      if (name) listener.addEventListener(name, schedule);
    });
  }
  function wireAll() { document.querySelectorAll("[data-refresh]").forEach(wire); }
  document.addEventListener("DOMContentLoaded", wireAll);
  if (document.readyState !== "loading") wireAll();
})();
