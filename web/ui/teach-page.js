// The teacher's private view (/c/{code}/teach): the lesson plan with Next
// and Back (arrows and a presenter's clicker step too), the step's note
// and the next step; every student's status; questions, answers and the
// reveal; mode, names, end of class, results and the teacher link. Bound
// to the server-rendered view by data-class-* attributes.
import "./site.js";
import { classWord, teacherToken, saveToken, forgetToken, teacherLink, joinAsTeacher, el, drawHistogram, showPrompt, showReveal } from "./teach-shared.js";

function teach(root) {
  const code = root.dataset.classCode;
  const $ = (sel) => root.querySelector(sel);
  const $$ = (sel) => root.querySelectorAll(sel);
  let token = teacherToken(code);
  let sock = null;
  let plan = null, step = -1;
  let current = null; // the class's current state: its page
  let hist = null, reveal = null, qid = "";
  let ended = false;

  const fail = (text) => {
    const box = $("[data-class-error]");
    box.textContent = text || "";
    box.hidden = !text;
  };
  const send = (msg) => { fail(""); return sock && sock.send(msg); };

  // ---- The connection and the token ----
  function connect() {
    if (!token) { $("[data-class-token-missing]").hidden = false; return; }
    $("[data-class-token-missing]").hidden = true;
    $("[data-class-teacher-link]").value = teacherLink(code, token);
    sock = joinAsTeacher(code, token, {
      onMessage,
      onStatus: (up) => { $("[data-class-connection]").textContent = up ? "" : classWord("bar.reconnecting"); },
    });
  }
  $("[data-class-token-save]").addEventListener("click", () => {
    const v = $("[data-class-token-input]").value.trim();
    if (!v) return;
    token = v;
    saveToken(code, v);
    connect();
  });

  function onMessage(msg) {
    switch (msg.type) {
      case "class_joined": setMode(msg.mode); $("[data-class-names]").checked = !!msg.show_names; break;
      case "class_plan": plan = msg.plan; step = msg.step; renderPlan(); break;
      case "class_state": current = msg; renderCurrent(); break;
      case "class_roster": renderRoster(msg); break;
      case "class_mode": setMode(msg.mode); break;
      case "class_names": $("[data-class-names]").checked = !!msg.show; break;
      case "class_question": question(msg); break;
      case "class_histogram": if (msg.qid === qid || !qid) { hist = msg; renderHistogram(); } break;
      case "class_reveal": if (msg.qid === qid) { reveal = msg; showReveal($("[data-class-reveal-text]"), msg); renderHistogram(); } break;
      case "class_snapshots": renderSnapshots(msg.snapshots || []); break;
      case "class_ended": endShown(); break;
      case "error":
        if (msg.field === "token") {
          forgetToken(code); token = null;
          if (sock) sock.ws && sock.ws.close();
          $("[data-class-token-missing]").hidden = false;
        }
        fail(msg.error);
        break;
    }
  }

  // ---- The plan ----
  function renderPlan() {
    const now = $("[data-class-plan-now]");
    const list = $("[data-class-plan-steps]");
    if (!plan) { now.hidden = true; list.replaceChildren(); return; }
    const n = plan.steps.length;
    now.hidden = false;
    $("[data-class-plan-pos]").textContent = step < 0 ? classWord("plan.notStarted") : classWord("plan.step", step + 1, n);
    const s = plan.steps[step];
    $("[data-class-plan-step-title]").textContent = s ? s.title : plan.title;
    const page = $("[data-class-plan-page]");
    page.textContent = s ? s.page : "";
    page.href = s ? s.page : "#";
    $("[data-class-plan-note]").textContent = s ? s.note || "" : "";
    const upnext = plan.steps[step + 1];
    $("[data-class-plan-upnext]").textContent = upnext ? upnext.title + (upnext.question ? " · " + classWord("q.question") : "") : classWord("plan.atEnd");
    $("[data-class-plan-back]").disabled = step <= 0;
    $("[data-class-plan-next]").disabled = step >= n - 1;
    list.replaceChildren(...plan.steps.map((st, i) => {
      const go = el("button", { type: "button", class: "go", "aria-current": i === step ? "step" : null, "data-testid": "teach-plan-step",
        text: (i + 1) + ". " + st.title + (st.question ? " · " + classWord("q.question") : "") });
      go.addEventListener("click", () => goTo(i));
      const up = el("button", { type: "button", title: classWord("plan.moveUp"), "aria-label": classWord("plan.moveUp"), text: "↑", disabled: i === 0 });
      up.addEventListener("click", () => edit((steps) => { [steps[i - 1], steps[i]] = [steps[i], steps[i - 1]]; }, i === step ? i - 1 : i - 1 === step ? i : step));
      const down = el("button", { type: "button", title: classWord("plan.moveDown"), "aria-label": classWord("plan.moveDown"), text: "↓", disabled: i === n - 1 });
      down.addEventListener("click", () => edit((steps) => { [steps[i + 1], steps[i]] = [steps[i], steps[i + 1]]; }, i === step ? i + 1 : i + 1 === step ? i : step));
      const del = el("button", { type: "button", title: classWord("plan.delete"), "aria-label": classWord("plan.delete"), text: "×", disabled: n === 1 });
      del.addEventListener("click", () => edit((steps) => { steps.splice(i, 1); }, i < step ? step - 1 : i === step ? -1 : step));
      return el("li", { class: i === step ? "now" : "" }, go, el("span", { class: "edit" }, up, down, del));
    }));
  }
  function goTo(i) {
    if (!plan || i < 0 || i >= plan.steps.length) return;
    send({ type: "class_step", step: i });
  }
  // edit sends the changed plan back as the class's own plan, keeping the
  // teacher's place in it.
  function edit(change, keep) {
    const next = JSON.parse(JSON.stringify(plan));
    change(next.steps);
    delete next.id; // no longer the library's plan
    if (!next.title) next.title = classWord("plan.untitled");
    send({ type: "class_plan", plan: next, step: Math.min(keep, next.steps.length - 1) });
  }
  $("[data-class-plan-next]").addEventListener("click", () => goTo(step + 1));
  $("[data-class-plan-back]").addEventListener("click", () => goTo(step - 1));
  document.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey || !plan) return;
    const t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName))) return;
    // Arrows, and the PageDown/PageUp a presenter's clicker sends.
    if (e.key === "ArrowRight" || e.key === "PageDown") { e.preventDefault(); goTo(step + 1); }
    if (e.key === "ArrowLeft" || e.key === "PageUp") { e.preventDefault(); goTo(step - 1); }
  });
  $("[data-class-plan-load]").addEventListener("click", () => {
    const id = $("[data-class-plan-select]").value;
    if (id) send({ type: "class_plan", plan: id, lang: document.documentElement.lang || "en" });
  });
  $("[data-class-plan-add]").addEventListener("click", () => {
    if (!current || !current.page) { fail(classWord("teach.nothingYet")); return; }
    const s = { title: current.loss || current.page, page: current.page, section: null, question: null, note: "" };
    if ($("[data-class-plan-add-predict]").checked) s.question = { kind: "number", prompt: classWord("q.predict") };
    if (!plan) {
      send({ type: "class_plan", plan: { title: classWord("plan.untitled"), lang: document.documentElement.lang || "en", steps: [s] }, step: -1 });
      return;
    }
    edit((steps) => { steps.splice(step + 1, 0, s); }, step);
  });
  $("[data-class-plan-download]").addEventListener("click", () => {
    if (!plan) return;
    const blob = new Blob([JSON.stringify(plan, null, 2) + "\n"], { type: "application/json" });
    download(blob, "plan-" + (plan.id || "class-" + code) + ".json");
  });
  $("[data-class-plan-file]").addEventListener("change", async (e) => {
    const f = e.target.files && e.target.files[0];
    e.target.value = "";
    if (!f) return;
    let p;
    try { p = JSON.parse(await f.text()); } catch (err) { fail(classWord("plan.badFile", err.message)); return; }
    if (!p || typeof p !== "object" || !Array.isArray(p.steps)) { fail(classWord("plan.badFile", "steps")); return; }
    send({ type: "class_plan", plan: p });
  });

  function download(blob, name) {
    const a = el("a", { href: URL.createObjectURL(blob), download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  }

  // ---- What the class shows ----
  function renderCurrent() {
    const a = $("[data-class-current]");
    if (!current || !current.page) return;
    a.href = current.page;
    a.textContent = current.loss || current.page;
    a.title = current.page;
  }

  // ---- Students ----
  function renderRoster(msg) {
    $("[data-class-students]").textContent = String(msg.students || 0);
    $("[data-class-following]").textContent = String(msg.following || 0);
    $("[data-class-answered]").textContent = String(msg.answered || 0);
    const list = msg.list || [];
    $("[data-class-roster]").replaceChildren(...list.map((s, i) => {
      const status = s.status || (s.following ? "following" : "exploring");
      const remove = el("button", { type: "button", class: "small", text: classWord("teach.remove"), "data-testid": "teach-remove" });
      remove.addEventListener("click", () => {
        if (confirm(classWord("teach.removeConfirm", s.name || classWord("teach.anonymous", i + 1)))) send({ type: "class_remove", student_id: s.student_id });
      });
      return el("tr", { "data-testid": "teach-roster-row", "data-status": status },
        el("td", { text: s.name || classWord("teach.anonymous", i + 1) }),
        el("td", { class: "status " + status, text: classWord("status." + status) }),
        el("td", { text: s.answered ? "✓ " + classWord("status.answered") : "—" }),
        el("td", {}, remove));
    }));
  }

  function setMode(mode) {
    $$("[data-class-mode]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.classMode === mode)));
  }
  $$("[data-class-mode]").forEach((b) => b.addEventListener("click", () => send({ type: "class_mode", mode: b.dataset.classMode })));
  $("[data-class-names]").addEventListener("change", (e) => send({ type: "class_names", show: e.target.checked }));

  // ---- Questions ----
  $$("[data-class-ask]").forEach((b) => b.addEventListener("click", () => {
    if (b.dataset.classAsk === "number") { send({ type: "class_question", kind: "number" }); return; }
    const [slug, question] = $("[data-class-question-select]").value.split("/");
    send({ type: "class_question", kind: "lesson", slug, question });
  }));
  $("[data-class-reveal]").addEventListener("click", () => send({ type: "class_reveal" }));
  function question(q) {
    qid = q.qid; hist = null; reveal = null;
    $("[data-class-question]").hidden = false;
    showPrompt($("[data-class-question-prompt]"), q);
    $("[data-class-reveal-text]").hidden = true;
    renderHistogram();
  }
  function renderHistogram() {
    drawHistogram($("[data-class-histogram]"), hist, reveal);
    $("[data-class-answers]").textContent = String(hist ? hist.total : 0);
  }

  function renderSnapshots(list) {
    $("[data-class-snapshots-empty]").hidden = list.length > 0;
    $("[data-class-snapshots]").replaceChildren(...list.map((s) => {
      const show = el("button", { type: "button", class: "small", "data-testid": "class-show-snapshot", text: classWord("teach.showToAll") });
      show.addEventListener("click", () => send({ type: "class_show_snapshot", snapshot: s.id }));
      const href = s.page || "/losses/" + encodeURIComponent(s.slug) + (s.query ? "?" + s.query : "");
      return el("li", { "data-testid": "class-snapshot" },
        el("a", { href, target: "_blank", text: s.loss || href }),
        " · " + new Date(s.at).toLocaleTimeString() + (s.name ? " · " + s.name : "") + " ", show);
    }));
  }

  // ---- End, results, the projector, the teacher link ----
  $("[data-class-end]").addEventListener("click", (e) => {
    if (ended || !confirm(e.currentTarget.dataset.confirm)) return;
    send({ type: "class_end" });
  });
  function endShown() {
    ended = true;
    $("[data-class-ended]").hidden = false;
    $$("[data-class-plan-next], [data-class-plan-back], [data-class-ask], [data-class-reveal], [data-class-end], [data-class-mode]").forEach((b) => { b.disabled = true; });
  }
  $$("[data-class-results]").forEach((b) => b.addEventListener("click", async () => {
    const csv = b.dataset.classResults === "csv";
    try {
      const res = await fetch("/api/v1/classes/" + encodeURIComponent(code) + "/results" + (csv ? "?format=csv" : ""),
        { headers: { Authorization: "Bearer " + token } });
      if (!res.ok) { fail((await res.text()).slice(0, 200)); return; }
      download(await res.blob(), "class-" + code + "-results." + (csv ? "csv" : "json"));
    } catch (err) { fail(err.message); }
  }));
  $("[data-class-open-projector]").addEventListener("click", () => {
    const lang = document.documentElement.lang;
    window.open("/c/" + encodeURIComponent(code) + "/projector" + (lang && lang !== "en" ? "?lang=" + lang : ""), "lp-projector-" + code, "popup,width=1280,height=720");
  });
  $("[data-class-copy-link]").addEventListener("click", async (e) => {
    const input = $("[data-class-teacher-link]");
    try { await navigator.clipboard.writeText(input.value); e.currentTarget.textContent = e.currentTarget.dataset.copied; }
    catch (err) { input.select(); }
  });

  connect();
}

const root = document.querySelector("[data-class-teach]");
if (root) teach(root);
