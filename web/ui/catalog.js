// The catalog: a filter box over the cards, and each card's small curve.
import { onThemeChange, whenReady } from "./site.js";
import { drawThumb } from "./charts.js";

function boot() {
  const box = document.getElementById("catalog-filter");
  if (!box) return;
  const apply = () => {
    const words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    document.querySelectorAll(".family").forEach((fam) => {
      let any = false;
      fam.querySelectorAll(".card").forEach((card) => {
        const hay = card.dataset.search.toLowerCase();
        const ok = words.every((w) => hay.indexOf(w) >= 0);
        card.hidden = !ok;
        if (ok) { any = true; shown++; }
      });
      fam.hidden = !any;
    });
    document.querySelector("[data-testid=catalog-empty]").hidden = shown > 0;
  };
  box.addEventListener("input", apply);
  apply();
  const thumbs = () => document.querySelectorAll(".thumb[data-chart-option]");
  thumbs().forEach((el) => drawThumb(el));
  onThemeChange(() => thumbs().forEach((el) => drawThumb(el, true)));
}

whenReady(boot);
