// "Now and next": reload the page every minute, for screens on site, unless the reader pauses it (the page's own
// script, so the CSP needs no inline code; without it the page simply stays as it is).
(function () {
  "use strict";
  var toggle = document.getElementById("auto-refresh");
  if (!toggle) { return; }
  toggle.hidden = false;
  var box = toggle.querySelector("input");
  box.checked = window.sessionStorage.getItem("now-paused") !== "1";
  box.addEventListener("change", function () {
    window.sessionStorage.setItem("now-paused", box.checked ? "0" : "1");
  });
  window.setInterval(function () {
    if (box.checked) { window.location.reload(); }
  }, 60000);
}());
