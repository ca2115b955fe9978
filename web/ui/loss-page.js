// The loss page (and its embed): the server renders it complete; this
// module makes it live. Every change of the state goes to the server over
// the WebSocket with at most one compute in flight: while one is out, the
// newest state waits and older ones are dropped, so a drag costs one
// round trip per answer, never a queue. Each answer carries the loss,
// gradients, charts and the whole result panel (docs/protocol.md), and
// nothing is fetched over HTTP while the page is live.
//
// Other modules follow and steer the page only through events on
// document (docs/protocol.md, "Page events"): "lp:state" after every
// change, "lp:apply" to set a state (with a ready reply or not), "lp:lock"
// to make the controls read-only.
import { isDark, onThemeChange, refreshHeaderLinks, whenReady } from "./site.js";
import { ChartSet } from "./charts.js";
import { ResultDock } from "./dock.js";
import { clone } from "./format.js";
import { Controls } from "./controls.js";
import { Editors } from "./editors.js";
import { renderPanel, renderPanelError } from "./panel.js";
import { LiveSocket, isClassMessage } from "./socket.js";
import { announce, syncURL } from "./state.js";
import { word } from "./i18n.js";
import "./chartlinks.js"; // the charts' image links follow lp:state

const root = document.documentElement;

let page = null;     // {spec, params, inputs, view, lang, ctc}
let charts = null;
let dock = null;
let controls = null;
let editors = null;
let socket = null;
let locked = false;

// State versions: seq is the newest state, sent the newest sent, inflight
// the one whose answer is awaited (-1: none), shown the one on screen.
let seq = 0;
let sent = -1;
let inflight = -1;
let shown = 0;
let connectedOnce = false;
let frame = 0;

// changed is called by the controls and editors after a user's change.
function changed() {
  if (locked) return;
  stateChanged();
}

function stateChanged() {
  seq++;
  pump();
  schedule();
}

// schedule brings the form fields, the address bar and "lp:state" up to
// date once per animation frame, however many input events the frame
// brought. (The compute itself goes at once when none is in flight: the
// answer is on its way while the frame is drawn.)
function schedule() {
  if (!frame) frame = requestAnimationFrame(() => { frame = 0; editors.syncFormFields(); syncURL(page); announce(page); });
}

// pump sends the newest state unless a compute is in flight; its answer
// pumps again.
function pump() {
  if (inflight >= 0 || sent >= seq || !socket || !socket.open) return;
  const view = Object.assign({}, page.view, { theme: isDark() ? "dark" : "light" });
  const msg = { type: "compute", id: seq, loss: page.spec.name, params: page.params, inputs: page.inputs, detail: true, view };
  if (page.dtype === "float32") msg.dtype = "float32";
  if (socket.send(msg)) inflight = sent = seq;
}

function onMessage(msg) {
  // The class module (if the page is in a class) hears its own messages.
  if (isClassMessage(msg)) return;
  // The newest state goes out before this answer is drawn, so that the
  // server computes it while the page renders.
  if ((msg.type === "result" || msg.type === "error") && msg.id === inflight) inflight = -1;
  if (msg.type === "superseded" && msg.ids.indexOf(inflight) >= 0) inflight = -1;
  pump();
  if (msg.type === "result") {
    if (msg.id >= shown) show(msg);
  } else if (msg.type === "error") {
    if (msg.id == null || msg.id >= shown) showError(msg);
  }
}

// show renders a result message: loss, panel and charts.
function show(msg) {
  shown = msg.id;
  liveError("");
  markInvalid("");
  const host = document.getElementById("result-panel");
  if (msg.panel) {
    const rebuilt = renderPanel(host, msg.panel);
    if (dock) {
      if (rebuilt) dock.watch();
      dock.update(msg.panel.loss, msg.panel.loss_exact, msg.charts && msg.charts.curve);
    }
  } else {
    const out = host.querySelector("[data-testid=loss-value]");
    if (out && !Array.isArray(msg.loss)) { out.dataset.exact = String(msg.loss); out.title = String(msg.loss); }
  }
  if (msg.charts) charts.update(msg.charts);
}

function showError(msg) {
  if (typeof msg.id === "number") shown = msg.id;
  renderPanelError(document.getElementById("result-panel"), msg.error || "error");
  if (dock) { dock.watch(); dock.update("error", "", null); }
  markInvalid(msg.field || "");
}

function liveError(text) {
  const el = document.querySelector("[data-testid=live-error]");
  if (!el) return;
  el.textContent = text || "";
  el.hidden = !text;
}

// markInvalid flags the control an error's field names (params.margin,
// input).
function markInvalid(field) {
  document.querySelectorAll(".control[aria-invalid=true], .editor[aria-invalid=true]").forEach((el) => el.removeAttribute("aria-invalid"));
  const m = /^\s*(?:params\.)?([A-Za-z_0-9]+)/.exec(field);
  if (!m) return;
  const box = document.getElementById("ctl-" + m[1]);
  if (box) box.setAttribute("aria-invalid", "true");
}

function setOnline(online) {
  const el = document.querySelector("[data-testid=conn-status]");
  if (el) el.hidden = online;
  root.classList.toggle("offline", !online);
}

function onOpen() {
  // A new connection (after a restart, say) answers nothing sent
  // before: send the state again, and the whole page is refreshed. The
  // first connection has nothing to refresh while the reader has changed
  // nothing: the page shows the server's answer for state 0 (its charts
  // repainted in the reader's theme by charts.js), so asking again would
  // only redraw the same numbers.
  inflight = -1;
  sent = connectedOnce || seq > 0 ? -1 : 0;
  connectedOnce = true;
  pump();
}

// apply sets the page to a state given by another module: lp:apply.
function apply(detail) {
  const d = detail || {};
  const params = {};
  page.spec.params.forEach((p) => { params[p.name] = p.default === undefined ? null : clone(p.default); });
  const inputs = {};
  page.spec.inputs.forEach((i) => { inputs[i.name] = clone(i.example); });
  Object.assign(params, clone(d.params || {}));
  Object.assign(inputs, clone(d.inputs || {}));
  page.params = params;
  page.inputs = inputs;
  if (d.dtype === "float32") page.dtype = "float32"; else delete page.dtype;
  // The theme and the language stay the student's own.
  const own = { theme: page.view.theme, lang: page.view.lang };
  page.view = Object.assign({}, clone(d.view || {}));
  for (const k of Object.keys(own)) {
    if (own[k]) page.view[k] = own[k]; else delete page.view[k];
  }
  controls.page = editors.page = page;
  controls.setValues();
  editors.resetScores();
  editors.renderAll();
  syncViewSwitches();
  if (d.reply) {
    // Shown as if it had come on our socket, and not computed again.
    seq++;
    sent = seq;
    show(Object.assign({}, d.reply, { id: seq }));
    schedule();
  } else {
    stateChanged();
  }
}

function lock(detail) {
  locked = !!(detail && detail.locked);
  controls.lock(locked);
  editors.lock(locked);
  document.querySelectorAll("input[name=lattice-view], input[name=overlay-view]").forEach((el) => { el.disabled = locked; });
  const label = document.querySelector("[data-testid=lock-status]");
  if (label) {
    label.textContent = locked ? (detail.label || word("locked")) : "";
    label.hidden = !locked;
  }
  root.classList.toggle("locked", locked);
}

function syncViewSwitches() {
  const ov = document.querySelector("input[name=overlay-view]");
  if (ov) ov.checked = !!page.view.overlay;
  document.querySelectorAll("input[name=lattice-view]").forEach((r) => {
    r.checked = r.value === (page.view.lattice || "alpha");
  });
}

function initViewSwitches() {
  const ov = document.querySelector("input[name=overlay-view]");
  if (ov) ov.addEventListener("change", () => { page.view.overlay = ov.checked; changed(); });
  document.querySelectorAll("input[name=lattice-view]").forEach((r) => {
    r.addEventListener("change", () => {
      if (!r.checked) return;
      page.view.lattice = r.value;
      changed();
    });
  });
}

// initSymbolHighlight lights a formula's symbol while its control is
// focused or hovered, and the control while its symbol is hovered.
function initSymbolHighlight() {
  const on = (name, yes) => {
    document.querySelectorAll(".lp-sym-" + CSS.escape(name)).forEach((el) => el.classList.toggle("on", yes));
    document.querySelectorAll('[data-symbol-for="' + name + '"]').forEach((el) => el.classList.toggle("on", yes));
    const box = document.getElementById("ctl-" + name);
    if (box) box.classList.toggle("on", yes);
  };
  document.querySelectorAll(".control[data-param], .editor[data-input]").forEach((box) => {
    const name = box.dataset.param || box.dataset.input;
    box.addEventListener("focusin", () => on(name, true));
    box.addEventListener("focusout", () => on(name, false));
    box.addEventListener("mouseenter", () => on(name, true));
    box.addEventListener("mouseleave", () => on(name, false));
  });
  document.querySelectorAll("[data-symbol-for]").forEach((li) => {
    li.addEventListener("mouseenter", () => on(li.dataset.symbolFor, true));
    li.addEventListener("mouseleave", () => on(li.dataset.symbolFor, false));
  });
}

function copyText(text, button) {
  const done = () => {
    const old = button.textContent;
    button.textContent = word("copied");
    setTimeout(() => { button.textContent = old; }, 1200);
  };
  if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(text).then(done, done);
  else done();
}

function initActions() {
  document.addEventListener("click", (ev) => {
    const b = ev.target.closest("[data-action]");
    if (!b) return;
    if (b.dataset.action === "copy-snippet") {
      const code = document.querySelector("[data-testid=pytorch-snippet]");
      if (code) copyText(code.textContent, b);
    } else if (b.dataset.action === "permalink") {
      syncURL(page, true);
      copyText(location.href, b);
    }
  });
}

function boot() {
  const data = document.getElementById("lp-data");
  if (!data) return;
  try { page = JSON.parse(data.textContent); } catch (e) { return; }
  page.view = page.view || {};
  const embed = !!document.querySelector("[data-testid=embed]");
  charts = new ChartSet(document.querySelector(".charts"));
  charts.partsOnSight = !embed;
  const first = document.getElementById("lp-charts");
  if (first) {
    try { charts.update(JSON.parse(first.textContent)); } catch (e) { /* no charts */ }
  }
  window.lossPlayground = {
    state: () => page,
    ids: () => ({ seq, shownLoss: shown, inflight, wsOpen: !!(socket && socket.open) }),
  };
  if (embed) return;
  const form = document.getElementById("controls");
  controls = new Controls(form, page, changed);
  editors = new Editors(form, page, changed, controls);
  const dockEl = document.querySelector("[data-testid=result-dock]");
  if (dockEl) {
    dock = new ResultDock(dockEl);
    const out = document.querySelector("[data-testid=loss-value]");
    let curve = null;
    try { curve = JSON.parse(first.textContent).curve; } catch (e) { /* no curve */ }
    dock.update(out ? out.textContent : null, out ? out.dataset.exact : "", curve);
  }
  initSymbolHighlight();
  initViewSwitches();
  initActions();
  refreshHeaderLinks();
  onThemeChange(() => {
    if (root.dataset.theme) page.view.theme = root.dataset.theme;
    if (!locked) stateChanged(); // charts come back in the new palette
  });
  document.addEventListener("lp:apply", (ev) => apply(ev.detail));
  document.addEventListener("lp:lock", (ev) => lock(ev.detail));
  socket = new LiveSocket({ onOpen, onMessage, onStatus: setOnline });
  socket.connect();
  afterLoad(() => announce(page));
  initClass();
}

// The class paths and the teaching flag (class-common.js); repeated here
// so that a page outside a class loads no class code at all.
const CLASS_PATH = /^\/c\/([2-9A-HJ-NP-Z]{6})\/?$/;
const TEACHING_KEY = "lp-class-teaching";

// initClass loads the class's module only when the page is in a class:
// a student's page (/c/{code}), the page of a browser that teaches, or
// once the Teach button is pressed. The class rides on the page's socket.
function initClass() {
  const m = CLASS_PATH.exec(location.pathname);
  if (m) {
    import("./class-student.js").then((mod) => { mod.startStudent(m[1], socket, true); announce(page); });
    return;
  }
  const teach = document.querySelector("[data-class-teach-start]");
  // The server kept the button's room (app.css); from here on its hidden
  // attribute alone decides.
  if (teach) teach.removeAttribute("data-class-teach-reserve");
  let teaching = null;
  try { teaching = localStorage.getItem(TEACHING_KEY); } catch (e) { /* private mode */ }
  const start = (create) => import("./class-teacher.js").then((mod) => { mod.startTeacher(socket, create); announce(page); });
  if (teaching) { start(false); return; }
  if (!teach) return;
  teach.hidden = false;
  const once = () => { teach.removeEventListener("click", once); start(true); };
  teach.addEventListener("click", once);
}

// afterLoad runs fn once the page has loaded: every module script of the
// page has run by then, so whoever listens for the first "lp:state" hears it.
function afterLoad(fn) {
  if (document.readyState === "complete") fn();
  else window.addEventListener("load", fn, { once: true });
}

whenReady(boot);
