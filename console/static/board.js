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
  // The board's map is not swapped (that would reset the reader's zoom):
  // a refresh, and one a minute, fetch its fragment and redraw the points.
  function liveMap(box) {
    if (box._live) return;
    box._live = true;
    function update() {
      fetch(box.getAttribute("data-live-map"), { headers: { "HX-Request": "true" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html) return;
          var fresh = new DOMParser().parseFromString(html, "text/html").querySelector(".map");
          var shown = box.querySelector(".map");
          if (fresh && shown && shown._setPoints) shown._setPoints(fresh.getAttribute("data-points"));
          if (fresh && shown && shown._setCircles) shown._setCircles(fresh.getAttribute("data-circles"));
        })
        .catch(function () { /* the next event or minute tries again */ });
    }
    box.addEventListener("board:refresh", update);
    setInterval(update, 60000);
  }
  function wireAll() {
    document.querySelectorAll("[data-refresh]").forEach(wire);
    document.querySelectorAll("[data-live-map]").forEach(liveMap);
  }
  document.addEventListener("DOMContentLoaded", wireAll);
  if (document.readyState !== "loading") wireAll();
})();
