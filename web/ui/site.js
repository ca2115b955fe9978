// What every page shares: the theme (light, dark, or the system's), large
// type for projectors, and header links that follow the page's URL. Pages
// import this module; lesson and error pages load it alone.

const root = document.documentElement;
root.classList.add("js");

export const store = {
  get(k) { try { return localStorage.getItem(k); } catch (e) { return null; } },
  set(k, v) { try { localStorage.setItem(k, v); } catch (e) { /* private mode */ } },
};

if (!root.dataset.theme && store.get("lp-theme")) root.dataset.theme = store.get("lp-theme");
if (store.get("lp-large") === "1") root.classList.add("large");

export function isDark() {
  if (root.dataset.theme) return root.dataset.theme === "dark";
  return !!(window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches);
}

export function themeName() { return isDark() ? "dark" : "light"; }

const themeListeners = [];
const sizeListeners = [];

// onThemeChange runs fn after the theme changed (a switch, or the system's
// preference while the page follows it).
export function onThemeChange(fn) { themeListeners.push(fn); }

// onTypeSizeChange runs fn after large type was switched.
export function onTypeSizeChange(fn) { sizeListeners.push(fn); }

// refreshHeaderLinks points the language and theme switches and the embed
// link at the current URL, so that they keep the page's state.
export function refreshHeaderLinks() {
  const u = new URL(location.href);
  document.querySelectorAll(".lang-switch a[hreflang]").forEach((a) => {
    const q = new URLSearchParams(u.search);
    q.set("lang", a.getAttribute("hreflang"));
    a.href = u.pathname + "?" + q.toString();
  });
  document.querySelectorAll("[data-theme-link]").forEach((a) => {
    const q = new URLSearchParams(u.search);
    q.set("theme", a.dataset.themeLink);
    a.href = u.pathname + "?" + q.toString();
  });
  markTheme();
  const embed = document.querySelector("[data-embed-link]");
  const page = document.querySelector("[data-slug]");
  if (embed && page) embed.href = "/embed/" + page.dataset.slug + u.search;
}

document.addEventListener("click", (ev) => {
  const t = ev.target.closest("[data-theme-link]");
  if (t) {
    ev.preventDefault();
    root.dataset.theme = t.dataset.themeLink;
    store.set("lp-theme", t.dataset.themeLink);
    themeListeners.forEach((fn) => fn());
    markTheme();
    return;
  }
  const l = ev.target.closest(".large-toggle");
  if (l) {
    const on = root.classList.toggle("large");
    l.setAttribute("aria-pressed", on ? "true" : "false");
    store.set("lp-large", on ? "1" : "0");
    sizeListeners.forEach((fn) => fn());
  }
});

if (window.matchMedia) {
  const mq = window.matchMedia("(prefers-color-scheme: dark)");
  if (mq.addEventListener) mq.addEventListener("change", () => { if (!root.dataset.theme) themeListeners.forEach((fn) => fn()); });
}

// whenReady runs fn once the document is parsed (module scripts run after
// parsing anyway; this keeps fn correct if the module is loaded late).
export function whenReady(fn) {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
  else fn();
}

// markTheme marks the theme switch's link of the theme chosen (by the URL
// or a stored choice; none when the page follows the system).
function markTheme() {
  document.querySelectorAll("[data-theme-link]").forEach((a) => {
    a.setAttribute("aria-current", root.dataset.theme === a.dataset.themeLink ? "true" : "false");
  });
}

whenReady(() => {
  // The server marks only a theme the URL names; a stored one is known here.
  markTheme();
  const l = document.querySelector(".large-toggle");
  if (l) l.setAttribute("aria-pressed", root.classList.contains("large") ? "true" : "false");
});

// Pages without live state answer like a loss page that has not changed
// (tests wait on it); the loss page replaces it.
if (!window.lossPlayground) {
  window.lossPlayground = { state: () => null, ids: () => ({ seq: 0, shownLoss: 0, inflight: -1, wsOpen: false }) };
}

// A browser that teaches a class drives it from comparison and lesson
// pages too (by their path): the teacher's module loads only then. A loss
// page loads the class's modules itself, on its own socket (loss-page.js).
whenReady(() => {
  let teaching = null;
  try { teaching = localStorage.getItem("lp-class-teaching"); } catch (e) { /* private mode */ }
  if (teaching && /^\/(compare|lessons)\//.test(location.pathname)) import("./class-teacher-page.js");
});
