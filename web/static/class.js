// Loss Playground classes: a teacher drives a loss page, students follow.
// This module talks to the page only through the page events (lp:state in,
// lp:apply and lp:lock out) and to the server over its own WebSocket with
// the class messages of docs/protocol.md. It owns the elements it creates
// and those marked data-class-*: the header's class bar, a student's
// class panel and pause screen, and the teacher's dashboard.

const CODE_PATH = /^\/c\/([2-9A-HJ-NP-Z]{6})(\/teach)?\/?$/;
const FOLLOW_LABEL = "following the teacher";

const store = {
  get(k) { try { return localStorage.getItem(k); } catch (e) { return null; } },
  set(k, v) { try { localStorage.setItem(k, v); } catch (e) { /* private mode */ } },
  del(k) { try { localStorage.removeItem(k); } catch (e) { /* private mode */ } },
};
const session = {
  get(k) { try { return sessionStorage.getItem(k); } catch (e) { return null; } },
  set(k, v) { try { sessionStorage.setItem(k, v); } catch (e) { /* private mode */ } },
};
const tokenKey = (code) => "lp-class-token-" + code;
const TEACHING_KEY = "lp-class-teaching";
// driverKey names the one tab that drives a class: opening other pages in
// the teacher's browser never moves the class ("Drive from this tab").
const driverKey = (code) => "lp-class-driver-" + code;
// TAB_ID names this tab across its navigations (sessionStorage is per tab).
const TAB_ID = (() => {
  let id = null;
  try { id = sessionStorage.getItem("lp-tab-id"); } catch (e) { /* private mode */ }
  if (!id) {
    id = Math.random().toString(36).slice(2);
    try { sessionStorage.setItem("lp-tab-id", id); } catch (e) { /* private mode */ }
  }
  return id;
})();
// A student's own language choice rides along when the class page reloads.
const LANG_QUERY = (() => { const l = new URLSearchParams(location.search).get("lang"); return l ? "?lang=" + encodeURIComponent(l) : ""; })();
// pagePath is this page's path and query without lang: what a class shows.
function pagePath() {
  const q = new URLSearchParams(location.search);
  q.delete("lang");
  const qs = q.toString();
  return location.pathname + (qs ? "?" + qs : "");
}
// lessonSlug is the lesson this page shows: a loss page's, or /lessons/{slug}.
function lessonSlug() {
  if (pageState && pageState.slug) return pageState.slug;
  const m = /^\/lessons\/([a-z0-9-]+)$/.exec(location.pathname);
  return m ? m[1] : "";
}

// pageWord is the page language's word for key from the layout's lp-i18n
// block (web/i18n, "js." keys), or fallback.
function pageWord(key, fallback) {
  try {
    const el = document.getElementById("lp-i18n");
    const words = el ? JSON.parse(el.textContent) : {};
    return typeof words[key] === "string" ? words[key] : fallback;
  } catch (e) {
    return fallback;
  }
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") e.textContent = v;
    else if (k === "hidden") e.hidden = !!v;
    else e.setAttribute(k, v);
  }
  e.append(...children.filter((c) => c !== null && c !== undefined));
  return e;
}

// ---- Socket: connect, rejoin on reconnect, send JSON ----------------------------

// ClassSocket keeps one WebSocket open; hello() is sent on every (re)connect
// (class_join or class_teach), so that a dropped connection rejoins.
class ClassSocket {
  constructor(hello, onMessage) {
    this.hello = hello;
    this.onMessage = onMessage;
    this.fails = 0;
    this.ws = null;
    this.closed = false;
    this.connect();
  }
  connect() {
    if (this.closed) return;
    const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => { this.fails = 0; ws.send(JSON.stringify(this.hello())); };
    ws.onmessage = (ev) => {
      let msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      this.onMessage(msg);
    };
    ws.onclose = () => {
      if (this.ws === ws) this.ws = null;
      if (this.closed) return;
      this.fails++;
      const delay = Math.min(15000, 500 * 2 ** Math.min(this.fails, 5)) * (0.75 + Math.random() * 0.5);
      setTimeout(() => this.connect(), delay);
    };
  }
  send(msg) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) { this.ws.send(JSON.stringify(msg)); return true; }
    return false;
  }
  close() {
    this.closed = true;
    if (this.ws) this.ws.close();
  }
}

function fmt(v) {
  if (typeof v === "string") return v;
  if (typeof v !== "number") return String(v);
  return Math.abs(v) >= 1e-4 && Math.abs(v) < 1e8 ? String(Math.round(v * 1e6) / 1e6) : v.toExponential(4);
}

// ---- The page's state, as the page reports it ------------------------------------

let pageState = null; // the latest lp:state detail
const stateListeners = [];
document.addEventListener("lp:state", (ev) => {
  pageState = ev.detail;
  stateListeners.forEach((f) => f(ev.detail));
});

function applyToPage(state) {
  document.dispatchEvent(new CustomEvent("lp:apply", {
    detail: { params: state.params, inputs: state.inputs, view: state.view, dtype: state.dtype, reply: state.reply },
  }));
}
function lockPage(locked) {
  document.dispatchEvent(new CustomEvent("lp:lock", { detail: { locked, label: FOLLOW_LABEL } }));
}

// ---- Lesson sections: which heading of the lesson is at the top ------------------

const SECTION_HEADINGS = "[data-testid=lesson-content] h2, [data-testid=lesson-content] h3";

// currentSection is the index of the last lesson heading above the upper
// third of the window, or -1 above the lesson.
function currentSection() {
  const line = window.innerHeight / 3;
  let idx = -1;
  document.querySelectorAll(SECTION_HEADINGS).forEach((h, i) => {
    if (h.getBoundingClientRect().top <= line) idx = i;
  });
  return idx;
}

function showSection(idx) {
  if (idx < 0) { window.scrollTo(0, 0); return; } // above the lesson
  const h = document.querySelectorAll(SECTION_HEADINGS)[idx];
  if (h) window.scrollTo(0, h.getBoundingClientRect().top + window.scrollY);
}

// ---- Teacher on a loss page: the class bar, and driving -------------------------

function teacherOnPage(bar) {
  let code = store.get(TEACHING_KEY);
  let sock = null, id = 0, applying = false;
  const status = el("span", { class: "class-status", "data-testid": "class-teaching" });

  // The server's "Join a class" link, in the page's language, stays as it is.
  const join = bar.querySelector("a[href='/join']") || el("a", { href: "/join", text: "Join a class" });

  const driving = () => !!code && store.get(driverKey(code)) === TAB_ID;
  // A comparison or lesson page is shown as it is: its path is its state.
  const pageOnly = () => !document.querySelector("[data-loss]") && /^\/(compare|lessons)\//.test(location.pathname);
  let shownPage = "";
  function drivePage() {
    if (!sock || !driving() || !pageOnly()) return;
    const now = pagePath();
    if (now !== shownPage && sock.send({ type: "class_drive", id: ++id, page: now })) shownPage = now;
  }
  let lastStudents;
  function render(students) {
    if (students !== undefined) lastStudents = students;
    students = lastStudents;
    if (!code) {
      // Classes follow loss pages (a comparison page's state has no loss).
      if (!pageState || !pageState.loss || bar.querySelector("[data-testid=class-teach-button]")) return;
      const b = el("button", { type: "button", "data-testid": "class-teach-button", text: pageWord("class.teach", "Teach a class") });
      b.addEventListener("click", createClass);
      bar.replaceChildren(b, " ", join);
      return;
    }
    bar.replaceChildren();
    status.textContent = pageWord("class.teaching", "Teaching %s").replace("%s", code) + (students === undefined ? "" : " · " + students);
    const dash = el("a", { href: "/c/" + code + "/teach", target: "_blank", "data-testid": "class-dashboard-link", text: pageWord("class.dashboard", "Dashboard") + " ↗" });
    bar.append(status, " ", dash, " ");
    if (driving()) {
      bar.append(el("span", { class: "class-driving", "data-testid": "class-driving", text: pageWord("class.driving", "This tab drives the class") }));
    } else {
      const take = el("button", { type: "button", "data-testid": "class-drive-here", text: pageWord("class.driveHere", "Drive from this tab") });
      take.addEventListener("click", () => {
        store.set(driverKey(code), TAB_ID);
        shownPage = "";
        if (pageState && pageState.loss) drive(pageState); else drivePage();
        render();
      });
      bar.append(take);
    }
  }
  // Another tab took the class over (or gave it up).
  window.addEventListener("storage", (e) => { if (code && e.key === driverKey(code)) render(); });

  async function createClass() {
    const r = await fetch("/api/v1/classes", { method: "POST" });
    const body = await r.json().catch(() => ({}));
    if (r.status !== 201) { bar.append(el("span", { class: "class-error", role: "alert", text: body.error || "Could not start a class." })); return; }
    store.set(tokenKey(body.code), body.teacher_token);
    store.set(TEACHING_KEY, body.code);
    store.set(driverKey(body.code), TAB_ID); // the tab that started the class drives it
    code = body.code;
    connect();
    render();
  }

  function drive(state) {
    if (!sock || applying || !state.loss || !driving()) return;
    sock.send({ type: "class_drive", id: ++id, loss: state.loss, params: state.params, inputs: state.inputs,
      detail: true, view: state.view, query: state.query, dtype: state.dtype });
  }

  function connect() {
    const token = store.get(tokenKey(code));
    if (!token) { store.del(TEACHING_KEY); code = null; return; }
    sock = new ClassSocket(() => ({ type: "class_teach", code, token }), (msg) => {
      if (msg.type === "class_joined") { if (pageState) drive(pageState); else drivePage(); }
      else if (msg.type === "class_ended") {
        store.del(TEACHING_KEY); store.del(driverKey(code));
        sock.close(); sock = null; code = null; bar.replaceChildren(join); render();
      }
      else if (msg.type === "class_roster") render(msg.students);
      else if (msg.type === "class_state" && msg.origin === "snapshot" && pageState && msg.slug === pageState.slug) {
        // A student's snapshot on every screen: the teacher's page shows it
        // too, and goes on from there.
        applying = true;
        try { applyToPage(msg); } finally { applying = false; }
      } else if (msg.type === "error" && msg.field === "code") {
        store.del(TEACHING_KEY); // the class has expired
        sock.close(); sock = null; code = null; bar.replaceChildren(join); render();
      }
    });
  }

  stateListeners.push((s) => { if (!bar.querySelector("button, .class-status")) render(); drive(s); });

  // The lesson section the teacher reads, looked at twice a second (scroll
  // events stop in a tab that is not drawn, such as one on a projector
  // beside the teacher's own screen; timers go on).
  let section = -2;
  setInterval(() => {
    if (!sock || !driving()) return;
    drivePage();
    const now = currentSection();
    const slug = lessonSlug();
    if (slug && now !== section && sock.send({ type: "class_section", section: now, slug })) section = now;
  }, 500);
  if (code) connect();
  render();
}

// ---- Student: follow, explore, pause, questions, snapshots ----------------------

function student(code) {
  const params = new URLSearchParams(location.search);
  if (params.has("name")) {
    session.set("lp-class-name-" + code, params.get("name"));
    params.delete("name");
    history.replaceState(null, "", location.pathname + (params.toString() ? "?" + params : ""));
  }
  let name = session.get("lp-class-name-" + code) || "";
  let mode = "follow", following = true, latest = null, question = null;

  const who = el("span", { "data-testid": "class-you" });
  const state = el("strong", { "data-testid": "class-follow-state" });
  const exploreBtn = el("button", { type: "button", "data-testid": "class-explore", text: "Explore on my own" });
  const backBtn = el("button", { type: "button", "data-testid": "class-snap-back", text: "Snap back to the teacher" });
  const snapBtn = el("button", { type: "button", "data-testid": "class-send-snapshot", text: "Send my state to the teacher" });
  const snapNote = el("span", { class: "hint", role: "status", "data-testid": "class-snapshot-note" });
  const qBox = el("section", { class: "class-q", "data-testid": "class-student-question", "aria-live": "polite", hidden: true });
  const panel = el("aside", { class: "class-student", "data-testid": "class-student", "aria-label": "Class " + code },
    el("p", {}, "Class ", el("strong", { text: code }), " · ", who, " · ", state),
    el("p", { class: "class-actions" }, exploreBtn, backBtn, snapBtn, snapNote),
    qBox);
  const pause = el("div", { class: "class-pause", role: "alert", "data-testid": "class-pause", hidden: true },
    el("p", { text: "Eyes on the projector" }));
  document.body.append(panel, pause);

  const sock = new ClassSocket(() => ({ type: "class_join", code, name }), onMessage);

  function render() {
    const exploring = !following;
    state.textContent = mode === "pause" ? "paused" : exploring ? "exploring on your own" : FOLLOW_LABEL;
    exploreBtn.hidden = mode !== "explore" || exploring;
    backBtn.hidden = !exploring;
    snapBtn.hidden = !exploring || !pageState;
    pause.hidden = mode !== "pause";
    document.documentElement.classList.toggle("class-paused", mode === "pause");
  }

  function follow(on) {
    following = on;
    sock.send({ type: "class_follow", following: on });
    lockPage(on);
    if (on && latest) show(latest);
    render();
  }

  function show(msg) {
    if (!msg.slug && msg.page) {
      // A comparison or lesson page: shown as the server renders it, once
      // per page (the page itself does not follow a state).
      if (session.get("lp-class-page-" + code) === msg.page && !document.querySelector("[data-loss], [data-testid=class-wait]")) return;
      session.set("lp-class-page-" + code, msg.page);
      location.replace("/c/" + code + LANG_QUERY);
      return;
    }
    session.set("lp-class-page-" + code, "");
    if (!document.querySelector("[data-loss]") || (pageState && msg.slug !== pageState.slug)) {
      // Another loss (or the waiting page): the server renders the class's page.
      location.replace("/c/" + code + LANG_QUERY);
      return;
    }
    applyToPage(msg);
  }

  function onMessage(msg) {
    switch (msg.type) {
      case "class_joined":
        name = msg.name;
        session.set("lp-class-name-" + code, name);
        who.textContent = "you are " + name;
        mode = msg.mode;
        following = mode !== "explore";
        lockPage(following);
        render();
        break;
      case "class_state":
        latest = msg;
        if (following) show(msg);
        break;
      case "class_section":
        // A section names its lesson: a student on another page ignores it.
        if (following && (!msg.slug || msg.slug === lessonSlug())) showSection(msg.section);
        break;
      case "class_mode":
        mode = msg.mode;
        if (mode === "explore") follow(false);
        else if (mode === "follow") follow(true);
        render();
        break;
      case "class_question": showQuestion(msg); break;
      case "class_ended":
        // The class is over: the page is the student's again.
        mode = "explore"; following = false;
        lockPage(false);
        panel.replaceChildren(el("p", { class: "banner", role: "status", "data-testid": "class-ended", text: msg.reason === "removed" ? pageWord("class.removed", "The teacher removed you from this class.") : pageWord("class.ended", "The class has ended.") }));
        pause.hidden = true;
        document.documentElement.classList.remove("class-paused");
        sock.close();
        return;
      case "class_answered": answered(msg); break;
      case "class_reveal": reveal(msg); break;
      case "class_snapshot_sent": snapNote.textContent = "Sent to the teacher."; break;
      case "error":
        if (msg.field === "code") { panel.replaceChildren(el("p", { class: "banner warn", role: "alert", text: msg.error })); sock.close(); }
        else snapNote.textContent = msg.error;
        break;
    }
  }

  function showQuestion(q) {
    question = q;
    hideLoss(q.kind === "number" && (!q.hides || q.hides.indexOf("loss") >= 0));
    qBox.hidden = false;
    const prompt = el("div", { class: "prompt", "data-testid": "class-question-prompt" });
    if (q.prompt_html) prompt.innerHTML = q.prompt_html; else prompt.textContent = q.prompt;
    const answers = el("div", { class: "answers" });
    if (q.kind === "number") {
      const inp = el("input", { type: "number", step: "any", "aria-label": "your answer", "data-testid": "class-number-answer" });
      const send = el("button", { type: "button", "data-testid": "class-send-answer", text: "Answer" });
      send.addEventListener("click", () => {
        if (inp.value.trim() !== "" && Number.isFinite(Number(inp.value))) sock.send({ type: "class_answer", qid: q.qid, number: Number(inp.value) });
      });
      answers.append(inp, send);
    } else {
      (q.choices || []).forEach((c) => {
        const b = el("button", { type: "button", "data-choice": c.value, "data-testid": "class-choice-" + c.value, text: c.label });
        b.addEventListener("click", () => sock.send({ type: "class_answer", qid: q.qid, choice: c.value }));
        answers.append(b);
      });
    }
    qBox.replaceChildren(el("h2", { text: "Question" }), prompt, answers,
      el("p", { class: "answered", "data-testid": "class-answered", hidden: true }),
      el("div", { class: "reveal", "data-testid": "class-student-reveal", hidden: true }));
  }

  function answered(msg) {
    if (!question || msg.qid !== question.qid) return;
    const p = qBox.querySelector("[data-testid=class-answered]");
    const label = msg.choice !== undefined ? ((question.choices || []).find((c) => c.value === msg.choice) || { label: msg.choice }).label : fmt(msg.number);
    p.textContent = "Your answer: " + label + " (you can change it until the reveal)";
    p.hidden = false;
    qBox.querySelectorAll("[data-choice]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.choice === msg.choice)));
  }

  // hideLoss keeps the loss box to "?" while a numeric poll asks for it:
  // the value being predicted is not on the screen until the reveal.
  function hideLoss(on) {
    const panel = document.getElementById("result-panel");
    const dock = document.querySelector("[data-testid=dock-loss]");
    let mark = document.querySelector("[data-testid=class-hidden-loss]");
    if (panel) panel.style.display = on ? "none" : "";
    if (dock) dock.style.visibility = on ? "hidden" : "";
    if (on && panel && !mark) {
      mark = el("p", { class: "loss-hidden", "data-testid": "class-hidden-loss" },
        el("output", { class: "loss-value", text: "?" }), " ",
        el("span", { class: "hint", text: pageWord("class.hidden", "hidden until the reveal") }));
      panel.before(mark);
    }
    if (!on && mark) mark.remove();
  }

  function reveal(msg) {
    if (!question || msg.qid !== question.qid) return;
    hideLoss(false);
    qBox.querySelectorAll("button, input").forEach((b) => { b.disabled = true; });
    const box = qBox.querySelector("[data-testid=class-student-reveal]");
    box.replaceChildren(revealContent(msg));
    box.hidden = false;
  }

  exploreBtn.addEventListener("click", () => follow(false));
  backBtn.addEventListener("click", () => follow(true));
  snapBtn.addEventListener("click", () => {
    if (!pageState) return;
    sock.send({ type: "class_snapshot", loss: pageState.loss, slug: pageState.slug, query: pageState.query, params: pageState.params, inputs: pageState.inputs, view: pageState.view });
    snapNote.textContent = "Sending…";
  });
  stateListeners.push(() => render());
  render();
}

// revealContent is the engine's answer with its numbers.
function revealContent(msg) {
  const box = el("div", {});
  box.append(el("p", { class: "answer", "data-testid": "class-reveal-answer" }, "Answer: ", el("strong", { text: msg.answer_label || msg.answer })));
  const vals = Object.entries(msg.values || {});
  if (vals.length) {
    box.append(el("p", { class: "values", "data-testid": "class-reveal-values", text: vals.map(([k, v]) => k + " = " + fmt(v)).join(", ") }));
  }
  if (msg.explanation_html) {
    const ex = el("div", { class: "explanation" });
    ex.innerHTML = msg.explanation_html; // from the lessons, rendered on the server
    box.append(ex);
  }
  return box;
}

// ---- Teacher's dashboard ----------------------------------------------------------

function dashboard(root, code) {
  const $ = (sel) => root.querySelector(sel);
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get("token")) {
    store.set(tokenKey(code), hash.get("token"));
    history.replaceState(null, "", location.pathname + location.search);
  }
  let token = store.get(tokenKey(code));
  let sock = null, names = false, qid = null, current = null;
  const status = $("[data-class-status]");

  function connect() {
    if (!token) { $("[data-class-token-missing]").hidden = false; return; }
    $("[data-class-token-missing]").hidden = true;
    sock = new ClassSocket(() => ({ type: "class_teach", code, token }), onMessage);
  }
  $("[data-class-token-save]").addEventListener("click", () => {
    token = $("[data-class-token-input]").value.trim();
    if (!token) return;
    store.set(tokenKey(code), token);
    connect();
  });

  function say(text) { status.textContent = text || ""; status.hidden = !text; }

  function onMessage(msg) {
    switch (msg.type) {
      case "class_joined":
        say("");
        setMode(msg.mode);
        names = !!msg.show_names;
        $("[data-class-names]").checked = names;
        break;
      case "class_roster":
        $("[data-testid=class-students]").textContent = String(msg.students);
        $("[data-testid=class-following]").textContent = String(msg.following);
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
        if (msg.field === "token") { store.del(tokenKey(code)); token = null; if (sock) sock.close(); sock = null; $("[data-class-token-missing]").hidden = false; }
        say(msg.error);
        break;
    }
  }

  function setMode(mode) {
    root.querySelectorAll("[data-class-mode]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.classMode === mode)));
  }
  root.querySelectorAll("[data-class-mode]").forEach((b) => b.addEventListener("click", () => sock && sock.send({ type: "class_mode", mode: b.dataset.classMode })));
  $("[data-class-names]").addEventListener("change", (ev) => sock && sock.send({ type: "class_names", show: ev.target.checked }));

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
    if (!sock) return;
    if (b.dataset.classAsk === "number") {
      if (!current) { say("Change something on the loss page first: the poll asks about the class's current loss."); return; }
      sock.send({ type: "class_question", kind: "number" });
      return;
    }
    const [slug, question] = $("[data-class-question-select]").value.split("/");
    sock.send({ type: "class_question", kind: "lesson", slug, question });
  }));
  $("[data-class-reveal]").addEventListener("click", () => sock && sock.send({ type: "class_reveal" }));

  function showQuestion(q) {
    qid = q.qid;
    const box = $("[data-class-question]");
    box.hidden = false;
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
      show.addEventListener("click", () => sock && sock.send({ type: "class_show_snapshot", snapshot: s.id }));
      const when = new Date(s.at).toLocaleTimeString();
      return el("li", { "data-testid": "class-snapshot" },
        el("a", { href: "/losses/" + encodeURIComponent(s.slug) + (s.query ? "?" + s.query : ""), target: "_blank", text: s.loss }),
        " · " + when + (s.name ? " · " + s.name : "") + " ", show);
    }));
  }

  connect();
}

// ---- Boot ---------------------------------------------------------------------------

function boot() {
  // The teacher's own screens (web/ui/teach-page.js, projector-page.js)
  // are not loss pages to drive from.
  if (document.querySelector("[data-class-teach], [data-class-projector]")) return;
  const m = CODE_PATH.exec(location.pathname);
  const dash = document.querySelector("[data-testid=class-teach]");
  if (m && m[2] && dash) { dashboard(dash, m[1]); return; }
  if (m && !m[2]) { student(m[1]); return; }
  const bar = document.querySelector("[data-class-bar]");
  if (bar) teacherOnPage(bar);
}

boot();
