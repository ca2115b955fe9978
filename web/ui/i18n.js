// The interface's words come from the server: the layout writes the page
// language's "js." messages (i18n) into the lp-i18n data block, so a
// page in Chinese stays Chinese in what the modules write.
let messages = null;

// word returns the message for key, its %s filled with args in order; the
// key itself when the catalogue has none.
export function word(key, ...args) {
  if (!messages) {
    const el = document.getElementById("lp-i18n");
    try { messages = el ? JSON.parse(el.textContent) : {}; } catch (e) { messages = {}; }
  }
  const msg = Object.prototype.hasOwnProperty.call(messages, key) ? messages[key] : key;
  return msg.replace(/%s/g, () => (args.length ? String(args.shift()) : ""));
}
