// Numbers and tensors as the page shows and sends them. Tensors are nested
// arrays; NaN and the infinities travel as the strings "NaN", "Infinity"
// and "-Infinity" (docs/protocol.md).

// torchFormat writes one number as PyTorch prints a lone float element.
export function torchFormat(v) {
  if (typeof v === "string") return v === "NaN" ? "nan" : v === "Infinity" ? "inf" : v === "-Infinity" ? "-inf" : v;
  if (!isFinite(v)) return isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
  const a = Math.abs(v);
  if (Number.isInteger(v) && a <= 1e8) return v.toFixed(0) + "."; // PyTorch: scientific above 1e8
  if (a !== 0 && (a < 1e-4 || a >= 1e8)) return v.toExponential(4).replace(/e([+-])(\d)$/, "e$10$2");
  return v.toFixed(4);
}

export function shapeOf(a) {
  const s = [];
  while (Array.isArray(a)) { s.push(a.length); a = a[0]; }
  return s;
}

export function flatten(a) {
  if (!Array.isArray(a)) return [a];
  const out = [];
  (function rec(x) { if (Array.isArray(x)) x.forEach(rec); else out.push(x); })(a);
  return out;
}

export function unflatten(flat, shape) {
  if (shape.length === 0) return flat[0];
  let i = 0;
  return (function rec(d) {
    const out = [];
    for (let k = 0; k < shape[d]; k++) out.push(d === shape.length - 1 ? flat[i++] : rec(d + 1));
    return out;
  })(0);
}

// num reads a wire number (a number or one of the special strings).
export function num(v) {
  if (typeof v === "number") return v;
  if (v === "NaN") return NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  return Number(v);
}

// jsonNum writes a number for the wire.
export function jsonNum(v) {
  if (isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  return v;
}

// parseCell reads what a student typed: a number, nan, inf or -inf; null
// when it is none of them.
export function parseCell(text) {
  const t = String(text).trim().toLowerCase();
  if (t === "nan") return NaN;
  if (t === "inf" || t === "+inf" || t === "infinity") return Infinity;
  if (t === "-inf" || t === "-infinity") return -Infinity;
  if (t === "") return null;
  const v = Number(t);
  return isNaN(v) ? null : v;
}

export function fmtCell(v, integer) {
  if (isNaN(v)) return "nan";
  if (!isFinite(v)) return v > 0 ? "inf" : "-inf";
  return integer ? String(Math.round(v)) : String(v);
}

export function roundTo(x, integer) { return integer ? Math.round(x) : Math.round(x * 1000) / 1000; }

// indexLabel writes flat index i over shape as "i" or "[i,j]".
export function indexLabel(i, shape) {
  if (shape.length === 1) return String(i);
  const idx = [];
  for (let d = shape.length - 1; d >= 0; d--) { idx[d] = i % shape[d]; i = Math.floor(i / shape[d]); }
  return "[" + idx.join(",") + "]";
}

export function clone(v) { return v === undefined ? undefined : JSON.parse(JSON.stringify(v)); }
