// Yaqaza console: what the pages need beyond htmx — maps, countdowns,
// and keeping the page's forms honest. No inline scripts: the page's
// data comes in data- attributes.
(function () {
  "use strict";

  // Countdowns: every [data-due] shows the time left (or late) and turns
  // red when the deadline has passed.
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) return;
      var s = Math.round((due - now) / 1000), late = s < 0;
      if (late) s = -s;
      var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
      var txt = (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(sec).padStart(2, "0");
      el.textContent = (late ? "−" : "") + txt;
      el.classList.toggle("late", late);
      var row = el.closest("tr");
      if (row) row.classList.toggle("is-late", late);
    });
  }
  setInterval(tick, 1000);
  document.addEventListener("htmx:afterSettle", tick);
  tick();

  // Maps: zones from the pack, incidents and units from data attributes.
  // No tile server: the console works with no internet connection.
  function drawMap(el) {
    if (!window.L || el._drawn) return;
    el._drawn = true;
    var map = L.map(el, { attributionControl: true, zoomControl: true });
    map.attributionControl.setPrefix(false);
    var points = L.layerGroup().addTo(map), directives = L.layerGroup();
    el._map = map;
    // setPoints redraws the incidents and units alone: a live map keeps
    // the zoom and place its reader chose.
    el._setPoints = function (pts) {
      points.clearLayers();
      var list = pts ? JSON.parse(pts) : [];
      list.forEach(function (p) {
        var m = L.circleMarker([p.lat, p.lon], { radius: p.kind === "unit" ? 6 : 8, color: p.kind === "unit" ? "#1f4e8c" : "#a1001a", weight: 2, fillOpacity: 0.7 });
        if (p.label) m.bindTooltip(p.label);
        if (p.href) m.on("click", function () { window.location = p.href; });
        m.addTo(points);
      });
      el.setAttribute("data-shown", String(list.length));
    };
    el._setPoints(el.getAttribute("data-points"));
    // setCircles redraws the field plan's directives; it waits for the
    // map's view, which a circle needs.
    el._setCircles = function (json) {
      el._circles = json;
      if (!el._viewSet) return;
      directives.clearLayers();
      var list = json ? JSON.parse(json) : [];
      list.forEach(function (c) {
        L.circle(c.center, { radius: c.radius_m, color: "#1f4e8c", weight: 2, dashArray: "6 4", fillOpacity: 0.08, className: "directive" })
          .bindTooltip(c.label).addTo(directives);
      });
      el.setAttribute("data-circles-shown", String(list.length));
    };
    fetch(el.getAttribute("data-zones") || "/api/v1/zones").then(function (r) { return r.json(); }).then(function (fc) {
      var layer = L.geoJSON(fc, { style: { color: "#0b3d2e", weight: 2, fillOpacity: 0.06, className: "zone" } }).addTo(map);
      map.fitBounds(layer.getBounds());
      if (fc.attribution) map.attributionControl.addAttribution(fc.attribution);
      el._viewSet = true;
      directives.addTo(map);
      drawAreas(el, map);
    });
    if (el.getAttribute("data-pick") === "true") {
      var marker = null, lat = document.getElementById("f-lat"), lon = document.getElementById("f-lon");
      if (lat && lat.value && lon.value) marker = L.marker([+lat.value, +lon.value]).addTo(map);
      map.on("click", function (e) {
        if (marker) marker.setLatLng(e.latlng); else marker = L.marker(e.latlng).addTo(map);
        lat.value = e.latlng.lat.toFixed(6);
        lon.value = e.latlng.lng.toFixed(6);
      });
    }
  }
  // drawAreas adds what a map shows as areas, once it has a view (a
  // circle needs one): hotspot cells, squares shaded by their count, and
  // the field plan's directives, dashed circles where units should be seen
  // (the latest the board's live refresh gave, if it came first).
  function drawAreas(el, map) {
    var cells = JSON.parse(el.getAttribute("data-cells") || "[]"), most = 1;
    cells.forEach(function (c) { most = Math.max(most, c.count); });
    cells.forEach(function (c) {
      L.rectangle([c.sw, c.ne], { color: "#a1001a", weight: 1, fillOpacity: 0.2 + 0.6 * c.count / most, className: "hotspot" })
        .bindTooltip(c.label).addTo(map);
    });
    el.setAttribute("data-cells-shown", String(cells.length));
    el._setCircles(el._circles !== undefined ? el._circles : el.getAttribute("data-circles"));
  }
  function drawMaps() { document.querySelectorAll(".map").forEach(drawMap); }
  document.addEventListener("DOMContentLoaded", drawMaps);
  document.addEventListener("htmx:afterSettle", drawMaps);
  if (document.readyState !== "loading") drawMaps();

  // Charts: [data-chart] holds a Chart.js configuration as JSON.
  function drawCharts() {
    if (!window.Chart) return;
    document.querySelectorAll("canvas[data-chart]").forEach(function (c) {
      if (c._chart) return;
      c._chart = new Chart(c, JSON.parse(c.getAttribute("data-chart")));
    });
  }
  document.addEventListener("DOMContentLoaded", drawCharts);
  document.addEventListener("htmx:afterSettle", drawCharts);
  if (document.readyState !== "loading") drawCharts();
})();
