// katex-typeset.js typesets every .math[data-latex] element with KaTeX in
// the browser, as app.js did before the page modules (web/ui) were split
// out. It stays a classic script beside katex.min.js, and goes with it
// when formulas are rendered on the server.
(function () {
  "use strict";

  var katexOptions = function (display) {
    return {
      displayMode: display, throwOnError: true, strict: "ignore", output: "htmlAndMathml",
      trust: function (ctx) { return ctx.command === "\\htmlClass"; },
    };
  };

  function typeset(scope) {
    if (!window.katex) return;
    scope.querySelectorAll(".math[data-latex]:not(.typeset)").forEach(function (el) {
      var display = el.classList.contains("display");
      var sources = [el.dataset.latex];
      if (el.dataset.latexPlain) sources.push(el.dataset.latexPlain);
      for (var i = 0; i < sources.length; i++) {
        try {
          window.katex.render(sources[i], el, katexOptions(display));
          el.classList.add("typeset");
          el.dataset.rendered = "1"; // the lesson widgets skip rendered math
          return;
        } catch (e) { /* try the next source; the LaTeX text stays otherwise */ }
      }
      el.classList.add("katex-failed"); // the LaTeX stays readable as text
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { typeset(document); });
  else typeset(document);
})();
