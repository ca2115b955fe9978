// What the class modules share: storage that survives private mode, the
// class's paths, number formatting, the reveal's content, and the rule
// that keeps a student's page from navigating in a loop.
import { CLASS_IDS } from "./socket.js";
import { word } from "./i18n.js";

export const CODE_PATH = /^\/c\/([2-9A-HJ-NP-Z]{6})(\/teach|\/projector)?\/?$/;

export const store = {
  get(k) { try { return localStorage.getItem(k); } catch (e) { return null; } },
  set(k, v) { try { localStorage.setItem(k, v); } catch (e) { /* private mode */ } },
  del(k) { try { localStorage.removeItem(k); } catch (e) { /* private mode */ } },
};
export const session = {
  get(k) { try { return sessionStorage.getItem(k); } catch (e) { return null; } },
  set(k, v) { try { sessionStorage.setItem(k, v); } catch (e) { /* private mode */ } },
};
export const tokenKey = (code) => "lp-class-token-" + code;
export const TEACHING_KEY = "lp-class-teaching";

// classLink is a class module's side of a socket: send gives every
// message an id of the class's range; listen subscribes.
export function classLink(socket) {
  let id = CLASS_IDS;
  return {
    send(msg) {
      // The class package refuses an integer id on class_snapshot (its
      // snapshot id is a string): send that one without (issue 15).
      if (msg.type === "class_snapshot") return socket.send(msg);
      return socket.send(Object.assign({ id: ++id }, msg));
    },
    listen(l) { socket.listen(l); },
  };
}

export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") e.textContent = v;
    else if (k === "hidden") e.hidden = !!v;
    else e.setAttribute(k, v);
  }
  e.append(...children.filter((c) => c !== null && c !== undefined));
  return e;
}

export function fmt(v) {
  if (typeof v === "string") return v;
  if (typeof v !== "number") return String(v);
  return Math.abs(v) >= 1e-4 && Math.abs(v) < 1e8 ? String(Math.round(v * 1e6) / 1e6) : v.toExponential(4);
}

// revealContent is the engine's answer with its numbers.
export function revealContent(msg) {
  const box = el("div", {});
  box.append(el("p", { class: "answer", "data-testid": "class-reveal-answer" }, word("class.answerIs") + " ", el("strong", { text: msg.answer_label || msg.answer })));
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

// A student's page follows the class by loading /c/{code} when the class
// moves to another page. Navigation is guarded so that a state the page
// cannot show (an error page, 400 or 503) never loops: the page navigates
// at most once per state (seq), and after landing on an error page it
// waits longer before each next navigation.
const NAV_FIRST_BACKOFF_MS = 2000;
const NAV_MAX_BACKOFF_MS = 60000;

function navRecord(code) {
  try { return JSON.parse(session.get("lp-class-nav-" + code)) || {}; } catch (e) { return {}; }
}

// navigationBlocked reports why a navigation to seq should not happen
// now: "seen" (this state was navigated to already), a number (wait that
// many ms), or "" (go).
export function navigationBlocked(code, seq) {
  const r = navRecord(code);
  if (typeof r.seq === "number" && seq <= r.seq) return "seen";
  if (r.fails > 0) {
    const backoff = Math.min(NAV_MAX_BACKOFF_MS, NAV_FIRST_BACKOFF_MS * 2 ** (r.fails - 1));
    const wait = r.at + backoff - Date.now();
    if (wait > 0) return wait;
  }
  return "";
}

// navigated records a navigation to seq, just before it happens.
export function navigated(code, seq) {
  const r = navRecord(code);
  session.set("lp-class-nav-" + code, JSON.stringify({ seq, at: Date.now(), fails: r.fails || 0 }));
}

// landed records where a navigation landed: an error page counts as a
// failure (the next navigation backs off further), a page that works
// resets the count.
export function landed(code, failed) {
  const r = navRecord(code);
  r.fails = failed ? (r.fails || 0) + 1 : 0;
  if (failed) r.at = Date.now();
  session.set("lp-class-nav-" + code, JSON.stringify(r));
}
