// The public site's reading modes (large font, high contrast): a class on <html>, remembered in
// localStorage. Loaded in <head> without defer so a remembered mode applies before the first paint;
// the toggles stay hidden without JavaScript (they could not work).
(function () {
  var root = document.documentElement;
  var prefix = "fazhi-site-";
  function remembered(mode) {
    try {
      return window.localStorage.getItem(prefix + mode) === "1";
    } catch (e) {
      return false;
    }
  }
  function remember(mode, on) {
    try {
      window.localStorage.setItem(prefix + mode, on ? "1" : "0");
    } catch (e) {
      // private mode: the choice lasts for this page only
    }
  }
  ["large", "contrast"].forEach(function (mode) {
    if (remembered(mode)) {
      root.classList.add("site-" + mode);
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-site-mode]").forEach(function (button) {
      var mode = button.getAttribute("data-site-mode");
      button.hidden = false;
      button.setAttribute("aria-pressed", String(root.classList.contains("site-" + mode)));
      button.addEventListener("click", function () {
        var on = root.classList.toggle("site-" + mode);
        button.setAttribute("aria-pressed", String(on));
        remember(mode, on);
      });
    });
  });
})();
