// The list's "Filter" disclosure (templates/partnerships/list_page.html) stands open on a
// wide screen, where the filters sit beside the results; on a phone it stays closed so the
// results come first. Without JavaScript it works as a plain <details> element.
(function () {
  "use strict";
  var wide = window.matchMedia("(min-width: 52.01rem)");
  function follow() {
    document.querySelectorAll("details.filter-panel").forEach(function (panel) {
      if (wide.matches) {
        panel.open = true;
      }
    });
  }
  follow();
  wide.addEventListener("change", follow);
})();
