// The result panel: loss, the reduction spelled out, every tensor with its
// gradient, and the PyTorch snippet, from the "panel" of a live result
// (the server's own panel model, loss_model.go). It draws the same
// elements as the server's ResultPanel template; while the layout stays
// the same (a drag), only the texts that changed are rewritten.

import { word } from "./i18n.js";

function h(tag, attrs, text) {
  const e = document.createElement(tag);
  if (attrs) for (const k of Object.keys(attrs)) e.setAttribute(k, attrs[k]);
  if (text != null) e.textContent = text;
  return e;
}

function setText(el, text) {
  if (el && el.textContent !== text) el.textContent = text;
}

// layout is what must match to patch texts in place.
function layout(p) {
  return JSON.stringify([p.dtype || "", !!p.dtype_note, p.explanation.length, (p.tensors || []).map((t) =>
    [t.name, t.rows.length, t.rows.length ? t.rows[0].length : 0, !!t.grad_rows, (t.row_labels || []).length, (t.col_labels || []).length])]);
}

// renderPanel shows panel p in host (#result-panel); it reports whether
// the panel's elements were replaced (rather than patched).
export function renderPanel(host, p) {
  p.explanation = p.explanation || [];
  p.tensors = p.tensors || [];
  const key = layout(p);
  const panel = host.firstElementChild;
  if (panel && panel.dataset.layout === key) {
    patch(panel, p);
    return false;
  }
  if (panel && !panel.dataset.layout && !panel.querySelector("[data-testid=result-error]") && layoutOf(panel) === key) {
    // The server-rendered panel: same layout, adopt it.
    panel.dataset.layout = key;
    patch(panel, p);
    return false;
  }
  const wasOpen = !!host.querySelector("details.snippet[open]");
  const fresh = build(p);
  fresh.dataset.layout = key;
  if (wasOpen) fresh.querySelector("details.snippet").open = true;
  host.replaceChildren(fresh);
  return true;
}

// renderPanelError shows a user error naming the field, as the server's
// panel does for a bad URL.
export function renderPanelError(host, message) {
  const panel = h("div", { class: "result-panel", "data-testid": "result-panel" });
  panel.appendChild(h("p", { class: "banner error", role: "alert", "data-testid": "result-error" }, message));
  host.replaceChildren(panel);
}

// layoutOf reads the layout key of a server-rendered panel.
function layoutOf(panel) {
  const dt = panel.querySelector("[data-testid=result-dtype]");
  const dtype = dt ? dt.textContent : "";
  const note = !!panel.querySelector("[data-testid=dtype-note]");
  const expl = panel.querySelectorAll("[data-testid=reduction-explain] p").length;
  const tensors = Array.from(panel.querySelectorAll(".tensor")).map((div) => {
    const rows = div.querySelectorAll("tbody tr");
    const first = rows[0];
    return [div.dataset.testid.replace(/^tensor-/, ""), rows.length, first ? first.querySelectorAll("td").length : 0,
      !!div.querySelector("td .g"), div.querySelectorAll("tbody th").length, div.querySelectorAll("thead th[scope=col]").length];
  });
  return JSON.stringify([dtype, note, expl, tensors]);
}

// setMark sets or removes the float32 mark (data-f32) of a value.
function setMark(el, mark) {
  if (!el) return;
  if (mark) { if (el.dataset.f32 !== mark) el.dataset.f32 = mark; } else if (el.hasAttribute("data-f32")) el.removeAttribute("data-f32");
}

function markAt(marks, i, j) {
  return marks && marks[i] ? marks[i][j] || "" : "";
}

function patch(panel, p) {
  const out = panel.querySelector("[data-testid=loss-value]");
  if (out.dataset.exact !== p.loss_exact) {
    out.dataset.exact = p.loss_exact;
    out.title = p.loss_exact;
  }
  setText(out, p.loss);
  setMark(out, p.loss_mark);
  setText(out.nextElementSibling, p.loss_shape);
  setText(panel.querySelector("[data-testid=result-dtype]"), p.dtype || "");
  setText(panel.querySelector("[data-testid=dtype-note]"), p.dtype_note || "");
  const expl = panel.querySelector("[data-testid=reduction-explain]");
  setText(expl.querySelector("h2"), "reduction = '" + p.reduction + "'");
  expl.querySelectorAll("p code").forEach((c, i) => setText(c, p.explanation[i]));
  const divs = panel.querySelectorAll(".tensor");
  p.tensors.forEach((t, k) => {
    const div = divs[k];
    setText(div.querySelector("caption"), t.caption);
    if (div.getAttribute("aria-label") !== t.caption) div.setAttribute("aria-label", t.caption);
    div.querySelectorAll("thead th[scope=col]").forEach((th, j) => setText(th, t.col_labels[j]));
    div.querySelectorAll("tbody tr").forEach((tr, i) => {
      const th = tr.querySelector("th");
      if (th) setText(th, t.row_labels[i]);
      tr.querySelectorAll("td").forEach((td, j) => {
        setText(td.firstElementChild, t.rows[i][j]);
        setMark(td.firstElementChild, markAt(t.marks, i, j));
        if (t.grad_rows) {
          setText(td.lastElementChild, t.grad_rows[i][j]);
          setMark(td.lastElementChild, markAt(t.grad_marks, i, j));
        }
      });
    });
  });
  setText(panel.querySelector("[data-testid=pytorch-snippet]"), p.snippet);
}

function build(p) {
  const panel = h("div", { class: "result-panel", "data-testid": "result-panel" });
  const line = h("p", { class: "loss-line" });
  line.append(h("span", { class: "loss-label" }, word("result.loss")), " ",
    h("output", { class: "loss-value", "data-testid": "loss-value", "data-exact": p.loss_exact, title: p.loss_exact }, p.loss), " ",
    h("span", { class: "shape" }, p.loss_shape), " ",
    h("span", { class: "dtype", "data-testid": "result-dtype" }, p.dtype || ""));
  setMark(line.querySelector("output"), p.loss_mark);
  const note = p.dtype_note ? h("p", { class: "dtype-note", "data-testid": "dtype-note" }, p.dtype_note) : null;
  const expl = h("div", { class: "explain", "data-testid": "reduction-explain" });
  expl.appendChild(h("h2", null, "reduction = '" + p.reduction + "'"));
  p.explanation.forEach((l) => { const para = h("p"); para.appendChild(h("code", null, l)); expl.appendChild(para); });
  const tensors = h("div", { class: "tensors", "data-testid": "tensors" });
  p.tensors.forEach((t) => tensors.appendChild(tensorTable(t)));
  const snip = h("details", { class: "snippet", "data-testid": "pytorch" });
  const pre = h("pre");
  pre.appendChild(h("code", { "data-testid": "pytorch-snippet" }, p.snippet));
  snip.append(h("summary", null, word("result.copyAsPyTorch")), " ",
    h("button", { type: "button", class: "js-only", "data-action": "copy-snippet", "data-testid": "copy-pytorch" }, word("result.copy")), pre);
  panel.append(line);
  if (note) panel.append(note);
  panel.append(expl, tensors, snip);
  return panel;
}

function tensorTable(t) {
  // A wide tensor scrolls sideways: focusable, so that a keyboard can.
  const div = h("div", { class: "tensor", "data-testid": "tensor-" + t.name, tabindex: "0", role: "group", "aria-label": t.caption });
  const table = h("table");
  table.appendChild(h("caption", null, t.caption));
  const rowLabels = t.row_labels || [];
  if (t.col_labels && t.col_labels.length) {
    const tr = h("tr");
    if (rowLabels.length) tr.appendChild(h("td"));
    t.col_labels.forEach((c) => tr.appendChild(h("th", { scope: "col" }, c)));
    const thead = h("thead");
    thead.appendChild(tr);
    table.appendChild(thead);
  }
  const tbody = h("tbody");
  t.rows.forEach((row, i) => {
    const tr = h("tr");
    if (i < rowLabels.length) tr.appendChild(h("th", { scope: "row" }, rowLabels[i]));
    row.forEach((v, j) => {
      const td = h("td");
      const val = h("span", { class: "v" }, v);
      setMark(val, markAt(t.marks, i, j));
      td.appendChild(val);
      if (t.grad_rows) {
        const g = h("span", { class: "g", title: word("result.gradTitle") }, t.grad_rows[i][j]);
        setMark(g, markAt(t.grad_marks, i, j));
        td.appendChild(g);
      }
      tr.appendChild(td);
    });
    tbody.appendChild(tr);
  });
  table.appendChild(tbody);
  div.appendChild(table);
  return div;
}
