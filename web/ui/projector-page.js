// The projector view (/c/{code}/projector): how to join, the question with
// its live histogram, the reveal with the correct bar marked. It joins as
// the teacher (the private view opened it in this browser) but only
// listens; names appear only while the teacher shows them.
import "./site.js";
import { classWord, teacherToken, joinAsTeacher, el, drawHistogram, showPrompt, showReveal } from "./teach-shared.js";

function projector(root) {
  const code = root.dataset.classCode;
  const $ = (sel) => root.querySelector(sel);
  const token = teacherToken(code);
  let qid = "", hist = null, reveal = null, names = false, roster = null;
  if (!token) { $("[data-class-token-missing]").hidden = false; return; }

  function render() {
    drawHistogram($("[data-class-histogram]"), hist, reveal);
    $("[data-class-answers]").textContent = roster && hist
      ? classWord("q.answeredOf", hist.total, roster.students)
      : classWord("q.answers", hist ? hist.total : 0);
    const list = $("[data-class-names-list]");
    const who = names && roster ? (roster.list || []).map((s) => s.name).filter(Boolean) : [];
    list.hidden = who.length === 0;
    list.replaceChildren(...who.map((n) => el("li", { text: n })));
    $("[data-class-students]").textContent = roster ? classWord("teach.students", roster.students) : "";
  }

  joinAsTeacher(code, token, {
    onMessage(msg) {
      switch (msg.type) {
        case "class_joined": names = !!msg.show_names; break;
        case "class_names": names = !!msg.show; break;
        case "class_roster": roster = msg; break;
        case "class_question":
          qid = msg.qid; hist = null; reveal = null;
          $("[data-class-question]").hidden = false;
          showPrompt($("[data-class-question-prompt]"), msg);
          $("[data-class-reveal-text]").hidden = true;
          break;
        case "class_histogram": if (msg.qid === qid) hist = msg; break;
        case "class_reveal": if (msg.qid === qid) { reveal = msg; showReveal($("[data-class-reveal-text]"), msg); } break;
        case "class_ended": $("[data-class-ended]").hidden = false; break;
        default: return;
      }
      render();
    },
  });
}

const root = document.querySelector("[data-class-projector]");
if (root) projector(root);
