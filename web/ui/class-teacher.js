// The teacher on a loss page: start a class, drive it with the page's
// state, stop. The class bar is the server's (templates.ClassBar,
// data-class-* attributes); this module makes it live and sends the
// class messages on the page's own socket.
import { TEACHING_KEY, classLink, store, tokenKey } from "./class-common.js";

// startTeacher runs the teacher's side on socket (the page's LiveSocket);
// create starts a new class first (the Teach button was pressed).
export async function startTeacher(socket, create) {
  const bar = document.querySelector("[data-class-bar]");
  if (!bar) return;
  const $ = (sel) => bar.querySelector(sel);
  const teachBtn = $("[data-class-teach-start]");
  const teaching = $("[data-class-teaching]");
  const status = $("[data-class-teaching-status]");
  const dash = $("[data-class-dashboard-link]");
  const error = $("[data-class-bar-error]");
  const link = classLink(socket);
  let code = store.get(TEACHING_KEY);
  let active = false, applying = false, pageState = null, students;

  function render() {
    teachBtn.hidden = !!code;
    teaching.hidden = !code;
    if (!code) return;
    status.textContent = "Teaching " + code + (students === undefined ? "" : " · " + students + " students");
    dash.href = "/c/" + code + "/teach";
  }

  function stop() {
    store.del(TEACHING_KEY);
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
    if (!active || applying || !state || !state.loss) return;
    link.send({ type: "class_drive", loss: state.loss, params: state.params, inputs: state.inputs,
      detail: true, view: state.view, query: state.query });
  }

  function onMessage(msg) {
    if (!active) return;
    if (msg.type === "class_joined") drive(pageState);
    else if (msg.type === "class_roster") { students = msg.students; render(); }
    else if (msg.type === "class_state" && msg.origin === "snapshot" && pageState && msg.slug === pageState.slug) {
      // A student's snapshot on every screen: the teacher's page shows
      // it too, and goes on from there.
      applying = true;
      try {
        document.dispatchEvent(new CustomEvent("lp:apply", { detail: { params: msg.params, inputs: msg.inputs, view: msg.view, reply: msg.reply } }));
      } finally { applying = false; }
    } else if (msg.type === "error" && msg.field === "code") {
      stop(); // the class has expired
    }
  }

  document.addEventListener("lp:state", (ev) => { pageState = ev.detail; drive(pageState); });
  $("[data-class-stop]").addEventListener("click", stop);
  teachBtn.addEventListener("click", createClass);

  // The lesson section the teacher reads, looked at twice a second
  // (scroll events stop in a tab that is not drawn, such as one on a
  // projector beside the teacher's own screen; timers go on).
  let section = -1;
  setInterval(() => {
    if (!active) return;
    const now = currentSection();
    if (now !== section && link.send({ type: "class_section", section: now })) section = now;
  }, 500);

  render();
  socket.listen({ onOpen: hello, onMessage });
  if (create) await createClass();
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
