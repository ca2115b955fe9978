// Lesson widgets: "predict, then reveal" questions.
//
// Each question is a <form data-testid="question" data-endpoint=...> with
// radio choices. On submit the chosen answer is POSTed as
// {"answer", "lang"}; the server computes the truth with the engine and
// answers {"correct", "answer", "explanation_html", "values", "links"}.
// All user-visible words come from the form's data-text-* attributes, so
// this file holds no language. No inline scripts: the pages have a CSP.
// Math needs nothing here: the server typesets every formula, the
// explanations' included (package formula), so no KaTeX is loaded.

const formatNumber = (v) => {
  if (typeof v === "string") return v === "Infinity" ? "+∞" : v === "-Infinity" ? "−∞" : v;
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e-4 && a < 1e6) return String(Number(v.toPrecision(6)));
  return v.toExponential(4);
};

const el = (tag, attrs = {}, text = "") => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
};

async function reveal(form) {
  const verdict = form.querySelector('[data-testid="verdict"]');
  const chosen = form.querySelector('input[type="radio"]:checked');
  const t = form.dataset;
  verdict.hidden = false;
  verdict.replaceChildren();
  verdict.classList.remove("is-correct", "is-wrong");
  if (!chosen) {
    verdict.append(el("p", { "data-testid": "verdict-message" }, t.textPick));
    return;
  }
  const button = form.querySelector('[data-testid="reveal"]');
  button.disabled = true;
  try {
    const resp = await fetch(t.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ answer: chosen.value, lang: t.lang }),
    });
    const body = await resp.json();
    if (!resp.ok) throw new Error(body.error || resp.statusText);
    showVerdict(form, verdict, body);
  } catch (err) {
    verdict.append(el("p", { "data-testid": "verdict-message" }, `${t.textError} ${err.message}`));
  } finally {
    button.disabled = false;
  }
}

function showVerdict(form, verdict, body) {
  const t = form.dataset;
  verdict.classList.add(body.correct ? "is-correct" : "is-wrong");
  verdict.dataset.correct = String(body.correct);
  let message = t.textCorrect;
  if (!body.correct) {
    const right = form.querySelector(`input[type="radio"][value="${CSS.escape(body.answer)}"]`);
    message = t.textWrong.replace("{answer}", right ? right.dataset.label : body.answer);
  }
  verdict.append(el("p", { class: "lesson-verdict-message", "data-testid": "verdict-message" }, message));
  const explanation = el("div", { class: "lesson-explanation", "data-testid": "explanation" });
  // explanation_html is rendered server-side from the lesson file, its
  // formulas already typeset.
  explanation.innerHTML = body.explanation_html;
  verdict.append(explanation);
  const values = Object.entries(body.values || {});
  if (values.length) {
    const dl = el("dl", { class: "lesson-values", "data-testid": "values" });
    dl.append(el("dt", {}, t.textValues));
    for (const [k, v] of values) {
      const name = k === "a" ? t.textA : k === "b" ? t.textB : "";
      dl.append(el("dd", {}, name ? `${name}${t.textSep}${formatNumber(v)}` : formatNumber(v)));
    }
    verdict.append(dl);
  }
  const links = Object.entries(body.links || {});
  if (links.length) {
    const p = el("p", { class: "lesson-links" });
    for (const [k, href] of links) {
      const name = k === "a" ? t.textA : k === "b" ? t.textB : t.textState;
      p.append(el("a", { href, "data-testid": "state-link" }, `${t.textOpen}${t.textSep}${name}`), " ");
    }
    verdict.append(p);
  }
}

export function init(root = document) {
  for (const form of root.querySelectorAll('form[data-testid="question"]:not([data-ready])')) {
    form.dataset.ready = "1";
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      reveal(form);
    });
  }
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => init());
} else {
  init();
}
// A page that swaps lesson content in (the loss page on a language change)
// fires "lessons:update" to wire the new widgets.
document.addEventListener("lessons:update", (ev) => init(ev.target instanceof Element ? ev.target : document));
