// chartlinks.js keeps every chart's "Image link" and "Markdown" button on
// the page's current state. The server renders both for the state it was
// asked for; this module follows later changes through the page's
// lp:state event (detail.query is the page's permalink query) and copies
// a chart's Markdown image line on request.
//
// Bound to the DOM through:
//   a[data-chart-image]         the image path without the state; its href gets "?" + query
//   button[data-copy-markdown]  the alt text; copies ![alt](absolute URL of the figure's image link)
//
// The loss and comparison page entries import it before their own code
// runs, so it hears their first lp:state.

import { word } from "./i18n.js";

function imageLinks() {
  return document.querySelectorAll("a[data-chart-image]");
}

function onState(ev) {
  const query = (ev.detail && typeof ev.detail.query === "string") ? ev.detail.query : null;
  if (query === null) return;
  for (const a of imageLinks()) {
    a.setAttribute("href", a.dataset.chartImage + (query ? "?" + query : ""));
  }
}

// captionOf names the state of an image from its query, as the server's
// <title> does (chartStateCaption in web/chart_image.go): " (beta = 0.5)",
// keys in order, view keys left out, values cut at 24 characters.
const viewKeys = new Set(["lang", "theme", "element", "overlay", "lattice", "w", "h"]);
export function captionOf(query) {
  const q = new URLSearchParams(query);
  const keys = Array.from(new Set(Array.from(q.keys()))).filter((k) => !viewKeys.has(k)).sort();
  if (!keys.length) return "";
  return " (" + keys.map((k) => {
    const v = Array.from(q.get(k));
    return k + " = " + (v.length > 24 ? v.slice(0, 24).join("") + "…" : v.join(""));
  }).join(", ") + ")";
}

// markdownFor is the Markdown image line of the button's figure.
function markdownFor(button) {
  const fig = button.closest("figure") || button.parentElement;
  const link = fig && fig.querySelector("a[data-chart-image]");
  if (!link) return "";
  const url = new URL(link.getAttribute("href"), location.href);
  const alt = (button.dataset.copyMarkdown + captionOf(url.search)).replace(/[\[\]\\]/g, "\\$&");
  return "![" + alt + "](" + url.href + ")";
}

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (e) {
      // Permission refused: fall back to a selection copy below.
    }
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.cssText = "position:fixed;left:-10000px;top:0";
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } catch (e) {
    ok = false;
  }
  area.remove();
  return ok;
}

// feedbackMs is how long the button says "Copied".
const feedbackMs = 1500;

// offerByHand shows the line, selected, next to the button when the
// browser refuses to copy (no clipboard permission, no execCommand).
function offerByHand(button, text) {
  let field = button.nextElementSibling;
  if (!field || !field.matches("input[data-markdown-text]")) {
    field = document.createElement("input");
    field.type = "text";
    field.readOnly = true;
    field.dataset.markdownText = "";
    field.setAttribute("aria-label", word("markdownByHand"));
    button.after(field);
  }
  field.value = text;
  field.focus();
  field.select();
}

async function onClick(ev) {
  const button = ev.target.closest("button[data-copy-markdown]");
  if (!button) return;
  const text = markdownFor(button);
  if (!text) return;
  button.dataset.markdown = text; // what was copied, for tests and curious readers
  const ok = await copyText(text);
  if (!ok) {
    offerByHand(button, text);
    return;
  }
  const label = button.dataset.label || button.textContent;
  button.dataset.label = label;
  button.textContent = word("copied");
  setTimeout(() => { button.textContent = label; }, feedbackMs);
}

document.addEventListener("lp:state", onState);
document.addEventListener("click", onClick);
