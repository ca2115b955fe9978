// The page's WebSocket (/ws, docs/protocol.md): connect, reconnect with a
// short backoff, and say truthfully whether the page is live. Flow control
// (one compute in flight, the newest state pending) is the caller's: it
// sends when idle() and again when its answer arrives.

// A page in a class sends the class messages on its own socket
// (docs/protocol.md, "Classes"): one socket per page. Those messages carry
// ids from CLASS_IDS up, so that the page and its class module each
// recognise the answers to their own messages.
export const CLASS_IDS = 2 ** 40;

// isClassMessage reports whether msg is the class module's: a class_*
// message, or an answer to one.
export function isClassMessage(msg) {
  return (typeof msg.type === "string" && msg.type.startsWith("class_")) || (typeof msg.id === "number" && msg.id >= CLASS_IDS);
}

// Reconnect delays: the first retry is quick (a restarted server is back
// within a second), later ones back off to maxDelayMs.
const firstDelayMs = 250;
const maxDelayMs = 5000;

export class LiveSocket {
  // onOpen() runs on every (re)connect, onMessage(msg) per parsed message,
  // onStatus(online) when the connection comes or goes.
  constructor({ onOpen, onMessage, onStatus }) {
    this.onOpen = onOpen;
    this.onMessage = onMessage;
    this.onStatus = onStatus;
    this.ws = null;
    this.open = false;
    this.fails = 0;
    this.timer = 0;
    this.listeners = [];
  }

  // listen adds a listener, {onOpen, onMessage}, besides the owner's: a
  // class module on the page's socket. onOpen runs at once if the socket
  // is open.
  listen(l) {
    this.listeners.push(l);
    if (this.open && l.onOpen) l.onOpen();
  }

  connect() {
    if (!window.WebSocket) return;
    // The page's language rides on the URL: the server's error texts come
    // back in it (docs/protocol.md).
    const lang = (document.documentElement.lang || "").startsWith("zh") ? "?lang=zh" : "";
    const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws" + lang;
    let ws;
    try { ws = new WebSocket(url); } catch (e) { this.retry(); return; }
    this.ws = ws;
    ws.onopen = () => {
      this.open = true;
      this.fails = 0;
      this.onStatus(true);
      this.onOpen();
      this.listeners.forEach((l) => l.onOpen && l.onOpen());
    };
    ws.onmessage = (ev) => {
      let msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      this.onMessage(msg);
      this.listeners.forEach((l) => l.onMessage && l.onMessage(msg));
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      const was = this.open;
      this.open = false;
      this.ws = null;
      this.fails++;
      // A dropped connection is reported at once: the numbers on screen
      // stop following the controls now, not after a retry.
      if (was || this.fails === 1) this.onStatus(false);
      this.retry();
    };
    ws.onerror = () => { /* onclose follows */ };
  }

  retry() {
    clearTimeout(this.timer);
    const delay = Math.min(maxDelayMs, firstDelayMs * Math.pow(2, Math.min(this.fails - 1, 5)));
    this.timer = setTimeout(() => this.connect(), delay * (0.8 + Math.random() * 0.4));
  }

  // send writes msg; false when the socket is not open.
  send(msg) {
    if (!this.open) return false;
    try { this.ws.send(JSON.stringify(msg)); return true; } catch (e) { return false; }
  }
}

