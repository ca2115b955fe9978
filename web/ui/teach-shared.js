// What the teacher's two screens share: the class words, the teacher's
// token (kept in this browser, or brought by a teacher link in the URL
// fragment), the histogram, and the socket that joins as the teacher.
import { LiveSocket } from "./socket.js";

let words = null;

// classWord returns the page language's class message key ("class."
// prefix dropped; i18n, the lp-class-i18n block), with Go's %s, %d
// and %[n]d filled from args.
export function classWord(key, ...args) {
  if (!words) {
    const el = document.getElementById("lp-class-i18n");
    try { words = el ? JSON.parse(el.textContent) : {}; } catch (e) { words = {}; }
  }
  const msg = Object.prototype.hasOwnProperty.call(words, key) ? words[key] : key;
  let next = 0;
  return msg.replace(/%(?:\[(\d+)\])?[sdvgq]/g, (_, n) => String(args[n ? Number(n) - 1 : next++] ?? ""));
}

const store = {
  get(k) { try { return localStorage.getItem(k); } catch (e) { return null; } },
  set(k, v) { try { localStorage.setItem(k, v); } catch (e) { /* private mode */ } },
  del(k) { try { localStorage.removeItem(k); } catch (e) { /* private mode */ } },
};
const tokenKey = (code) => "lp-class-token-" + code;

// teacherToken returns the class's token: a teacher link's (#token=…,
// which is then kept and dropped from the address bar, so that it is not
// bookmarked or shared by accident), else the one this browser keeps.
export function teacherToken(code) {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (m) {
    const token = decodeURIComponent(m[1]);
    store.set(tokenKey(code), token);
    // Loss pages in this browser then offer "Drive from this tab".
    store.set("lp-class-teaching", code);
    history.replaceState(null, "", location.pathname + location.search);
    return token;
  }
  return store.get(tokenKey(code));
}

export function saveToken(code, token) { store.set(tokenKey(code), token); }
export function forgetToken(code) { store.del(tokenKey(code)); }

// teacherLink is the address that moves the role to another device.
export function teacherLink(code, token) {
  return location.origin + "/c/" + encodeURIComponent(code) + "/teach#token=" + encodeURIComponent(token);
}

// joinAsTeacher opens the socket and presents the token on every
// (re)connect; onMessage gets every message.
export function joinAsTeacher(code, token, { onMessage, onStatus }) {
  const sock = new LiveSocket({
    onOpen: () => sock.send({ type: "class_teach", code, token }),
    onMessage,
    onStatus: onStatus || (() => {}),
  });
  sock.connect();
  return sock;
}

export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "text") e.textContent = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

// drawHistogram renders bins as bars: one row per bin, its count and its
// share; the correct bin (bin.correct, or the revealed answer's value) is
// marked; names only when given (the teacher shows them).
export function drawHistogram(box, hist, reveal) {
  const bins = (hist && hist.bins) || [];
  const max = Math.max(1, ...bins.map((b) => b.count));
  box.replaceChildren(...bins.map((b) => {
    const correct = !!reveal && (b.correct || (b.value !== undefined && b.value !== "" && b.value === reveal.answer));
    const bar = el("span", { class: "bar" });
    bar.style.width = (100 * b.count / max).toFixed(1) + "%";
    const label = el("span", { class: "label", text: b.label });
    if (correct) label.append(el("span", { class: "mark", text: " ✓ " + classWord("q.correctBin") }));
    const row = el("div", { class: "bin" + (correct ? " correct" : ""), "data-testid": "class-bin", "data-count": String(b.count), "data-correct": correct ? "true" : null },
      label,
      el("span", { class: "track" }, bar),
      el("span", { class: "count", text: String(b.count) }));
    if (b.names && b.names.length) row.append(el("span", { class: "names", text: b.names.join(", ") }));
    return row;
  }));
}

// showPrompt writes a question's prompt: the server's typeset HTML for a
// lesson question, the teacher's text for a poll.
export function showPrompt(box, q) {
  if (q.prompt_html) box.innerHTML = q.prompt_html; // typeset by the server from the lessons
  else box.textContent = q.prompt || classWord("q.predict");
}

// showReveal writes the answer and the engine's numbers.
export function showReveal(box, msg) {
  box.replaceChildren(el("p", { class: "answer", "data-testid": "reveal-answer", text: classWord("q.answerIs", msg.answer_label || msg.answer) }));
  if (msg.explanation_html) {
    const ex = el("div", { class: "explanation" });
    ex.innerHTML = msg.explanation_html; // the lesson's, rendered by the server
    box.append(ex);
  }
  box.hidden = false;
}
