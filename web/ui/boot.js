// boot.js is the one script a page runs before its first paint (a classic
// script in <head>, neither deferred nor a module): it sets what the
// stylesheet reads from <html> — "js" (controls and charts that need a
// script), the stored theme and large type — so that nothing moves or
// changes colour once the deferred page modules run, which set the same
// things again. Kept tiny: it blocks rendering.
(function () {
  var root = document.documentElement;
  root.classList.add("js");
  try {
    var theme = localStorage.getItem("lp-theme");
    if (!root.dataset.theme && theme) root.dataset.theme = theme;
    if (localStorage.getItem("lp-large") === "1") root.classList.add("large");
  } catch (e) { /* storage disabled: the defaults stand */ }
})();
