// A student in a class: follow the teacher's page, explore when allowed,
// pause, answer questions, send snapshots. The interface is the server's
// (templates.ClassStudent, data-class-* attributes); this module makes it
// live on the page's own socket, and talks to the loss page only through
// the page events (lp:state in, lp:apply and lp:lock out).
import { word } from "./i18n.js";
import { classLink, el, fmt, landed, navigated, navigationBlocked, revealContent, session } from "./class-common.js";

const FOLLOW_LABEL = word("class.following");
// A student's own language choice rides along when the class page reloads.
const LANG_QUERY = (() => { const l = new URLSearchParams(location.search).get("lang"); return l ? "?lang=" + encodeURIComponent(l) : ""; })();

// startStudent runs the student's side of class code on socket (a
// LiveSocket). onLossPage tells whether the page can show a state itself.
export function startStudent(code, socket, onLossPage) {
  const panel = document.querySelector("[data-class-student]");
  if (!panel) return;
  const $ = (sel) => panel.querySelector(sel);
  const link = classLink(socket);
  const params = new URLSearchParams(location.search);
  if (params.has("name")) {
    session.set("lp-class-name-" + code, params.get("name"));
    params.delete("name");
    history.replaceState(null, "", location.pathname + (params.toString() ? "?" + params : ""));
  }
  let name = session.get("lp-class-name-" + code) || "";
  let mode = "follow", following = true, latest = null, question = null, pageState = null, ended = false;
  let navTimer = 0;
  const errorPage = !!document.querySelector("[data-class-error-page]");
  landed(code, errorPage);

  const who = $("[data-class-you]");
  const stateLabel = $("[data-class-follow-state]");
  const exploreBtn = $("[data-class-explore]");
  const backBtn = $("[data-class-snap-back]");
  const snapBtn = $("[data-class-send-snapshot]");
  const snapNote = $("[data-class-snapshot-note]");
  const qBox = $("[data-class-student-question]");
  const message = $("[data-class-message]");
  const pause = document.querySelector("[data-class-pause]");

  function say(text) { message.textContent = text || ""; message.hidden = !text; }

  function render() {
    const exploring = !following;
    stateLabel.textContent = mode === "pause" ? word("class.paused") : exploring ? word("class.exploring") : FOLLOW_LABEL;
    exploreBtn.hidden = mode !== "explore" || exploring;
    backBtn.hidden = !exploring;
    snapBtn.hidden = !exploring || !pageState;
    pause.hidden = mode !== "pause";
    document.documentElement.classList.toggle("class-paused", mode === "pause");
  }

  function lockPage(locked) {
    document.dispatchEvent(new CustomEvent("lp:lock", { detail: { locked, label: FOLLOW_LABEL } }));
  }

  function follow(on) {
    following = on;
    link.send({ type: "class_follow", following: on });
    lockPage(on);
    if (on && latest) show(latest);
    render();
  }

  // show puts a class state on screen: on this page when it is the same
  // loss, else by loading the class's page, guarded against loops.
  function show(msg) {
    if (!msg.slug && msg.page) {
      // A comparison or lesson page: shown as the server renders it, once
      // per page (the page itself does not follow a state).
      if (session.get("lp-class-page-" + code) === msg.page && !onLossPage && !document.querySelector("[data-testid=class-wait]") && !errorPage) return;
      session.set("lp-class-page-" + code, msg.page);
      navigate(msg.seq);
      return;
    }
    session.set("lp-class-page-" + code, "");
    if (onLossPage && pageState && msg.slug === pageState.slug) {
      document.dispatchEvent(new CustomEvent("lp:apply", {
        detail: { params: msg.params, inputs: msg.inputs, view: msg.view, dtype: msg.dtype, reply: msg.reply },
      }));
      return;
    }
    navigate(msg.seq);
  }

  function navigate(seq) {
    clearTimeout(navTimer);
    const blocked = navigationBlocked(code, seq);
    if (blocked === "seen") {
      // This state was loaded once already and did not give a page that
      // can show it: say so, and wait for the teacher's next change.
      say(errorPage
        ? word("class.notShown")
        : "");
      return;
    }
    if (typeof blocked === "number") {
      say(word("class.notShownRetry"));
      navTimer = setTimeout(() => { if (latest && following) navigate(latest.seq); }, blocked);
      return;
    }
    navigated(code, seq);
    location.replace("/c/" + code + LANG_QUERY);
  }

  function onMessage(msg) {
    if (ended) return;
    switch (msg.type) {
      case "class_joined":
        name = msg.name;
        session.set("lp-class-name-" + code, name);
        if (msg.resume) session.set("lp-class-resume-" + code, msg.resume);
        who.textContent = word("class.you", name);
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
      case "class_answered": answered(msg); break;
      case "class_reveal": reveal(msg); break;
      case "class_snapshot_sent": snapNote.textContent = word("class.sent"); break;
      case "class_ended":
        // The class is over: the page is the student's again.
        ended = true;
        mode = "explore"; following = false;
        lockPage(false);
        hideLoss(false);
        render();
        for (const b of [exploreBtn, backBtn, snapBtn]) b.hidden = true;
        say(msg.reason === "removed" ? word("class.removed") : word("class.ended"));
        message.dataset.testid = "class-ended";
        break;
      case "error":
        if (msg.field === "code") {
          // No such class (it ended): say so once, and stop rejoining.
          ended = true;
          lockPage(false);
          say(msg.error);
        } else {
          snapNote.textContent = msg.error;
        }
        break;
    }
  }

  function hello() {
    if (ended) return;
    // The page's language: the class's questions, reveals and generated
    // names come in it.
    const m = { type: "class_join", code, name, lang: (document.documentElement.lang || "").startsWith("zh") ? "zh" : "en" };
    const resume = session.get("lp-class-resume-" + code);
    if (resume) m.resume = resume;
    link.send(m);
  }

  function showQuestion(q) {
    question = q;
    hideLoss(q.kind === "number" && (!q.hides || q.hides.indexOf("loss") >= 0));
    qBox.hidden = false;
    const prompt = qBox.querySelector("[data-class-question-prompt]");
    if (q.prompt_html) prompt.innerHTML = q.prompt_html; else prompt.textContent = q.prompt;
    const answers = qBox.querySelector("[data-class-choices]");
    answers.replaceChildren();
    if (q.kind === "number") {
      const inp = el("input", { type: "number", step: "any", "aria-label": word("class.yourPrediction"), placeholder: word("class.numberPlaceholder"), "data-testid": "class-number-answer" });
      const send = el("button", { type: "button", "data-testid": "class-send-answer", text: word("class.answer") });
      send.addEventListener("click", () => {
        if (inp.value.trim() !== "" && Number.isFinite(Number(inp.value))) link.send({ type: "class_answer", qid: q.qid, number: Number(inp.value) });
      });
      answers.append(inp, send);
    } else {
      (q.choices || []).forEach((c) => {
        const b = el("button", { type: "button", "data-choice": c.value, "data-testid": "class-choice-" + c.value, text: c.label });
        b.addEventListener("click", () => link.send({ type: "class_answer", qid: q.qid, choice: c.value }));
        answers.append(b);
      });
    }
    const ans = qBox.querySelector("[data-class-answered]");
    ans.hidden = true;
    const rev = qBox.querySelector("[data-class-student-reveal]");
    rev.hidden = true;
    rev.replaceChildren();
  }

  function answered(msg) {
    if (!question || msg.qid !== question.qid) return;
    const p = qBox.querySelector("[data-class-answered]");
    const label = msg.choice !== undefined ? ((question.choices || []).find((c) => c.value === msg.choice) || { label: msg.choice }).label : fmt(msg.number);
    p.textContent = word("class.yourAnswer", label);
    p.hidden = false;
    qBox.querySelectorAll("[data-choice]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.choice === msg.choice)));
  }

  // hideLoss keeps the loss off the page while a numeric poll asks for
  // it, until the reveal: <body data-class-hide-loss> hides every place
  // that prints it (the result panel, the dock, the chart images and
  // downloads: web/static/app.css; the charts' subtitles: charts.js),
  // and a "?" stands where the loss was.
  function hideLoss(on) {
    document.body.toggleAttribute("data-class-hide-loss", on);
    const result = document.getElementById("result-panel");
    let mark = document.querySelector("[data-testid=class-hidden-loss]");
    if (on && result && !mark) {
      mark = el("p", { class: "loss-hidden", "data-testid": "class-hidden-loss" },
        el("output", { class: "loss-value", text: "?" }), " ",
        el("span", { class: "hint", text: word("class.hidden") }));
      result.before(mark);
    }
    if (!on && mark) mark.remove();
  }

  function lessonSlug() {
    if (pageState && pageState.slug) return pageState.slug;
    const m = /^\/lessons\/([a-z0-9-]+)$/.exec(location.pathname);
    return m ? m[1] : "";
  }

  function reveal(msg) {
    if (!question || msg.qid !== question.qid) return;
    hideLoss(false);
    qBox.querySelectorAll("[data-class-choices] button, [data-class-choices] input").forEach((b) => { b.disabled = true; });
    const box = qBox.querySelector("[data-class-student-reveal]");
    box.replaceChildren(revealContent(msg));
    box.hidden = false;
  }

  exploreBtn.addEventListener("click", () => follow(false));
  backBtn.addEventListener("click", () => follow(true));
  snapBtn.addEventListener("click", () => {
    if (!pageState) return;
    link.send({ type: "class_snapshot", loss: pageState.loss, slug: pageState.slug, query: pageState.query, params: pageState.params, inputs: pageState.inputs, view: pageState.view });
    snapNote.textContent = word("class.sending");
  });
  document.addEventListener("lp:state", (ev) => { pageState = ev.detail; render(); });
  panel.hidden = false;
  render();
  link.listen({ onOpen: hello, onMessage });
}

// ---- Lesson sections: which heading of the lesson is at the top ------------------

const SECTION_HEADINGS = "[data-testid=lesson-content] h2, [data-testid=lesson-content] h3";

function showSection(idx) {
  if (idx < 0) { window.scrollTo(0, 0); return; } // above the lesson
  const h = document.querySelectorAll(SECTION_HEADINGS)[idx];
  if (h) window.scrollTo(0, h.getBoundingClientRect().top + window.scrollY);
}
