// 掌上执法: show only the fields the chosen outcome needs (no inline scripts under the CSP).
(function () {
  "use strict";
  function sync(form) {
    var select = form.querySelector("[data-outcome-select]");
    if (!select) { return; }
    form.querySelectorAll("[data-outcome-field]").forEach(function (el) {
      var wanted = el.getAttribute("data-outcome-field").split(" ");
      var show = wanted.indexOf(select.value) !== -1;
      el.classList.toggle("fz-hidden", !show);
      el.querySelectorAll("input, select, textarea").forEach(function (input) {
        input.disabled = !show;
      });
    });
  }
  function init() {
    document.querySelectorAll("form[data-outcome-form]").forEach(function (form) {
      sync(form);
      form.addEventListener("change", function () { sync(form); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
