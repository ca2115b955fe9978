// The tensor editors: a grid of cells per input (type a number, or drag a
// cell sideways to nudge it), class pickers for class-index targets, row
// and class buttons, randomize and reset, and CTC targets typed as text.
// They write into the page state and call changed().
import { clone, flatten, fmtCell, indexLabel, jsonNum, num, parseCell, roundTo, shapeOf, unflatten } from "./format.js";
import { numClasses } from "./state.js";
import { word } from "./i18n.js";

export class Editors {
  // controls is told when the class count changes (per-class weights).
  constructor(form, page, changed, controls) {
    this.page = page;
    this.changed = changed;
    this.controls = controls;
    this.locked = false;
    this.eds = {};
    form.querySelectorAll(".editor[data-input]").forEach((box) => {
      const name = box.dataset.input;
      const spec = page.spec.inputs.find((i) => i.name === name);
      const ed = { name, spec, box, host: box.querySelector(".grid-host") };
      this.eds[name] = ed;
      if (page.ctc && spec.role === "target") { ed.textOnly = true; this.initCTCTargets(ed); }
    });
    this.resetScores();
    this.renderAll();
  }

  // resetScores takes CTC's per-frame scores from the state's log_probs
  // (log-softmaxed scores are their own scores).
  resetScores() {
    const ed = this.eds.log_probs;
    if (this.page.ctc && ed) ed.scores = clone(this.page.inputs.log_probs);
  }

  renderAll() {
    Object.values(this.eds).forEach((ed) => {
      if (ed.textOnly) this.renderCTCTargets(ed);
      this.render(ed);
    });
    this.syncFormFields();
  }

  value(ed) { return ed.scores || this.page.inputs[ed.name]; }

  setValue(ed, value) {
    if (ed.scores) {
      ed.scores = value;
      this.page.inputs[ed.name] = logSoftmaxRows(value);
    } else {
      this.page.inputs[ed.name] = value;
    }
  }

  isClassTarget(ed) { return ed.box.hasAttribute("data-class-target"); }

  // syncFormFields keeps the no-script form fields equal to the state, so
  // that submitting it gives the same page.
  syncFormFields() {
    const page = this.page;
    page.spec.inputs.forEach((i) => {
      const ta = document.getElementById("in-" + i.name);
      if (ta) ta.value = JSON.stringify(page.inputs[i.name]);
    });
    page.spec.params.forEach((p) => {
      if (p.kind !== "tensor") return;
      const ta = document.getElementById("p-" + p.name);
      if (ta) ta.value = JSON.stringify(page.params[p.name]);
    });
  }

  render(ed) {
    if (ed.textOnly) { ed.host.replaceChildren(); return; }
    const page = this.page;
    const value = this.value(ed);
    const shape = shapeOf(value);
    const flat = flatten(value);
    const cols = shape.length ? shape[shape.length - 1] : 1;
    const rows = cols ? flat.length / cols : 0;
    const lead = shape.slice(0, -1);
    const wrap = document.createElement("div");
    wrap.className = "grid-wrap";
    const table = document.createElement("table");
    table.className = "grid";
    table.setAttribute("data-testid", "grid-" + ed.name);
    if (shape.length >= 1) {
      const head = table.createTHead().insertRow();
      // The corner: a cell, not an empty header.
      if (lead.length) head.appendChild(document.createElement("td"));
      for (let j = 0; j < cols; j++) {
        const th = document.createElement("th");
        th.textContent = String(j);
        th.scope = "col";
        head.appendChild(th);
      }
    }
    const body = table.createTBody();
    const C = numClasses(page);
    const ign = page.spec.params.some((p) => p.name === "ignore_index") ? page.params.ignore_index : null;
    for (let r = 0; r < rows; r++) {
      const tr = body.insertRow();
      if (lead.length) {
        const rh = document.createElement("th");
        rh.scope = "row";
        rh.textContent = indexLabel(r, lead);
        tr.appendChild(rh);
      }
      for (let c = 0; c < cols; c++) {
        const k = r * cols + c;
        const td = tr.insertCell();
        const label = ed.name + (shape.length ? "[" + indexLabel(k, shape).replace(/^\[|\]$/g, "") + "]" : "");
        if (this.isClassTarget(ed)) td.appendChild(this.classPicker(ed, k, num(flat[k]), C, ign, label));
        else td.appendChild(this.cellInput(ed, k, flat[k], label));
      }
    }
    wrap.appendChild(table);
    const tools = document.createElement("div");
    tools.className = "grid-tools";
    const add = (text, fn, title) => {
      const b = document.createElement("button");
      b.type = "button"; b.textContent = text; b.title = title || text;
      b.disabled = this.locked;
      b.addEventListener("click", fn);
      tools.appendChild(b);
    };
    if (!page.ctc && shape.length >= 1 && !ed.spec.integer && !this.isClassTarget(ed)) {
      if (shape.length >= 2) {
        add(word("addRow"), () => this.resizeRows(ed, +1), word("addRowTitle"));
        add(word("removeRow"), () => this.resizeRows(ed, -1), word("removeRowTitle"));
      }
      const hasClassTarget = Object.values(this.eds).some((e) => this.isClassTarget(e));
      const colWord = shape.length === 2 && numClasses(page) === shape[shape.length - 1] && hasClassTarget ? "class" : "column";
      add(word("add." + colWord), () => this.resizeCols(ed, +1), word("addTitle." + colWord));
      add(word("remove." + colWord), () => this.resizeCols(ed, -1), word("removeTitle." + colWord));
    }
    add(word("randomize"), () => this.randomize(ed));
    add(word("reset"), () => {
      const ex = clone(ed.spec.example);
      if (ed.scores) ed.scores = ex;
      page.inputs[ed.name] = ex;
      this.render(ed);
      this.changed();
    });
    ed.host.replaceChildren(wrap, tools);
  }

  setFlat(ed, k, v) {
    const value = this.value(ed);
    const flat = flatten(value);
    flat[k] = jsonNum(v);
    this.setValue(ed, unflatten(flat, shapeOf(value)));
    this.changed();
  }

  classPicker(ed, k, v, C, ign, label) {
    const sel = document.createElement("select");
    sel.setAttribute("aria-label", label);
    sel.disabled = this.locked;
    const opts = [];
    for (let c = 0; c < C; c++) opts.push(c);
    if (ign !== null && ign !== undefined && opts.indexOf(ign) < 0) opts.push(ign);
    // MultiLabelMarginLoss's labels end at the first -1: an end, not a class.
    const end = this.page.spec.name === "MultiLabelMarginLoss" ? -1 : null;
    if (end !== null && opts.indexOf(end) < 0) opts.push(end);
    if (opts.indexOf(v) < 0) opts.push(v);
    opts.forEach((c) => {
      const o = document.createElement("option");
      o.value = String(c);
      o.textContent = c === ign ? word("ignoreClass", c) : c === end ? word("labelsEnd", c) : word("classN", c);
      if (c === v) o.selected = true;
      sel.appendChild(o);
    });
    sel.addEventListener("change", () => this.setFlat(ed, k, Number(sel.value)));
    return sel;
  }

  // cellInput is one editable number: type a value, or drag horizontally
  // (or press ArrowUp/ArrowDown, with Shift for bigger steps) to nudge it.
  cellInput(ed, k, v, label) {
    const page = this.page;
    const inp = document.createElement("input");
    inp.type = "text";
    inp.inputMode = "decimal";
    inp.value = fmtCell(num(v), ed.spec.integer);
    inp.setAttribute("aria-label", label);
    inp.dataset.cell = String(k);
    inp.readOnly = this.locked;
    const integer = ed.spec.integer;
    const step = integer ? 1 : 0.01;
    // The curve chart follows the prediction element you touch.
    if (ed.spec.differentiable && !ed.scores) {
      inp.addEventListener("focus", () => {
        if (this.locked || (page.view.element || 0) === k) return;
        page.view.element = k;
        this.changed();
      });
    }
    inp.addEventListener("input", () => {
      const x = parseCell(inp.value);
      if (x === null || (integer && !Number.isInteger(x))) { inp.setAttribute("aria-invalid", "true"); return; }
      inp.removeAttribute("aria-invalid");
      this.setFlat(ed, k, x);
    });
    inp.addEventListener("keydown", (ev) => {
      if (this.locked || (ev.key !== "ArrowUp" && ev.key !== "ArrowDown")) return;
      ev.preventDefault();
      const cur = parseCell(inp.value) || 0;
      const d = (integer ? 1 : ev.shiftKey ? 1 : 0.1) * (ev.key === "ArrowUp" ? 1 : -1);
      const x = roundTo(cur + d, integer);
      inp.value = fmtCell(x, integer);
      this.setFlat(ed, k, x);
    });
    let drag = null;
    inp.addEventListener("pointerdown", (ev) => {
      if (this.locked || document.activeElement === inp || ev.button !== 0) return;
      ev.preventDefault();
      drag = { x: ev.clientX, start: parseCell(inp.value) || 0, moved: false };
      inp.setPointerCapture(ev.pointerId);
    });
    inp.addEventListener("pointermove", (ev) => {
      if (!drag) return;
      const dx = ev.clientX - drag.x;
      if (!drag.moved && Math.abs(dx) < 3) return;
      drag.moved = true;
      const per = integer ? 0.1 : step * Math.max(1, Math.abs(drag.start) / 2);
      const x = roundTo(drag.start + dx * per, integer);
      inp.value = fmtCell(x, integer);
      this.setFlat(ed, k, x);
    });
    const end = () => {
      if (!drag) return;
      const moved = drag.moved;
      drag = null;
      if (!moved) { inp.focus(); inp.select(); }
    };
    inp.addEventListener("pointerup", end);
    inp.addEventListener("pointercancel", end);
    return inp;
  }

  // resizeRows adds or removes the last sample of every input that has as
  // many rows as this one, so shapes stay compatible.
  resizeRows(ed, delta) {
    this.page.view.element = 0; // the old index may be gone
    const n = shapeOf(this.value(ed))[0];
    if (delta < 0 && n <= 1) return;
    Object.values(this.eds).forEach((e) => {
      let v = this.value(e);
      if (!Array.isArray(v) || v.length !== n) return;
      v = clone(v);
      if (delta > 0) v.push(clone(v[v.length - 1]));
      else v.pop();
      this.setValue(e, v);
      this.render(e);
    });
    this.changed();
  }

  // resizeCols adds or removes the last class (column) of every float
  // input with the same number of columns, and of per-class parameters.
  resizeCols(ed, delta) {
    const page = this.page;
    page.view.element = 0; // the old index may be gone
    const s = shapeOf(this.value(ed));
    const C = s[s.length - 1];
    if (delta < 0 && C <= 1) return;
    const classDim = s.length >= 2 ? 1 : 0;
    const oldClasses = numClasses(page);
    Object.values(this.eds).forEach((e) => {
      if (e.spec.integer) return;
      const v = this.value(e);
      const sh = shapeOf(v);
      if (sh.length !== s.length || sh[sh.length - 1] !== C) return;
      let rows = [];
      const flat = flatten(v);
      for (let r = 0; r < flat.length / C; r++) {
        const row = flat.slice(r * C, (r + 1) * C);
        if (delta > 0) row.push(row[row.length - 1]); else row.pop();
        rows = rows.concat(row);
      }
      sh[sh.length - 1] = C + delta;
      this.setValue(e, unflatten(rows, sh));
      this.render(e);
    });
    if (classDim === s.length - 1) {
      this.controls.resizePerClass(oldClasses, delta);
      // class-index targets must stay below the class count
      Object.values(this.eds).forEach((e) => {
        if (!this.isClassTarget(e)) return;
        const ign = page.params.ignore_index;
        const sh = shapeOf(page.inputs[e.name]);
        const f = flatten(page.inputs[e.name]).map((y) => (y !== ign && y >= C + delta ? C + delta - 1 : y));
        page.inputs[e.name] = unflatten(f, sh);
        this.render(e);
      });
    }
    this.changed();
  }

  randomize(ed) {
    const v = this.value(ed);
    const shape = shapeOf(v);
    const flat = flatten(v).map(num);
    const C = numClasses(this.page);
    const in01 = flat.every((x) => x >= 0 && x <= 1);
    const pm1 = flat.every((x) => x === 1 || x === -1);
    const pos = flat.every((x) => x > 0);
    const out = flat.map((x) => {
      if (this.isClassTarget(ed)) return Math.floor(Math.random() * Math.max(C, 1));
      if (ed.spec.integer) return x;
      if (pm1) return Math.random() < 0.5 ? -1 : 1;
      if (in01 && ed.spec.role !== "prediction") return Math.round(Math.random() * 100) / 100;
      if (pos && ed.spec.role !== "prediction") return Math.round((0.1 + Math.random() * 1.9) * 100) / 100;
      return Math.round(randn() * 100) / 100;
    });
    this.setValue(ed, unflatten(out, shape));
    this.render(ed);
    this.changed();
  }

  // ---- CTC targets typed as text ----

  initCTCTargets(ed) {
    ed.textBox = document.createElement("div");
    ed.textBox.setAttribute("data-testid", "ctc-targets");
    ed.box.insertBefore(ed.textBox, ed.host);
  }

  renderCTCTargets(ed) {
    const page = this.page;
    const t = page.inputs[ed.name];
    const shape = shapeOf(t);
    const rows = [];
    const lens = flatten(page.inputs.target_lengths).map(num);
    if (shape.length === 2) {
      t.forEach((row, n) => rows.push(row.slice(0, lens[n]).map(num)));
    } else {
      const flat = flatten(t).map(num);
      let off = 0;
      lens.forEach((L) => { rows.push(flat.slice(off, off + L)); off += L; });
    }
    ed.textBox.replaceChildren();
    rows.forEach((ids, n) => {
      const lab = document.createElement("label");
      lab.className = "ctc-text";
      lab.textContent = word("sampleTarget", n) + " ";
      const inp = document.createElement("input");
      inp.type = "text";
      inp.value = idsToText(ids);
      inp.readOnly = this.locked;
      inp.setAttribute("aria-label", word("sampleTargetLabel", n));
      inp.addEventListener("input", () => {
        const ids2 = textToIds(inp.value);
        if (!ids2) { inp.setAttribute("aria-invalid", "true"); return; }
        inp.removeAttribute("aria-invalid");
        rows[n] = ids2;
        this.writeCTCTargets(ed, rows, shape.length);
      });
      lab.appendChild(inp);
      ed.textBox.appendChild(lab);
    });
  }

  writeCTCTargets(ed, rows, rank) {
    const page = this.page;
    const lens = rows.map((r) => r.length);
    if (rank === 2) {
      const S = Math.max(1, Math.max.apply(null, lens));
      page.inputs[ed.name] = rows.map((r) => { const x = r.slice(); while (x.length < S) x.push(1); return x; });
    } else {
      page.inputs[ed.name] = [].concat.apply([], rows);
    }
    page.inputs.target_lengths = lens;
    ["target_lengths", ed.name].forEach((n) => { if (this.eds[n] && !this.eds[n].textOnly) this.render(this.eds[n]); });
    this.changed();
  }

  // lock makes every cell read-only and every button inert.
  lock(locked) {
    this.locked = locked;
    Object.values(this.eds).forEach((ed) => {
      ed.box.querySelectorAll("input").forEach((i) => { i.readOnly = locked; });
      ed.box.querySelectorAll("select, button, textarea").forEach((b) => { b.disabled = locked; });
    });
  }
}

function logSoftmaxRows(scores) {
  const shape = shapeOf(scores);
  const flat = flatten(scores).map(num);
  const c = shape[shape.length - 1];
  for (let r = 0; r < flat.length / c; r++) {
    const row = flat.slice(r * c, (r + 1) * c);
    const m = Math.max.apply(null, row);
    let s = 0;
    row.forEach((x) => { s += Math.exp(x - m); });
    const lse = m + Math.log(s);
    for (let k = 0; k < c; k++) flat[r * c + k] = row[k] - lse;
  }
  return unflatten(flat.map((x) => jsonNum(Math.round(x * 1e6) / 1e6)), shape);
}

function randn() {
  const u = 1 - Math.random(), v = Math.random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function idsToText(ids) {
  if (ids.length && ids.every((c) => c >= 1 && c <= 26)) return ids.map((c) => String.fromCharCode(96 + c)).join("");
  return ids.join(" ");
}

function textToIds(text) {
  const t = text.trim();
  if (t === "") return [];
  if (/^[\d\s,]+$/.test(t)) return t.split(/[\s,]+/).filter(Boolean).map(Number);
  if (/^[a-zA-Z]+$/.test(t)) return t.toLowerCase().split("").map((ch) => ch.charCodeAt(0) - 96);
  return null;
}
