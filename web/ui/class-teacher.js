// The teacher's browser on a page it may drive: a loss page (its state),
// or a comparison or lesson page (its path). The class bar is the
// server's (templates.ClassBar, data-class-* attributes); this module
// makes it live and sends the class messages on the page's own socket.
// One tab drives the class ("Drive from this tab"): opening other pages
// in the teacher's browser never moves the class.
import { word } from "./i18n.js";
import { TEACHING_KEY, classLink, store, tokenKey } from "./class-common.js";

// driverKey names the one tab that drives a class.
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

// pagePath is this page's path and query without lang: what a class shows.
function pagePath() {
  const q = new URLSearchParams(location.search);
  q.delete("lang");
  const qs = q.toString();
  return location.pathname + (qs ? "?" + qs : "");
}

// startTeacher runs the teacher's side on socket (the page's LiveSocket);
// create starts a new class first (the Teach button was pressed).
export function startTeacher(socket, create) {
  const bar = document.querySelector("[data-class-bar]");
  if (!bar) return;
  const $ = (sel) => bar.querySelector(sel);
  const teachBtn = $("[data-class-teach-start]");
  const teaching = $("[data-class-teaching]");
  const status = $("[data-class-teaching-status]");
  const dash = $("[data-class-dashboard-link]");
  const drivingNote = $("[data-class-driving]");
  const driveHere = $("[data-class-drive-here]");
  const error = $("[data-class-bar-error]");
  const link = classLink(socket);
  let code = store.get(TEACHING_KEY);
  let active = false, applying = false, pageState = null, students, shownPage = "";

  const driving = () => !!code && store.get(driverKey(code)) === TAB_ID;
  // A comparison or lesson page is shown as it is: its path is its state.
  const pageOnly = () => !document.querySelector("[data-loss]") && /^\/(compare|lessons)\//.test(location.pathname);
  const lessonSlug = () => {
    if (pageState && pageState.slug) return pageState.slug;
    const m = /^\/lessons\/([a-z0-9-]+)$/.exec(location.pathname);
    return m ? m[1] : "";
  };

  function render() {
    // Classes start from loss pages (a comparison page's state has no loss).
    teachBtn.hidden = !!code || !document.querySelector("[data-loss]");
    teaching.hidden = !code;
    if (!code) return;
    status.textContent = word("class.teaching", code) + (students === undefined ? "" : " · " + students);
    dash.href = "/c/" + code + "/teach";
    drivingNote.hidden = !driving();
    driveHere.hidden = driving();
  }

  function stop() {
    if (code) { store.del(TEACHING_KEY); store.del(driverKey(code)); }
    if (active) link.send({ type: "class_leave" });
    active = false;
    code = null;
    students = undefined;
    render();
  }

  async function createClass() {
    error.hidden = true;
    const r = await fetch("/api/v1/classes", { method: "POST" });
    const body = await r.json().catch(() => ({}));
    if (r.status !== 201) { error.textContent = body.error || "Could not start a class."; error.hidden = false; return; }
    store.set(tokenKey(body.code), body.teacher_token);
    store.set(TEACHING_KEY, body.code);
    store.set(driverKey(body.code), TAB_ID); // the tab that started the class drives it
    code = body.code;
    students = undefined;
    render();
    hello();
  }

  function hello() {
    if (!code) return;
    const token = store.get(tokenKey(code));
    if (!token) { stop(); return; }
    active = true;
    link.send({ type: "class_teach", code, token });
  }

  function drive(state) {
    if (!active || applying || !state || !state.loss || !driving()) return;
    link.send({ type: "class_drive", loss: state.loss, params: state.params, inputs: state.inputs,
      detail: true, view: state.view, query: state.query, dtype: state.dtype });
  }

  function drivePage() {
    if (!active || !driving() || !pageOnly()) return;
    const now = pagePath();
    if (now !== shownPage && link.send({ type: "class_drive", page: now })) shownPage = now;
  }

  function onMessage(msg) {
    if (!active) return;
    if (msg.type === "class_joined") { if (pageState) drive(pageState); else drivePage(); }
    else if (msg.type === "class_ended") stop();
    else if (msg.type === "class_roster") { students = msg.students; render(); }
    else if (msg.type === "class_state" && msg.origin === "snapshot" && pageState && msg.slug === pageState.slug) {
      // A student's snapshot on every screen: the teacher's page shows
      // it too, and goes on from there.
      applying = true;
      try {
        document.dispatchEvent(new CustomEvent("lp:apply", { detail: { params: msg.params, inputs: msg.inputs, view: msg.view, dtype: msg.dtype, reply: msg.reply } }));
      } finally { applying = false; }
    } else if (msg.type === "error" && msg.field === "code") {
      stop(); // the class has expired
    }
  }

  document.addEventListener("lp:state", (ev) => { pageState = ev.detail; drive(pageState); });
  teachBtn.addEventListener("click", createClass);
  driveHere.addEventListener("click", () => {
    store.set(driverKey(code), TAB_ID);
    shownPage = "";
    if (pageState && pageState.loss) drive(pageState); else drivePage();
    render();
  });
  // Another tab took the class over (or gave it up).
  window.addEventListener("storage", (e) => { if (code && e.key === driverKey(code)) render(); });

  // The lesson section the teacher reads, looked at twice a second
  // (scroll events stop in a tab that is not drawn, such as one on a
  // projector beside the teacher's own screen; timers go on).
  let section = -2;
  setInterval(() => {
    if (!active || !driving()) return;
    drivePage();
    const now = currentSection();
    const slug = lessonSlug();
    if (slug && now !== section && link.send({ type: "class_section", section: now, slug })) section = now;
  }, 500);

  render();
  socket.listen({ onOpen: hello, onMessage });
  if (create) createClass();
}

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
