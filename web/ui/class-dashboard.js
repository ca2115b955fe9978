// The teacher's dashboard (/c/{code}/teach), for the projector: roster,
// mode, questions and their answers, students' snapshots. The page is
// the server's (templates.ClassTeach, data-class-* attributes); this
// module makes it live on the page's socket.
import { classLink, el, fmt, revealContent, store, tokenKey } from "./class-common.js";

export function startDashboard(root, code, socket) {
  const $ = (sel) => root.querySelector(sel);
  const link = classLink(socket);
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get("token")) {
    store.set(tokenKey(code), hash.get("token"));
    history.replaceState(null, "", location.pathname + location.search);
  }
  let token = store.get(tokenKey(code));
  let qid = null, current = null;
  const status = $("[data-class-status]");

  function hello() {
    $("[data-class-token-missing]").hidden = !!token;
    if (token) link.send({ type: "class_teach", code, token });
  }
  $("[data-class-token-save]").addEventListener("click", () => {
    token = $("[data-class-token-input]").value.trim();
    if (!token) return;
    store.set(tokenKey(code), token);
    hello();
  });

  function say(text) { status.textContent = text || ""; status.hidden = !text; }

  function onMessage(msg) {
    switch (msg.type) {
      case "class_joined":
        say("");
        setMode(msg.mode);
        $("[data-class-names]").checked = !!msg.show_names;
        break;
      case "class_roster":
        $("[data-class-students]").textContent = String(msg.students);
        $("[data-class-following]").textContent = String(msg.following);
        $("[data-class-roster-names]").replaceChildren(
          ...(msg.names || []).map((n) => el("li", { text: n })),
          ...(msg.exploring || []).map((n) => el("li", { class: "exploring", text: n + " (exploring)" })));
        break;
      case "class_mode": setMode(msg.mode); break;
      case "class_state": showCurrent(msg); break;
      case "class_question": showQuestion(msg); break;
      case "class_histogram": histogram(msg); break;
      case "class_reveal":
        if (msg.qid !== qid) break;
        $("[data-class-reveal-text]").replaceChildren(revealContent(msg));
        $("[data-class-reveal-text]").hidden = false;
        break;
      case "class_snapshots": snapshots(msg.snapshots || []); break;
      case "error":
        if (msg.field === "token") { store.del(tokenKey(code)); token = null; link.send({ type: "class_leave" }); $("[data-class-token-missing]").hidden = false; }
        say(msg.error);
        break;
    }
  }

  function setMode(mode) {
    root.querySelectorAll("[data-class-mode]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.classMode === mode)));
  }
  root.querySelectorAll("[data-class-mode]").forEach((b) => b.addEventListener("click", () => link.send({ type: "class_mode", mode: b.dataset.classMode })));
  $("[data-class-names]").addEventListener("change", (ev) => link.send({ type: "class_names", show: ev.target.checked }));

  function showCurrent(msg) {
    current = msg;
    const a = $("[data-class-current]");
    a.href = "/losses/" + msg.slug + (msg.query ? "?" + msg.query : "");
    a.textContent = msg.loss;
    const loss = msg.result && msg.result.loss;
    $("[data-class-current-loss]").textContent = loss === undefined || Array.isArray(loss) ? "" : "loss = " + fmt(loss);
    // Offer this loss's questions first.
    const sel = $("[data-class-question-select]");
    const opt = [...sel.options].find((o) => o.value.startsWith(msg.slug + "/"));
    if (opt && !sel.dataset.touched) sel.value = opt.value;
  }
  $("[data-class-question-select]").addEventListener("change", (ev) => { ev.target.dataset.touched = "1"; });

  root.querySelectorAll("[data-class-ask]").forEach((b) => b.addEventListener("click", () => {
    if (b.dataset.classAsk === "number") {
      if (!current) { say("Change something on the loss page first: the poll asks about the class's current loss."); return; }
      link.send({ type: "class_question", kind: "number" });
      return;
    }
    const [slug, question] = $("[data-class-question-select]").value.split("/");
    link.send({ type: "class_question", kind: "lesson", slug, question });
  }));
  $("[data-class-reveal]").addEventListener("click", () => link.send({ type: "class_reveal" }));

  function showQuestion(q) {
    qid = q.qid;
    $("[data-class-question]").hidden = false;
    const prompt = $("[data-class-question-prompt]");
    if (q.prompt_html) prompt.innerHTML = q.prompt_html; else prompt.textContent = q.prompt;
    $("[data-class-reveal-text]").hidden = true;
    $("[data-class-histogram]").replaceChildren();
    $("[data-class-answers]").textContent = "0";
  }

  function histogram(h) {
    if (h.qid !== qid) return;
    $("[data-class-answers]").textContent = String(h.total);
    const max = Math.max(1, ...h.bins.map((b) => b.count));
    $("[data-class-histogram]").replaceChildren(...h.bins.map((b) => {
      const bar = el("span", { class: "bar" });
      bar.style.width = (100 * b.count / max) + "%";
      return el("div", { class: "bin", "data-testid": "class-bin", "data-value": b.value || b.label, "data-count": String(b.count) },
        el("span", { class: "label", text: b.label }),
        el("span", { class: "track" }, bar),
        el("span", { class: "count", text: String(b.count) }),
        b.names && b.names.length ? el("span", { class: "who", text: b.names.join(", ") }) : null);
    }));
  }

  function snapshots(list) {
    $("[data-class-snapshots-empty]").hidden = list.length > 0;
    $("[data-class-snapshots]").replaceChildren(...list.map((s) => {
      const show = el("button", { type: "button", "data-testid": "class-show-snapshot", text: "Show to everyone" });
      show.addEventListener("click", () => link.send({ type: "class_show_snapshot", snapshot: s.id }));
      const when = new Date(s.at).toLocaleTimeString();
      return el("li", { "data-testid": "class-snapshot" },
        el("a", { href: "/losses/" + encodeURIComponent(s.slug) + (s.query ? "?" + s.query : ""), target: "_blank", text: s.loss }),
        " · " + when + (s.name ? " · " + s.name : "") + " ", show);
    }));
  }

  link.listen({ onOpen: hello, onMessage });
}
