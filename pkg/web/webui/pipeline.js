// The pipeline's drag and drop: dropping a card on a column posts the
// card's own Move form with that column's stage — the same request as
// without JavaScript.
(function () {
  "use strict";
  var dragged = null;
  document.querySelectorAll(".opp[draggable]").forEach(function (card) {
    card.addEventListener("dragstart", function (e) {
      dragged = card;
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", card.dataset.id);
    });
    card.addEventListener("dragend", function () { dragged = null; });
  });
  document.querySelectorAll(".column[data-stage]").forEach(function (col) {
    col.addEventListener("dragover", function (e) {
      if (dragged) { e.preventDefault(); col.classList.add("over"); }
    });
    col.addEventListener("dragleave", function () { col.classList.remove("over"); });
    col.addEventListener("drop", function (e) {
      e.preventDefault();
      col.classList.remove("over");
      var card = dragged || document.getElementById("o-" + e.dataTransfer.getData("text/plain"));
      if (!card) return;
      var form = card.querySelector("form.move");
      var select = form.querySelector("select[name=stage]");
      if (select.value === col.dataset.stage) return;
      select.value = col.dataset.stage;
      form.submit();
    });
  });
})();
