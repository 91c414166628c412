// The call-taker's form, keyboard first: Ctrl+Enter saves from anywhere;
// in the place box ↓ goes to the matches, ↑/↓ move between them, Enter
// picks one (and in the box, the first one), Escape goes back to typing.
(function () {
  "use strict";
  var form = document.getElementById("call-form");
  if (!form) return;
  var place = document.getElementById("f-place");
  var results = document.getElementById("place-results");

  function picks() { return Array.prototype.slice.call(results.querySelectorAll(".call-place-pick")); }

  function choose(btn) {
    place.value = btn.getAttribute("data-place");
    var lat = btn.getAttribute("data-lat"), lon = btn.getAttribute("data-lon");
    if (lat && lon) {
      document.getElementById("f-lat").value = lat;
      document.getElementById("f-lon").value = lon;
    }
    results.innerHTML = "";
    // The suggestions panel listens for this to look again.
    document.body.dispatchEvent(new CustomEvent("callplaced", { bubbles: true }));
    var next = document.getElementById("f-phone");
    if (next) next.focus();
  }

  form.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
      return;
    }
    var list = picks(), i = list.indexOf(document.activeElement);
    if (e.target === place) {
      if (e.key === "ArrowDown" && list.length) { e.preventDefault(); list[0].focus(); }
      else if (e.key === "Enter") { e.preventDefault(); if (list.length) choose(list[0]); }
      else if (e.key === "Escape") { results.innerHTML = ""; }
      return;
    }
    // Enter in a one-line box does not save a call half typed: saving is
    // the button or Ctrl+Enter.
    if (e.key === "Enter" && e.target.tagName === "INPUT") { e.preventDefault(); return; }
    if (i < 0) return;
    if (e.key === "ArrowDown") { e.preventDefault(); list[Math.min(i + 1, list.length - 1)].focus(); }
    else if (e.key === "ArrowUp") { e.preventDefault(); (i === 0 ? place : list[i - 1]).focus(); }
    else if (e.key === "Escape") { e.preventDefault(); place.focus(); }
  });

  results.addEventListener("click", function (e) {
    var btn = e.target.closest(".call-place-pick");
    if (btn) choose(btn);
  });

  // One click, one call: the form's token already makes a second send
  // harmless, this spares the round trip.
  var send = document.getElementById("call-send");
  form.addEventListener("submit", function () {
    setTimeout(function () { send.disabled = true; }, 0);
  });
  // Back to this page from the history: the button works again.
  window.addEventListener("pageshow", function () { send.disabled = false; });
})();
