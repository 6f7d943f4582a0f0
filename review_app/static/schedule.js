// The schedule editor's drag and drop: an enhancement on top of its forms. Dragging a session onto free time in a
// room fills that session's own move (or place) form with the room and the free time's start, and sends it; the
// server checks it like any other form. Without this script every form works as it is.
(function () {
  "use strict";
  var editor = document.querySelector(".schedule-editor");
  if (!editor) { return; }
  var dragged = null;
  editor.querySelectorAll(".slot.session[data-proposal]").forEach(function (card) {
    card.setAttribute("draggable", "true");
    card.addEventListener("dragstart", function (event) {
      dragged = card;
      card.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.getAttribute("data-proposal"));
    });
    card.addEventListener("dragend", function () {
      card.classList.remove("dragging");
      dragged = null;
    });
  });
  editor.querySelectorAll(".slot.free[data-room]").forEach(function (free) {
    free.addEventListener("dragover", function (event) {
      if (dragged) { event.preventDefault(); free.classList.add("drop-target"); }
    });
    free.addEventListener("dragleave", function () { free.classList.remove("drop-target"); });
    free.addEventListener("drop", function (event) {
      event.preventDefault();
      free.classList.remove("drop-target");
      if (!dragged) { return; }
      var form = dragged.querySelector("form.move-form");
      if (!form) { return; }
      form.querySelector("select[name=room_id]").value = free.getAttribute("data-room");
      form.querySelector("input[name=start]").value = free.getAttribute("data-start");
      form.submit();
    });
  });
}());
