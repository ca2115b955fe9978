// The loss page's state — parameters, inputs, view and dtype — and its two
// outward faces: the permalink in the address bar and the "lp:state"
// event other modules follow (docs/protocol.md, "Page events").
import { refreshHeaderLinks } from "./site.js";

// bare writes a value as the URL carries it: strings that are not JSON
// as they are, everything else as JSON.
function bare(v) {
  if (typeof v === "string") {
    try { JSON.parse(v); return JSON.stringify(v); } catch (e) { return v; }
  }
  return JSON.stringify(v);
}

// queryOf is the permalink query of a page state (no leading "?"):
// parameters and inputs that differ from their defaults, and the view.
export function queryOf(page) {
  const q = new URLSearchParams();
  page.spec.params.forEach((p) => {
    const v = page.params[p.name];
    if (JSON.stringify(v) !== JSON.stringify(p.default === undefined ? null : p.default)) q.set(p.name, bare(v));
  });
  page.spec.inputs.forEach((i) => {
    const v = page.inputs[i.name];
    if (JSON.stringify(v) !== JSON.stringify(i.example)) q.set(i.name, bare(v));
  });
  const v = page.view;
  if (v.element) q.set("element", String(v.element));
  if (v.overlay) q.set("overlay", "1");
  if (v.lattice && !(page.ctc && v.lattice === "alpha")) q.set("lattice", v.lattice);
  if (v.theme) q.set("theme", v.theme);
  if (page.lang) q.set("lang", page.lang);
  if (page.dtype === "float32") q.set("dtype", "float32");
  return q.toString();
}

// urlEveryMs spaces address-bar updates while dragging: browsers throttle
// faster history.replaceState calls. The last state is always written.
const urlEveryMs = 150;
let urlLast = 0;
let urlTimer = 0;
let urlPage = null;

// syncURL writes the page's state into the address bar, now or at most
// every urlEveryMs.
export function syncURL(page, now) {
  urlPage = page;
  const wait = now ? 0 : urlLast + urlEveryMs - Date.now();
  if (wait > 0) {
    if (!urlTimer) urlTimer = setTimeout(() => { urlTimer = 0; syncURL(urlPage); }, wait);
    return;
  }
  clearTimeout(urlTimer);
  urlTimer = 0;
  urlLast = Date.now();
  const qs = queryOf(page);
  const want = location.pathname + (qs ? "?" + qs : "");
  if (want !== location.pathname + location.search) history.replaceState(null, "", want);
  refreshHeaderLinks();
}

// announce dispatches "lp:state" with the page's whole state and its
// permalink query.
export function announce(page) {
  document.dispatchEvent(new CustomEvent("lp:state", {
    detail: {
      loss: page.spec.name, slug: page.spec.slug,
      params: JSON.parse(JSON.stringify(page.params)), inputs: JSON.parse(JSON.stringify(page.inputs)),
      view: Object.assign({}, page.view), dtype: page.dtype || "float64", query: queryOf(page),
    },
  }));
}

// predictionSpec is the spec of the differentiable, non-integer input.
export function predictionSpec(page) {
  return page.spec.inputs.find((i) => i.differentiable && !i.integer);
}

// numClasses is the class dimension of the prediction: dim 1 of an (N, C,
// ...) input, or dim 0 of a 1-d input (CTC: the last dimension).
export function numClasses(page) {
  const pred = predictionSpec(page);
  if (!pred) return 0;
  const s = shapeOfValue(page.inputs[pred.name]);
  if (page.ctc) return s[s.length - 1];
  return s.length >= 2 ? s[1] : s.length === 1 ? s[0] : 0;
}

// perClassCount is the length a per-class tensor parameter needs:
// pos_weight broadcasts along the last dimension of the input, weight has
// one entry per class.
export function perClassCount(page, p) {
  if (p.name === "pos_weight") {
    const pred = predictionSpec(page);
    const s = pred ? shapeOfValue(page.inputs[pred.name]) : [];
    return s.length ? s[s.length - 1] : 1;
  }
  return numClasses(page);
}

function shapeOfValue(a) {
  const s = [];
  while (Array.isArray(a)) { s.push(a.length); a = a[0]; }
  return s;
}
