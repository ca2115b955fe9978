// The parameter controls: a slider with a number box per float, number
// boxes, switches, selects, and per-class sliders for tensor parameters
// (weight, pos_weight). They write into the page state and call changed();
// setValues() writes the state back into them (an applied state).
import { flatten, jsonNum, num, parseCell } from "./format.js";
import { perClassCount } from "./state.js";
import { word } from "./i18n.js";

// perClassStep is the step of a per-class weight's slider and number box.
const perClassStep = "0.05";

export class Controls {
  constructor(form, page, changed) {
    this.page = page;
    this.changed = changed;
    this.boxes = Array.from(form.querySelectorAll(".control[data-param]"));
    this.remembered = {}; // tensor params switched off: their last values
    this.boxes.forEach((box) => this.init(box));
    // The float64 / float32 switch: page state like a parameter, but none
    // of the loss's (the compute message and the URL carry it as dtype).
    const dt = form.querySelector("[data-dtype-control] select");
    if (dt) {
      dt.addEventListener("change", () => {
        if (dt.value === "float32") page.dtype = "float32"; else delete page.dtype;
        this.changed();
      });
    }
  }

  init(box) {
    const page = this.page, name = box.dataset.param, kind = box.dataset.kind;
    if (kind === "float") {
      const range = box.querySelector("input[type=range]"), numBox = box.querySelector("input[type=number]");
      range.addEventListener("input", () => {
        numBox.value = range.value;
        numBox.removeAttribute("aria-invalid");
        page.params[name] = Number(range.value);
        this.changed();
      });
      numBox.addEventListener("input", () => {
        const v = parseCell(numBox.value);
        if (v === null) { numBox.setAttribute("aria-invalid", "true"); return; }
        numBox.removeAttribute("aria-invalid");
        range.value = String(v);
        page.params[name] = jsonNum(v);
        this.changed();
      });
    } else if (kind === "int") {
      const ib = box.querySelector("input[type=number]");
      ib.addEventListener("input", () => {
        const v = parseCell(ib.value);
        if (v === null || !Number.isInteger(v)) { ib.setAttribute("aria-invalid", "true"); return; }
        ib.removeAttribute("aria-invalid");
        page.params[name] = v;
        this.changed();
      });
    } else if (kind === "bool") {
      const cb = box.querySelector("input[type=checkbox]");
      cb.addEventListener("change", () => { page.params[name] = cb.checked; this.changed(); });
    } else if (kind === "enum") {
      const sel = box.querySelector("select");
      sel.addEventListener("change", () => { page.params[name] = sel.value; this.changed(); });
    } else if (kind === "optional_bool") {
      const ob = box.querySelector("select");
      ob.addEventListener("change", () => { page.params[name] = JSON.parse(ob.value); this.changed(); });
    } else if (kind === "tensor") {
      const toggle = box.querySelector("[data-tensor-toggle]");
      toggle.addEventListener("change", () => {
        const p = page.spec.params.find((x) => x.name === name);
        if (toggle.checked) {
          const c = perClassCount(page, p) || 1;
          const r = this.remembered[name];
          page.params[name] = r && r.length === c ? r.slice() : Array(c).fill(1);
        } else {
          if (Array.isArray(page.params[name])) this.remembered[name] = flatten(page.params[name]).map(num);
          page.params[name] = null;
        }
        this.renderPerClass(box);
        this.changed();
      });
      this.renderPerClass(box);
    }
  }

  // renderPerClass draws one slider and number box per class of a tensor
  // parameter (disabled while it is None).
  renderPerClass(box) {
    const page = this.page, name = box.dataset.param;
    const host = box.querySelector(".perclass-host");
    const v = page.params[name];
    const values = Array.isArray(v) ? flatten(v).map(num) : (this.remembered[name] || []);
    const grid = document.createElement("div");
    grid.className = "perclass";
    grid.setAttribute("aria-disabled", v === null ? "true" : "false");
    values.forEach((val, c) => {
      const lab = document.createElement("label");
      lab.textContent = name + "[" + c + "]";
      const id = "p-" + name + "-" + c;
      lab.htmlFor = id;
      const r = document.createElement("input");
      r.type = "range"; r.min = "0"; r.max = String(Math.max(5, Math.ceil(val))); r.step = perClassStep; r.value = String(val);
      r.setAttribute("aria-label", word("slider", name + "[" + c + "]"));
      r.disabled = v === null || this.locked;
      const nb = document.createElement("input");
      // Arrow keys step the number box as far as the slider moves.
      nb.type = "number"; nb.step = perClassStep; nb.id = id; nb.value = String(val);
      nb.disabled = v === null || this.locked;
      const set = (x) => {
        const cur = flatten(page.params[name]).map(num);
        cur[c] = x;
        page.params[name] = cur.map(jsonNum);
        this.changed();
      };
      r.addEventListener("input", () => { nb.value = r.value; set(Number(r.value)); });
      nb.addEventListener("input", () => { const x = parseCell(nb.value); if (x !== null) { r.value = String(x); set(x); } });
      grid.append(lab, r, nb);
    });
    host.replaceChildren(grid);
  }

  // resizePerClass follows a change of the class count: per-class
  // parameters gain a 1 or lose their last entry.
  resizePerClass(oldClasses, delta) {
    const page = this.page;
    page.spec.params.forEach((p) => {
      if (!p.per_class || !Array.isArray(page.params[p.name])) return;
      const w = flatten(page.params[p.name]);
      if (w.length !== oldClasses) return;
      if (delta > 0) w.push(1); else w.pop();
      page.params[p.name] = w;
      const box = this.boxes.find((b) => b.dataset.param === p.name);
      if (box) this.renderPerClass(box);
    });
  }

  // setValues shows the page state in every control.
  setValues() {
    const page = this.page;
    const dt = document.querySelector("[data-dtype-control] select");
    if (dt) dt.value = page.dtype === "float32" ? "float32" : "float64";
    this.boxes.forEach((box) => {
      const name = box.dataset.param, kind = box.dataset.kind, v = page.params[name];
      box.removeAttribute("aria-invalid");
      if (kind === "float") {
        const s = String(num(v));
        box.querySelector("input[type=range]").value = s;
        box.querySelector("input[type=number]").value = s;
      } else if (kind === "int") {
        box.querySelector("input[type=number]").value = String(v);
      } else if (kind === "bool") {
        box.querySelector("input[type=checkbox]").checked = !!v;
      } else if (kind === "enum") {
        box.querySelector("select").value = v;
      } else if (kind === "optional_bool") {
        box.querySelector("select").value = JSON.stringify(v === undefined ? null : v);
      } else if (kind === "tensor") {
        box.querySelector("[data-tensor-toggle]").checked = Array.isArray(v);
        this.renderPerClass(box);
      }
    });
  }

  // lock disables every control (a teacher's state is being followed).
  lock(locked) {
    this.locked = locked;
    const dt = document.querySelector("[data-dtype-control] select");
    if (dt) dt.disabled = locked;
    this.boxes.forEach((box) => box.querySelectorAll("input, select, textarea").forEach((el) => {
      if (el.closest(".perclass") && !locked) {
        el.disabled = this.page.params[box.dataset.param] === null;
        return;
      }
      el.disabled = locked;
    }));
  }
}
