// The comparison pages (/compare/regression, /classification, /margin).
// The server renders each page complete (numbers, tables, chart options in
// the #compare-data block); this module draws the charts and makes the
// page live over the WebSocket (docs/protocol.md, "Comparison pages"):
// "compare" messages recompute a page under new settings, "fit" messages
// stream the regression page's gradient descent as fit_frame messages.
// Only replies to the newest message sent are applied.
//
// Like the loss page it speaks the page events (docs/protocol.md, "Page
// events"): "lp:state" after every change of the settings, "lp:apply"
// sets them (params are the settings), "lp:lock" makes them read-only.
import { has, need, partsFor } from "./echarts.js";
// The regression page drags its outlier through a graphic element.
import "echarts/lib/component/graphic.js";
import { ChartSet } from "./charts.js";
import { isDark, whenReady } from "./site.js";
import { word } from "./i18n.js";
import "./chartlinks.js"; // the charts' image links follow lp:state


var root = document.documentElement;
var data = null;       // the page's data block, updated by compare_result
var page = "";         // "regression", "classification" or "margin"
var set = null;        // the page's charts, built once, then merged (charts.js)
var fitBase = null;    // the server's fit chart; the lines and outlier shown go on top
var handleDue = false; // the outlier's handle is placed once the fit chart has drawn
var ws = null, wsOpen = false, retry = 0;
var seq = 0;           // last message id sent
var wantCompare = 0;   // id of the newest compare message
var wantFit = 0;       // id of the newest fit message
var lines = null;      // the fit lines shown: [{loss, slope, intercept, value}]
var frames = 0;        // fit frames applied (for tests)
var lastFrame = null;
var fitsSent = 0;      // the first fit starts from a = b = 0, later ones from the lines shown
var chosenTarget = 0;  // the class the reader picked: kept while the logits are retyped

function theme() { return isDark() ? "dark" : "light"; }

// As PyTorch prints a float tensor element (app.js's torchFormat).
function fmt(v) {
  if (typeof v === "string") return v === "NaN" ? "nan" : v === "Infinity" ? "inf" : v === "-Infinity" ? "-inf" : v;
  if (!isFinite(v)) return isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
  var a = Math.abs(v);
  if (Number.isInteger(v) && a <= 1e8) return v.toFixed(0) + "."; // PyTorch: scientific above 1e8
  if (a !== 0 && (a < 1e-4 || a >= 1e8)) return v.toExponential(4).replace(/e([+-])(\d)$/, "e$10$2");
  return v.toFixed(4);
}

// fmtTable writes the numbers of one table as the server does
// (compareFormatTable): whole numbers beside fractions keep four decimals,
// as inside a PyTorch tensor that is not all whole ("0.0000" beside
// "0.1799", not "0.").
function fmtTable(vs) {
  var whole = vs.every(function (v) {
    var x = typeof v === "string" ? (v === "NaN" ? NaN : Infinity) : v;
    return !isNaN(x) && (!isFinite(x) || Number.isInteger(x));
  });
  return vs.map(function (v) {
    var s = fmt(v);
    return !whole && /^-?\d+\.$/.test(s) ? s + "0000" : s;
  });
}

function $(sel) { return document.querySelector(sel); }
function el(tag, attrs, text) {
  var e = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
  if (text != null) e.textContent = text;
  return e;
}

// ---- Charts ----------------------------------------------------------------

function chartOf(id) { var c = set && set.charts[id]; return c ? c.chart : null; }

function drawCharts(options, only) {
  // The parts of ECharts these charts need, and tooltips (a comparison
  // is read by hovering), load before the first draw.
  var missing = has("interaction") ? [] : ["interaction"];
  Object.keys(options).forEach(function (id) {
    partsFor(options[id]).forEach(function (p) { if (!has(p) && missing.indexOf(p) < 0) missing.push(p); });
  });
  if (missing.length) {
    Promise.all(missing.map(need)).then(function () { drawCharts(options, only); });
    return;
  }
  // Each chart is built once and then merged, as on the loss pages.
  var todo = {};
  Object.keys(options).forEach(function (id) {
    if (only && only.indexOf(id) < 0) return;
    if (!document.getElementById("chart-" + id)) return;
    if (id === "fit") fitBase = options[id];
    todo[id] = id === "fit" ? fitOption() : options[id];
  });
  set.update(todo);
}

// onDraw places the outlier's handle after the fit chart drew: a rebuilt
// chart lost it, and a moved outlier or a resized chart moves it.
function onDraw(id, chart, rebuilt) {
  if (id !== "fit") return;
  if (rebuilt) chart.on("finished", function () { if (handleDue) { handleDue = false; placeHandle(); } });
  handleDue = true;
}

// ---- Regression: lines, outlier drag ---------------------------------------------

function segment(l) {
  var s = data.x_span;
  return [[-s, l.intercept - s * l.slope], [s, l.intercept + s * l.slope]];
}

// fitOption is the server's fit chart with the lines and the outlier shown.
function fitOption() {
  var byLoss = {};
  (lines || []).forEach(function (l) { byLoss[l.loss] = l; });
  var o = Object.assign({}, fitBase);
  o.series = (Array.isArray(fitBase.series) ? fitBase.series : [fitBase.series]).map(function (s) {
    if (s.id === "outlier") return Object.assign({}, s, { data: [data.fit.points[outlierIndex()].slice()] });
    if (byLoss[s.id]) return Object.assign({}, s, { data: segment(byLoss[s.id]) });
    return s;
  });
  return o;
}

function drawFit() {
  if (fitBase && set) set.update({ fit: fitOption() });
}

function showLines(step, steps) {
  var cells = fmtTable([].concat.apply([], lines.map(function (l) { return [l.slope, l.intercept, l.value]; })));
  lines.forEach(function (l, i) {
    var set = function (k, j) { var e = $("[data-testid='fit-" + k + "-" + l.loss + "']"); if (e) e.textContent = cells[3 * i + j]; };
    set("slope", 0); set("intercept", 1); set("value", 2);
  });
  var st = $("[data-testid=fit-step]");
  if (st) st.textContent = word("cmpStep", step, steps) + (step >= steps ? word("cmpDone") : "");
}

function outlierIndex() { return data.fit.points.length - 1; }

function setOutlier(y, fromInput) {
  if (locked) return;
  y = Math.min(10, Math.max(-4, y));
  y = Math.round(y * 100) / 100;
  data.fit.points[outlierIndex()][1] = y;
  data.settings.outlier = y;
  if (!fromInput) syncInputs("outlier", y);
  drawFit();
  syncURL();
  sendFit(true);
}

// The outlier is dragged through an invisible circle over it: ECharts
// series points cannot be dragged themselves.
var dragging = false;
function placeHandle() {
  var c = chartOf("fit");
  if (!c || !data || !data.fit || dragging) return;
  var p = c.convertToPixel({ seriesId: "outlier" }, data.fit.points[outlierIndex()]);
  if (!p) return;
  c.setOption({
    graphic: [{
      id: "outlier-handle", type: "circle", x: p[0], y: p[1], shape: { cx: 0, cy: 0, r: 18 },
      invisible: true, draggable: true, z: 100, cursor: "ns-resize",
      ondragstart: function () { dragging = true; },
      ondrag: function () {
        this.x = p[0]; // only y moves: the keyboard fallback sets y too
        var q = c.convertFromPixel({ seriesId: "outlier" }, [this.x, this.y]);
        if (q) setOutlier(q[1]);
      },
      ondragend: function () { dragging = false; placeHandle(); },
    }],
  });
}

// ---- Socket ----------------------------------------------------------------------

function send(msg) {
  if (!wsOpen) return false;
  msg.id = ++seq;
  ws.send(JSON.stringify(msg));
  return true;
}

function sendCompare() {
  if (send({ type: "compare", page: page, theme: theme(), settings: data.settings })) wantCompare = seq;
}

function sendFit(fromCurrent) {
  var f = data.fit;
  // beta and delta from the settings shown, even before their compare_result is in.
  var params = { SmoothL1Loss: { beta: data.settings.beta }, HuberLoss: { delta: data.settings.delta } };
  var msg = { type: "fit", points: f.points, losses: f.losses, params: params, steps: f.steps, lr: f.lr };
  if (fromCurrent && lines) msg.start = lines.map(function (l) { return { slope: l.slope, intercept: l.intercept }; });
  // The last frame shown belongs to the fit being replaced: until this
  // fit's first frame is in, nothing may report it (or its "done") as
  // this fit's.
  if (send(msg)) { wantFit = seq; fitsSent++; lastFrame = null; }
}

function connect() {
  var proto = location.protocol === "https:" ? "wss:" : "ws:";
  // The page's language rides on the URL: error texts come back in it.
  var lang = (document.documentElement.lang || "").indexOf("zh") === 0 ? "?lang=zh" : "";
  try { ws = new WebSocket(proto + "//" + location.host + "/ws" + lang); } catch (e) { return; }
  ws.onopen = function () {
    wsOpen = true; status("");
    // After a reconnect, resend the state: edits made offline were not sent.
    if (retry > 0 || data.theme !== theme()) sendCompare(); // its reply starts the fit on the regression page
    else if (page === "regression") sendFit(false); // animate the descent from a = b = 0
    retry = 0;
  };
  ws.onmessage = function (ev) {
    var m;
    try { m = JSON.parse(ev.data); } catch (e) { return; }
    if (m.type === "fit_frame" && m.id === wantFit) onFrame(m);
    else if (m.type === "compare_result" && m.id === wantCompare) onCompare(m.data);
    else if (m.type === "superseded" && wantCompare && m.ids.indexOf(wantCompare) >= 0 && m.by === wantFit) sendCompare(); // a dragged outlier overtook new settings: ask again
    else if (m.type === "error" && (m.id === wantFit || m.id === wantCompare || m.id === null)) showError(m);
  };
  ws.onclose = function () {
    wsOpen = false;
    retry = Math.max(retry, 1);
    status(word("cmpPaused"));
    setTimeout(connect, Math.min(10000, 500 * Math.pow(2, retry++)));
  };
}

function status(text) {
  var s = $("[data-testid=conn-status]");
  if (s) s.textContent = text;
}

function showError(m) {
  var b = $("[data-testid=compare-error]");
  if (b) { b.textContent = m.error; b.hidden = false; }
  // The numbers shown are from the last good settings: say so.
  var art = $("article.cmp");
  if (art) art.classList.add("cmp-stale");
  if (m.field) {
    var name = m.field.replace(/\[.*$/, "").replace(/^settings\./, "");
    document.querySelectorAll("[data-cmp-setting='" + name + "']").forEach(function (e) { e.setAttribute("aria-invalid", "true"); });
  }
}
function clearError() {
  var b = $("[data-testid=compare-error]");
  if (b) b.hidden = true;
  var art = $("article.cmp");
  if (art) art.classList.remove("cmp-stale");
  document.querySelectorAll("[aria-invalid=true]").forEach(function (e) { e.removeAttribute("aria-invalid"); });
}

function onFrame(m) {
  clearError();
  lines = m.lines;
  frames++;
  lastFrame = m;
  drawFit();
  showLines(m.step, m.steps);
}

function onCompare(d) {
  wantCompare = 0;
  clearError();
  var keep = data;
  data = d;
  syncURL();
  if (page === "regression") {
    data.fit.points = keep.fit.points; // the outlier may have moved since
    var ids = ["loss", "derivative"];
    if (keep.theme !== d.theme) ids.push("fit"); // redrawn in the new palette, with the lines shown
    drawCharts(d.charts, ids);
    sendFit(fitsSent > 0);
  } else if (page === "classification") {
    drawCharts(d.charts);
    renderClassification(d);
  } else {
    drawCharts(d.charts);
    renderMargin(d);
  }
}

// ---- Tables -------------------------------------------------------------------------

function renderClassification(d) {
  var C = d.settings.logits.length;
  var t = $("[data-testid=class-losses]");
  var head = el("tr");
  head.appendChild(el("th", { scope: "col" }, word("colLoss")));
  head.appendChild(el("th", { scope: "col" }, word("colValue")));
  for (var i = 0; i < C; i++) {
    var th = el("th", { scope: "col" }, "∂L/∂z");
    th.appendChild(el("sub", null, String(i)));
    head.appendChild(th);
  }
  t.tHead.replaceChildren(head);
  var body = t.tBodies[0];
  var cells = fmtTable([].concat.apply([], d.result.losses.map(function (l) { return [l.value].concat(l.grad); })));
  var at = 0;
  d.result.losses.forEach(function (l) {
    var row = body.querySelector("tr[data-loss='" + l.loss + "']");
    row.querySelectorAll("td").forEach(function (td) { td.remove(); });
    row.appendChild(el("td", { class: "v", "data-testid": "value-" + l.loss }, cells[at++]));
    l.grad.forEach(function (g, j) { row.appendChild(el("td", { class: "v g", "data-testid": "grad-" + l.loss + "-" + j }, cells[at++])); });
  });
  var pb = $("[data-testid=class-probs]").tBodies[0];
  pb.replaceChildren();
  var probs = fmtTable(d.result.softmax.concat(d.result.sigmoid));
  d.settings.logits.forEach(function (z, j) {
    var tr = el("tr");
    tr.appendChild(el("th", { scope: "row" }, String(j)));
    tr.appendChild(el("td", { class: "v" }, String(z)));
    tr.appendChild(el("td", { class: "v" }, probs[j]));
    tr.appendChild(el("td", { class: "v" }, probs[d.settings.logits.length + j]));
    pb.appendChild(tr);
  });
  var sel = $("#cmp-target");
  if (sel.options.length !== C) {
    sel.replaceChildren();
    for (var k = 0; k < C; k++) sel.appendChild(el("option", { value: String(k) }, String(k)));
  }
  sel.value = String(d.settings.target);
  var agree = $("[data-testid=ce-nll-agree] .cmp-diff");
  if (agree) agree.textContent = d.diff === 0 ? word("cmpSame") : word("cmpDiffer", d.diff.toExponential(1));
}

function renderMargin(d) {
  var cells = fmtTable([].concat.apply([], d.rows.map(function (r) { return [r.at, r.at_grad]; })));
  d.rows.forEach(function (r, i) {
    var tr = document.querySelector("[data-testid=margin-rows] tr[data-loss='" + r.name + "']");
    if (!tr) return;
    var tds = tr.querySelectorAll("td");
    tds[1].textContent = cells[2 * i];
    tds[2].textContent = cells[2 * i + 1];
  });
}

// ---- Controls -------------------------------------------------------------------------

function syncInputs(name, v, except) {
  document.querySelectorAll("[data-cmp-setting='" + name + "']").forEach(function (e) {
    if (e !== except) e.value = String(v);
  });
}

function queryString() {
  var q = new URLSearchParams(location.search);
  Object.keys(data.settings).forEach(function (k) {
    // The language stays in the link only if the reader chose it (then
    // it is in location.search already); else the link speaks its reader's.
    if (k === "lang") return;
    var v = data.settings[k];
    q.set(k, Array.isArray(v) ? v.join(",") : String(v));
  });
  return q.toString();
}

// syncURL writes the settings into the address bar and, once per frame,
// tells other modules (lp:state).
var announcing = 0;
function syncURL() {
  history.replaceState(null, "", location.pathname + "?" + queryString());
  if (!announcing) announcing = requestAnimationFrame(function () { announcing = 0; announce(); });
}

function announce() {
  document.dispatchEvent(new CustomEvent("lp:state", {
    detail: {
      loss: "", slug: "compare/" + page, params: JSON.parse(JSON.stringify(data.settings)), inputs: {},
      view: { theme: theme() }, query: queryString(),
    },
  }));
}

// applySettings sets the page to settings from another module
// (lp:apply: params are the settings); a reply shaped like a
// compare_result message is shown without computing again.
function applySettings(d) {
  if (!data || !d) return;
  var s = d.params || {};
  Object.keys(s).forEach(function (k) { if (k in data.settings) data.settings[k] = JSON.parse(JSON.stringify(s[k])); });
  if ("target" in s) chosenTarget = data.settings.target;
  Object.keys(data.settings).forEach(function (k) {
    var v = data.settings[k];
    syncInputs(k, Array.isArray(v) ? v.join(", ") : v);
  });
  if (page === "regression" && "outlier" in s) {
    data.fit.points[outlierIndex()][1] = data.settings.outlier;
    drawFit();
  }
  syncURL();
  if (d.reply && d.reply.type === "compare_result" && d.reply.data) { wantCompare = 0; onCompare(d.reply.data); }
  else sendCompare();
}

// lock makes the settings read-only while another module steers the
// page (lp:lock).
var locked = false;
function lock(d) {
  locked = !!(d && d.locked);
  document.querySelectorAll("[data-cmp-setting], [data-testid=fit-replay]").forEach(function (e) { e.disabled = locked; });
  var label = $("[data-testid=lock-status]");
  if (label) { label.textContent = locked ? (d.label || word("locked")) : ""; label.hidden = !locked; }
  root.classList.toggle("locked", locked);
}

function parseLogits(text) {
  var parts = text.split(/[\s,;]+/).filter(function (s) { return s !== ""; });
  var out = [];
  for (var i = 0; i < parts.length; i++) {
    var v = Number(parts[i]);
    if (!isFinite(v) || parts[i].trim() === "") return { error: "logits[" + i + "]: " + word("notANumberGot", parts[i]) };
    out.push(v);
  }
  return { logits: out };
}

function initControls() {
  document.querySelectorAll("[data-cmp-setting]").forEach(function (input) {
    var name = input.dataset.cmpSetting;
    var ev = input.tagName === "SELECT" ? "change" : "input";
    input.addEventListener(ev, function () {
      if (name === "logits") {
        var p = parseLogits(input.value);
        if (p.error) { showError({ error: p.error, field: "logits" }); return; }
        data.settings.logits = p.logits;
        // Fewer classes for a moment (the reader retyping): the nearest
        // class, and the chosen one again once it exists.
        data.settings.target = Math.max(0, Math.min(chosenTarget, p.logits.length - 1));
      } else if (name === "target") {
        data.settings.target = chosenTarget = Number(input.value);
      } else {
        var v = Number(input.value);
        if (input.value.trim() === "" || !isFinite(v)) { showError({ error: name + ": " + word("notANumber"), field: name }); return; }
        syncInputs(name, v, input);
        if (name === "outlier") { setOutlier(v, true); return; }
        data.settings[name] = v;
      }
      // The address bar takes the settings once the server accepted them
      // (onCompare): a permalink never holds settings that answer 400.
      sendCompare();
    });
  });
  var replay = $("[data-testid=fit-replay]");
  if (replay) replay.addEventListener("click", function () { sendFit(false); });
}

// A theme switch (app.js sets data-theme) or a change of the system
// preference redraws the charts in the other palette.
function watchTheme() {
  var redraw = function () { if (data && data.theme !== theme()) sendCompare(); };
  new MutationObserver(redraw).observe(root, { attributes: true, attributeFilter: ["data-theme"] });
  if (window.matchMedia) {
    var mq = window.matchMedia("(prefers-color-scheme: dark)");
    if (mq.addEventListener) mq.addEventListener("change", redraw);
  }
}

function boot() {
  var block = document.getElementById("compare-data");
  if (!block) return;
  try { data = JSON.parse(block.textContent); } catch (e) { return; }
  page = data.page;
  if (page === "regression") lines = data.lines;
  if (page === "classification") chosenTarget = data.settings.target;
  // charts.js finds a chart by its element's id and data-chart.
  document.querySelectorAll("[data-cmp-chart]").forEach(function (e) {
    e.id = "chart-" + e.dataset.cmpChart;
    e.dataset.chart = e.dataset.cmpChart;
  });
  set = new ChartSet(document.querySelector("article.cmp") || document.body, onDraw);
  drawCharts(data.charts);
  initControls();
  watchTheme();
  // charts.js resizes the charts; the handle follows the outlier.
  window.addEventListener("resize", placeHandle);
  var fitHost = document.getElementById("chart-fit");
  if (fitHost && window.ResizeObserver) new ResizeObserver(function () { placeHandle(); }).observe(fitHost);
  document.addEventListener("lp:apply", function (ev) { applySettings(ev.detail); });
  document.addEventListener("lp:lock", function (ev) { lock(ev.detail); });
  connect();
  // Once every module of the page has run, so that listeners hear it.
  if (document.readyState === "complete") announce();
  else window.addEventListener("load", announce, { once: true });
}

whenReady(boot);

// For tests and the curious.
window.lossCompare = {
  state: function () { return { page: page, theme: data && data.theme, settings: data && data.settings, lines: lines, frames: frames, lastFrame: lastFrame, wsOpen: wsOpen }; },
  setOutlier: function (y) { setOutlier(y); },
};
