// Charts drawn from the server's ECharts options. Each chart is built once
// and then updated in merge mode, so ECharts keeps its axes, title,
// toolbox and legend and redraws only what changed (series data, mark
// points, axis ranges); nothing animates. A chart off screen keeps the
// newest option and draws it when it scrolls into view, or once the page
// has been still for a moment, so a drag pays only for what can be seen.
import { echarts, has, need, partsFor } from "./echarts.js";
import { isDark, onThemeChange, onTypeSizeChange } from "./site.js";
import { word } from "./i18n.js";
import { darkOf } from "./theme-colors.js";

// The server draws a page's charts before it knows the reader's theme (a
// stored choice and the system's preference live in the browser), so an
// option may come in the other palette. inTheme repaints it colour for
// colour into the theme shown: the palettes differ in nothing else, and a
// Go test checks that a light option repainted is the dark one.
const toDark = new Map(Object.entries(darkOf));
const toLight = new Map(Object.entries(darkOf).map(([l, d]) => [d, l]));

function repaint(v, map) {
  if (typeof v === "string") {
    const c = map.get(v.toLowerCase());
    return c === undefined ? v : c;
  }
  if (Array.isArray(v)) {
    // Data arrays of numbers are most of a big option: left as they are.
    return v.length && typeof v[0] === "number" ? v : v.map((x) => repaint(x, map));
  }
  if (v && typeof v === "object") {
    const o = {};
    for (const k of Object.keys(v)) o[k] = repaint(v[k], map);
    return o;
  }
  return v;
}

// inTheme returns opt in the dark palette when dark is true, else in the
// light one. Every option of ours names its background, which tells its
// palette; an option already in the theme is returned as it is.
export function inTheme(opt, dark) {
  const map = dark ? toDark : toLight;
  const bg = opt && typeof opt.backgroundColor === "string" ? opt.backgroundColor.toLowerCase() : "";
  return map.has(bg) ? repaint(opt, map) : opt;
}

// settleMs is how long after the last update off-screen charts catch up.
const settleMs = 300;

// frameBudgetMs bounds the chart drawing of one animation frame during a
// drag: charts are drawn one after another, the one drawn longest ago
// first, until the budget is spent, and the rest follow in the next
// frames. On a fast machine every chart is drawn every frame; on a busy
// one the frame still paints the loss on time and no task runs long.
const frameBudgetMs = 10;

// structure is what must match for a merge update: the series (type, name,
// id), the axes and whether there is a visualMap. Anything else is
// rebuilt from scratch.
function structure(opt) {
  const list = (v) => (v == null ? [] : Array.isArray(v) ? v : [v]);
  return JSON.stringify([
    list(opt.series).map((s) => [s.type, s.name, s.id, s.stack]),
    list(opt.xAxis).map((a) => a.type), list(opt.yAxis).map((a) => a.type),
    list(opt.visualMap).length, list(opt.legend).length,
  ]);
}

// mergeable is the part of an option a merge update sends: what changes
// with the numbers (series, axes, visualMap, and the title and grid, whose
// texts and size carry them). It is completed against the previous option
// so that merging leaves nothing behind: a mark point or line that is
// gone, or an axis bound that is now automatic, is written out as empty.
// (Empty markers for every series, or a merge of the whole option, cost
// ECharts up to five times more: CTC's lattice.)
function mergeable(opt, prev) {
  const list = (v) => (v == null ? [] : Array.isArray(v) ? v : [v]);
  const axes = (now, before) => list(now).map((a, i) => {
    const p = list(before)[i] || {};
    const out = Object.assign({}, a);
    for (const k of ["min", "max"]) if (!(k in out) && p[k] != null) out[k] = null;
    return out;
  });
  // The background goes too: an option of the other palette, repainted,
  // and a socket reply in the page's theme must not leave the old one.
  const o = { title: opt.title, grid: opt.grid, visualMap: opt.visualMap, backgroundColor: opt.backgroundColor, animation: false };
  if (opt.xAxis) o.xAxis = axes(opt.xAxis, prev && prev.xAxis);
  if (opt.yAxis) o.yAxis = axes(opt.yAxis, prev && prev.yAxis);
  o.series = list(opt.series).map((s, i) => {
    const p = (prev && list(prev.series)[i]) || {};
    const out = Object.assign({}, s);
    for (const k of ["markPoint", "markLine", "markArea"]) if (!out[k] && p[k]) out[k] = { data: [] };
    return out;
  });
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

// narrowPx is the chart width below which titles wrap and the toolbox is
// left out (each figure has PNG and SVG buttons of its own).
const narrowPx = 560;

// minPlotPx is the least height of a chart's plot on a narrow screen: once
// ECharts has laid a chart out, one whose titles and legend left less
// grows by the difference (and never shrinks back while the page lives,
// so a drag does not make it jump).
const minPlotPx = 160;

function keepPlot(c) {
  if (!c.chart || c.width >= narrowPx) return;
  const grid = c.chart.getModel().getComponent("grid", 0);
  const rect = grid && grid.coordinateSystem && grid.coordinateSystem.getRect && grid.coordinateSystem.getRect();
  if (!rect || rect.height >= minPlotPx) return;
  c.el.style.height = Math.ceil(c.el.clientHeight + minPlotPx + 2 - rect.height) + "px";
  c.chart.resize();
}
const titleLinePx = 15;
let measureCtx = null;

function textWidth(text, font) {
  if (!measureCtx) measureCtx = document.createElement("canvas").getContext("2d");
  measureCtx.font = font;
  return measureCtx.measureText(text || "").width;
}

// wrapText breaks text into lines no wider than room, as the chart will
// draw it: at " · " between a subtitle's parts first, then at spaces,
// then anywhere (Chinese has no spaces). Breaking here, not with ECharts'
// overflow, tells how many lines there are, so the plot moves down by
// exactly what they take.
function wrapText(text, font, room) {
  const lines = [];
  for (const para of String(text || "").split("\n")) {
    let line = "";
    const push = (piece) => {
      if (!line || textWidth(line + piece, font) <= room) { line += piece; return; }
      lines.push(line.trimEnd());
      line = piece.trimStart();
    };
    for (const part of para.split(/(?<= · )/)) {
      if (textWidth(part, font) <= room) { push(part); continue; }
      for (const word of part.split(/(?<= )/)) {
        if (textWidth(word, font) <= room) { push(word); continue; }
        for (const ch of word) push(ch);
      }
    }
    lines.push(line.trimEnd());
  }
  return lines;
}

// legendLines estimates how many lines a bottom legend takes at width
// room (ECharts wraps a horizontal legend: icon 25, gap 5, item gap 10).
function legendLines(opt, room) {
  const lg = Array.isArray(opt.legend) ? opt.legend[0] : opt.legend;
  if (!lg || lg.show === false) return 0;
  const names = lg.data ? lg.data.map((d) => (typeof d === "string" ? d : d && d.name)) :
    (Array.isArray(opt.series) ? opt.series : [opt.series]).map((s) => s && s.name);
  let lines = 1, x = 0;
  for (const n of names) {
    if (!n) continue;
    const w = 25 + 5 + textWidth(n, "12px sans-serif") + 10;
    if (x > 0 && x + w > room) { lines++; x = 0; }
    x += w;
  }
  return lines;
}

// fitWidth adapts an option's frame to a narrow chart: the title and
// subtitle wrap within the chart instead of running off its edges, the
// plot moves down by the lines added and up from a legend that wraps, the
// name of a category y axis (its labels say what the rows are, and the
// name would sit on them) is left out, and the toolbox icon, which would
// sit on the title, is dropped. Series and data are left alone.
function fitWidth(opt, width) {
  if (!width || width >= narrowPx || !opt.title) return opt;
  const o = Object.assign({}, opt);
  const room = width - 16;
  let extra = 0;
  o.title = (Array.isArray(opt.title) ? opt.title : [opt.title]).map((t) => {
    const ts = (t.textStyle && t.textStyle.fontSize) || 15;
    const ss = (t.subtextStyle && t.subtextStyle.fontSize) || 12;
    const title = wrapText(t.text, "bolder " + ts + "px sans-serif", room);
    const sub = t.subtext ? wrapText(t.subtext, ss + "px sans-serif", room) : [""];
    extra += (title.length - 1) * (ts + 3) + (sub.length - 1) * titleLinePx;
    return Object.assign({}, t, {
      text: title.join("\n"), subtext: t.subtext ? sub.join("\n") : t.subtext,
      subtextStyle: Object.assign({}, t.subtextStyle, { lineHeight: titleLinePx }),
    });
  });
  const legendExtra = Math.max(0, legendLines(opt, room) - 1) * 22;
  if ((extra > 0 || legendExtra > 0) && o.grid) {
    o.grid = (Array.isArray(o.grid) ? o.grid : [o.grid]).map((g) => Object.assign({}, g, {
      top: (parseFloat(g.top) || 60) + extra,
      bottom: (parseFloat(g.bottom) || 60) + legendExtra,
    }));
  }
  if (o.yAxis) {
    o.yAxis = (Array.isArray(o.yAxis) ? o.yAxis : [o.yAxis]).map((a) => (a.type === "category" ? Object.assign({}, a, { name: "" }) : a));
  }
  o.toolbox = Object.assign({}, Array.isArray(opt.toolbox) ? opt.toolbox[0] : opt.toolbox, { show: false });
  return o;
}

// lossMasked is opt without its titles' subtexts while the page hides the
// loss (see the MutationObserver in ChartSet).
function lossMasked(opt) {
  if (!opt.title || !document.body.hasAttribute("data-class-hide-loss")) return opt;
  const mask = (t) => Object.assign({}, t, { subtext: "" });
  return Object.assign({}, opt, { title: Array.isArray(opt.title) ? opt.title.map(mask) : mask(opt.title) });
}

function withBackground(opt) {
  const o = Object.assign({}, opt);
  if (o.backgroundColor === undefined) o.backgroundColor = "transparent";
  return o;
}

// ChartSet draws the charts of one page: figures whose .chart element
// carries data-chart="<id>". onDraw(id, chart, rebuilt), if given, runs
// after each draw: a page that adds to a chart itself (the comparison's
// draggable outlier) adds it again once the chart was rebuilt.
export class ChartSet {
  constructor(host, onDraw) {
    this.host = host;
    this.onDraw = onDraw || null;
    this.charts = {}; // id -> {el, chart, sig, pending, visible, dark, width, drawnAt}
    this.settleTimer = 0;
    this.frame = 0;
    // partsOnSight: a chart that needs an ECharts part asks for it when it
    // comes near the viewport. An embed sets it false: it is a picture,
    // screenshotted whole, and has no budget to keep.
    this.partsOnSight = true;
    this.seen = window.IntersectionObserver ? new IntersectionObserver((entries) => {
      entries.forEach((e) => {
        const c = this.charts[e.target.dataset.chart];
        if (!c) return;
        c.visible = e.isIntersecting;
        if (c.visible) this.flush(c);
      });
    }, { rootMargin: "100px" }) : null;
    // A class's "what will the loss be?" poll marks <body> with
    // data-class-hide-loss (web/ui/class-student.js) until its reveal:
    // the charts then draw without subtitles, which print the loss.
    if (window.MutationObserver && document.body) {
      new MutationObserver(() => Object.values(this.charts).forEach((c) => {
        if (!c.pending && c.last) { c.pending = c.last; this.flush(c, true); }
      })).observe(document.body, { attributes: true, attributeFilter: ["data-class-hide-loss"] });
    }
    this.resized = window.ResizeObserver ? new ResizeObserver((entries) => {
      entries.forEach((e) => {
        const c = this.charts[e.target.dataset.chart];
        if (!c) return;
        const width = Math.round(e.contentRect.width);
        const crossed = (width < narrowPx) !== (c.width < narrowPx);
        c.width = width;
        if (!c.chart) return;
        c.chart.resize();
        if (crossed && c.last && !c.pending) { c.pending = c.last; c.sig = ""; this.flush(c); }
      });
    }) : null;
    onThemeChange(() => this.redrawAll());
    onTypeSizeChange(() => Object.values(this.charts).forEach((c) => c.chart && c.chart.resize()));
    window.addEventListener("resize", () => Object.values(this.charts).forEach((c) => c.chart && c.chart.resize()));
    host.addEventListener("click", (ev) => {
      const b = ev.target.closest("[data-download]");
      if (b) this.download(b.dataset.chartId, b.dataset.download);
    });
    // Tooltips and the toolbox load when a student first reaches for a
    // chart; every chart then takes its option again to gain them.
    const reach = (ev) => {
      if (!ev.target.closest || !ev.target.closest(".chart")) return;
      ["pointerover", "focusin", "touchstart"].forEach((t) => host.removeEventListener(t, reach));
      need("interaction").then(() => Object.values(this.charts).forEach((c) => {
        // The same option again, whole: ECharts adds what it ignored.
        if (c.chart && c.last && !c.pending) c.chart.setOption(fitWidth(withBackground(inTheme(lossMasked(c.last), c.dark)), c.width), { lazyUpdate: true, silent: true });
      }));
    };
    ["pointerover", "focusin", "touchstart"].forEach((t) => host.addEventListener(t, reach, { passive: true }));
  }

  // element finds or adds the figure of chart id.
  element(id) {
    let el = document.getElementById("chart-" + id);
    if (el) return el;
    const fig = document.createElement("figure");
    fig.className = "chart-fig";
    fig.dataset.testid = "chart-" + id;
    fig.innerHTML = '<div class="chart" role="img"></div><figcaption><span></span>' +
      '<button type="button" data-download="png">PNG</button><button type="button" data-download="svg">SVG</button></figcaption>';
    el = fig.querySelector(".chart");
    el.id = "chart-" + id;
    el.dataset.chart = id;
    el.setAttribute("aria-label", word("chart." + id));
    fig.querySelector("span").textContent = word("chart." + id);
    fig.querySelectorAll("button").forEach((b) => { b.dataset.chartId = id; });
    this.host.appendChild(fig);
    return el;
  }

  // update takes the newest options of some charts; visible charts draw
  // in the next frames (drain), the others when seen or when the page
  // settles.
  update(options) {
    if (!options) return;
    for (const id of Object.keys(options)) {
      let c = this.charts[id];
      if (!c) {
        const el = this.element(id);
        c = this.charts[id] = { id, el, chart: null, sig: "", pending: null, visible: !this.seen, width: el.clientWidth, drawnAt: 0 };
        if (this.seen) {
          // The first draw happens at once, seen or not: the page is
          // complete on load, and IntersectionObserver reports later.
          const r = el.getBoundingClientRect();
          c.visible = r.bottom > -100 && r.top < innerHeight + 100;
          this.seen.observe(el);
        }
        if (this.resized) this.resized.observe(el);
        c.pending = options[id];
        this.flush(c);
        continue;
      }
      c.pending = options[id];
    }
    if (!this.frame) this.frame = requestAnimationFrame(() => this.drain());
    clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => this.flushAll(), settleMs);
  }

  // drain draws the visible charts that wait, within frameBudgetMs.
  drain() {
    this.frame = 0;
    const start = performance.now();
    const waiting = Object.values(this.charts).filter((c) => c.pending && c.visible).sort((a, b) => a.drawnAt - b.drawnAt);
    for (let i = 0; i < waiting.length; i++) {
      if (i > 0 && performance.now() - start > frameBudgetMs) {
        this.frame = requestAnimationFrame(() => this.drain());
        return;
      }
      this.flush(waiting[i], true);
    }
  }

  // flush draws a chart's newest option: now with sync, else in ECharts'
  // next frame.
  flush(c, sync) {
    const opt = c.pending;
    if (!opt) return;
    const missing = partsFor(opt).filter((p) => !has(p));
    if (missing.length) {
      // A chart out of sight asks for its parts when it comes near (the
      // IntersectionObserver flushes it then): a student who never
      // scrolls to CTC's lattice never downloads the heatmap. Drawn once
      // its parts are in; a newer option may replace it meanwhile.
      if (c.visible || !this.partsOnSight) Promise.all(missing.map(need)).then(() => this.flush(c));
      return;
    }
    c.pending = null;
    const dark = isDark();
    if (c.chart && c.dark !== dark) { c.chart.dispose(); c.chart = null; }
    if (!c.chart) {
      c.chart = echarts.init(c.el, dark ? "dark" : null, { renderer: "canvas" });
      c.el.lpChart = c.chart; // the layout tests measure plot and labels through it
      c.chart.on("finished", () => keepPlot(c));
      c.dark = dark;
      c.sig = "";
    }
    const sig = structure(opt);
    const shown = fitWidth(withBackground(inTheme(lossMasked(opt), dark)), c.width);
    const rebuilt = sig !== c.sig;
    if (rebuilt) {
      c.chart.setOption(shown, { notMerge: true, lazyUpdate: !sync, silent: true });
      c.sig = sig;
    } else {
      c.chart.setOption(mergeable(shown, c.shown), { lazyUpdate: !sync, silent: true });
    }
    c.shown = shown;
    c.last = opt;
    c.drawnAt = performance.now();
    c.el.dataset.drawn = "1";
    if (this.onDraw) this.onDraw(c.id, c.chart, rebuilt);
  }

  flushAll() { Object.values(this.charts).forEach((c) => this.flush(c)); }

  redrawAll() {
    Object.values(this.charts).forEach((c) => {
      if (!c.pending) c.pending = c.last;
      if (c.chart) { c.chart.dispose(); c.chart = null; }
      this.flush(c);
    });
  }

  download(id, type) {
    const c = this.charts[id];
    if (!c) return;
    this.flush(c);
    if (!c.chart) return;
    if (type === "svg" && !has("svg")) {
      need("svg").then(() => this.download(id, type));
      return;
    }
    const bg = getComputedStyle(document.body).backgroundColor;
    const base = document.querySelector("[data-slug]");
    const fname = ((base && base.dataset.slug) || "chart") + "-" + id + "." + type;
    if (type === "png") {
      save(fname, c.chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: bg }));
      return;
    }
    // SVG: draw the same option once with the SVG renderer, off screen.
    const div = document.createElement("div");
    div.style.cssText = "position:absolute;left:-10000px;top:0";
    document.body.appendChild(div);
    const svg = echarts.init(div, isDark() ? "dark" : null, { renderer: "svg", width: c.el.clientWidth || 640, height: c.el.clientHeight || 320 });
    const opt = c.chart.getOption();
    opt.animation = false;
    opt.backgroundColor = bg;
    svg.setOption(opt);
    save(fname, svg.getDataURL({ type: "svg" }));
    svg.dispose();
    div.remove();
  }
}

function save(name, url) {
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

// drawThumb draws a catalog card's small chart from its data-chart-option.
export function drawThumb(el, again) {
  let opt;
  try { opt = JSON.parse(el.dataset.chartOption); } catch (e) { el.hidden = true; return; }
  const missing = partsFor(opt).filter((p) => !has(p));
  if (missing.length) {
    Promise.all(missing.map(need)).then(() => drawThumb(el, again));
    return;
  }
  try {
    const old = echarts.getInstanceByDom(el);
    if (old && again) old.dispose(); else if (old) return;
    const dark = isDark();
    const c = echarts.init(el, dark ? "dark" : null);
    opt = inTheme(opt, dark);
    opt.backgroundColor = "transparent"; // the card is the background, in either theme
    c.setOption(opt);
    if (window.ResizeObserver) new ResizeObserver(() => c.resize()).observe(el);
  } catch (e) { el.hidden = true; }
}
