// The result dock: on a narrow screen, while the loss or the curve is
// scrolled out of view (a student dragging a control at the top of the
// page), a compact bar fixed to the bottom of the screen shows the current
// loss and a small copy of the curve, so the gesture and its effect stay
// on one screen. It duplicates what the page shows (aria-hidden), and
// hides again once the real ones are in view.
import { echarts } from "./echarts.js";
import { isDark } from "./site.js";
import { inTheme } from "./charts.js";

// narrow is the width up to which the page stacks into one column
// (app.css) and the dock is used.
const narrow = "(max-width: 900px)";

export class ResultDock {
  constructor(el) {
    this.el = el;
    this.out = el.querySelector("[data-testid=dock-loss]");
    this.chartEl = el.querySelector("[data-testid=dock-chart]");
    this.chart = null;
    this.dark = null;
    this.option = null;
    this.drawn = null;
    this.away = {}; // what is out of view: "loss", "curve"
    // Not before the reader does something: on a phone the loss is below
    // the controls when the page opens, and a dock then would sit on the
    // first slider the reader is about to reach for.
    this.armed = false;
    const arm = () => {
      ["input", "change", "scroll"].forEach((t) => window.removeEventListener(t, arm, true));
      this.armed = true;
      this.toggle();
    };
    ["input", "change", "scroll"].forEach((t) => window.addEventListener(t, arm, { capture: true, passive: true }));
    this.mq = window.matchMedia ? window.matchMedia(narrow) : null;
    if (this.mq && this.mq.addEventListener) this.mq.addEventListener("change", () => this.toggle());
    this.seen = window.IntersectionObserver ? new IntersectionObserver((entries) => {
      entries.forEach((e) => { this.away[e.target.dataset.dockWatch] = !e.isIntersecting; });
      this.toggle();
    }) : null;
    this.watch();
  }

  // watch follows the loss line and the curve chart (the panel's loss line
  // is replaced when the panel is rebuilt: watch again then).
  watch() {
    if (!this.seen) return;
    this.seen.disconnect();
    const line = document.querySelector("#result-panel .loss-line");
    const curve = document.getElementById("chart-curve");
    if (line) { line.dataset.dockWatch = "loss"; this.seen.observe(line); }
    if (curve) { curve.dataset.dockWatch = "curve"; this.seen.observe(curve); }
  }

  get shown() { return !this.el.hidden; }

  toggle() {
    const on = !!(this.armed && this.mq && this.mq.matches && (this.away.loss || this.away.curve));
    if (on === this.shown) return;
    this.el.hidden = !on;
    document.documentElement.classList.toggle("docked", on);
    if (on) this.draw();
  }

  // update takes the loss text (as the panel shows it) and the curve's
  // option; the dock redraws only while shown.
  update(text, exact, curve) {
    if (text != null) {
      if (this.out.textContent !== text) this.out.textContent = text;
      this.out.dataset.exact = exact;
    }
    if (curve) this.option = curve;
    if (this.shown) this.draw();
  }

  draw() {
    if (!this.option || this.drawn === this.option) return;
    const dark = isDark();
    if (this.chart && this.dark !== dark) { this.chart.dispose(); this.chart = null; }
    const o = Object.assign({}, inTheme(this.option, dark), {
      // Small: no title, legend, toolbox or tooltip, a tight grid.
      title: { show: false }, legend: { show: false }, toolbox: { show: false }, tooltip: { show: false },
      grid: { left: 36, right: 8, top: 8, bottom: 20, containLabel: false },
      backgroundColor: "transparent", animation: false,
    });
    const axis = (a) => (a == null ? a : (Array.isArray(a) ? a : [a]).map((x) => Object.assign({}, x, { name: "" })));
    o.xAxis = axis(o.xAxis);
    o.yAxis = axis(o.yAxis);
    if (!this.chart) {
      this.chart = echarts.init(this.chartEl, dark ? "dark" : null, { renderer: "canvas" });
      this.dark = dark;
      this.chart.setOption(o, { notMerge: true, silent: true });
    } else {
      this.chart.setOption(o, { lazyUpdate: true, silent: true });
    }
    this.drawn = this.option;
  }
}
