// The composer (/compose): the server renders the page complete; this
// module makes it live. Every change of the form goes to the server as a
// "compose" message over the WebSocket (docs/protocol.md) carrying the
// page's permalink query, with at most one in flight: while one is out,
// the newest state waits and older ones are dropped. The answer carries
// the parts that change, rendered by the server's own templates: the
// result panel, the parameters' sliders (when the formula names other
// parameters), the formula's error under the box, the chart, and the
// PyTorch function.
import { refreshHeaderLinks, whenReady } from "./site.js";
import { ChartSet } from "./charts.js";
import { LiveSocket } from "./socket.js";
import { word } from "./i18n.js";

let form = null;
let charts = null;
let socket = null;
let seq = 0;       // the newest state
let sent = -1;     // the newest state sent
let inflight = -1; // the state whose answer is awaited
let shown = 0;     // the state on screen

// query is the form's state as the permalink's query string.
function query() {
  const q = new URLSearchParams();
  new FormData(form).forEach((v, k) => q.set(k, String(v)));
  return q.toString();
}

function changed() {
  seq++;
  history.replaceState(null, "", "/compose?" + query());
  refreshHeaderLinks();
  links();
  pump();
}

function links() {
  const q = query();
  const p = document.querySelector("[data-compose-permalink]");
  if (p) p.href = "/compose?" + q;
  const e = document.querySelector("[data-compose-embed]");
  if (e) e.href = "/embed/compose?" + q;
  const i = document.querySelector("[data-compose-image]");
  if (i) i.href = "/compose/charts/curve.svg?" + q;
}

function pump() {
  if (inflight >= 0 || sent >= seq || !socket || !socket.open) return;
  if (socket.send({ type: "compose", id: seq, query: query() })) inflight = sent = seq;
}

function onMessage(msg) {
  if ((msg.type === "compose_result" || msg.type === "error") && msg.id === inflight) inflight = -1;
  if (msg.type === "superseded" && msg.ids.indexOf(inflight) >= 0) inflight = -1;
  pump();
  if (msg.type === "compose_result" && msg.id >= shown) show(msg);
  else if (msg.type === "error" && (msg.id == null || msg.id >= shown)) {
    if (typeof msg.id === "number") shown = msg.id;
    const host = document.querySelector("[data-compose-result]");
    host.innerHTML = "";
    const p = document.createElement("p");
    p.className = "banner error";
    p.setAttribute("role", "alert");
    p.dataset.testid = "compose-error";
    p.textContent = msg.error || "error";
    host.appendChild(p);
  }
}

// show renders an answer. The sliders are replaced only when the formula
// names other parameters: a slider being dragged keeps its element.
function show(msg) {
  shown = msg.id;
  document.querySelector("[data-compose-result]").innerHTML = msg.panel;
  const err = document.getElementById("formula-error");
  if (err) {
    const tmp = document.createElement("div");
    tmp.innerHTML = msg.formula_error;
    const fresh = tmp.firstElementChild;
    if (fresh) err.replaceWith(fresh);
  }
  const params = document.querySelector("[data-compose-params]");
  const names = Array.from(params.querySelectorAll("[data-param]")).map((el) => el.dataset.param);
  const want = msg.param_names || [];
  if (names.join(",") !== want.join(",") && msg.field !== "formula") {
    params.innerHTML = msg.params;
    history.replaceState(null, "", "/compose?" + query());
    links();
  }
  const code = document.querySelector("[data-compose-pytorch]");
  if (code && msg.pytorch) code.textContent = msg.pytorch;
  if (msg.chart) {
    // A page opened on a wrong formula has no chart yet.
    document.querySelector("[data-testid=chart-curve]").hidden = false;
    charts.update({ curve: msg.chart });
  }
  document.documentElement.dataset.composeShown = String(shown);
}

function onInput(ev) {
  const t = ev.target;
  if (t.dataset && t.dataset.rangeFor) {
    const box = form.querySelector('input[name="' + CSS.escape(t.dataset.rangeFor) + '"]');
    if (box) box.value = t.value;
  } else if (t.type === "number" && t.name) {
    const r = form.querySelector('input[data-range-for="' + CSS.escape(t.name) + '"]');
    if (r) {
      const v = parseFloat(t.value);
      // A value beyond the slider's range widens it: the number is the truth.
      if (v > parseFloat(r.max)) r.max = String(v);
      if (v < parseFloat(r.min)) r.min = String(v);
      r.value = t.value;
    }
  }
  changed();
}

whenReady(() => {
  const root = document.querySelector("[data-compose]");
  if (!root) return;
  charts = new ChartSet(root.querySelector("[data-compose-charts]"));
  let data = null;
  try { data = JSON.parse(document.getElementById("lp-compose").textContent); } catch (e) { data = null; }
  if (data && data.chart) charts.update({ curve: data.chart });
  form = root.querySelector("[data-compose-form]");
  const copy = root.querySelector("[data-compose-copy]");
  if (copy) copy.addEventListener("click", () => {
    const text = root.querySelector("[data-compose-pytorch]").textContent;
    const done = () => { copy.textContent = word("copied"); };
    if (navigator.clipboard) navigator.clipboard.writeText(text).then(done, () => {});
  });
  if (!form) return; // the embed: a still picture of its state
  form.addEventListener("input", onInput);
  form.addEventListener("change", onInput);
  form.addEventListener("submit", (ev) => { ev.preventDefault(); changed(); });
  const status = root.querySelector("[data-testid=conn-status]");
  socket = new LiveSocket({
    onOpen: () => { sent = -1; inflight = -1; pump(); },
    onMessage,
    onStatus: (online) => {
      if (status) status.hidden = online;
      document.documentElement.dataset.composeLive = online ? "1" : "0";
    },
  });
  socket.connect();
});
