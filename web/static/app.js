// Loss Playground client script. The server renders every page complete
// (numbers, chart options, a working <form>); this script makes it live:
// KaTeX formulas, grid editors, sliders, charts, and recomputation while
// you drag — over the WebSocket (/ws, docs/protocol.md) for the loss and the
// charts, and over GET /losses/{slug}/result for the server-rendered result
// panel (reduction spelled out, gradients, PyTorch snippet). Replies older
// than the newest one shown are ignored.
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.add("js");

  // The interface's words come from the server (the lp-i18n data block the
  // layout writes from web/i18n), so a page in Chinese stays Chinese.
  var messages = (function () {
    var el = document.getElementById("lp-i18n");
    try { return el ? JSON.parse(el.textContent) : {}; } catch (e) { return {}; }
  })();
  function word(key) {
    var args = Array.prototype.slice.call(arguments, 1);
    var msg = Object.prototype.hasOwnProperty.call(messages, key) ? messages[key] : key;
    return msg.replace(/%s/g, function () { return args.length ? String(args.shift()) : ""; });
  }
  var store = {
    get: function (k) { try { return localStorage.getItem(k); } catch (e) { return null; } },
    set: function (k, v) { try { localStorage.setItem(k, v); } catch (e) { /* private mode */ } },
  };

  // ---- Theme and large type ------------------------------------------------

  if (!root.dataset.theme && store.get("lp-theme")) root.dataset.theme = store.get("lp-theme");
  if (store.get("lp-large") === "1") root.classList.add("large");

  function isDark() {
    if (root.dataset.theme) return root.dataset.theme === "dark";
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  }

  // ---- Formulas --------------------------------------------------------------

  var katexOptions = function (display) {
    return {
      displayMode: display, throwOnError: true, strict: "ignore", output: "htmlAndMathml",
      trust: function (ctx) { return ctx.command === "\\htmlClass"; },
    };
  };

  function typeset(scope) {
    if (!window.katex) return;
    scope.querySelectorAll(".math[data-latex]:not(.typeset)").forEach(function (el) {
      var display = el.classList.contains("display");
      var sources = [el.dataset.latex];
      if (el.dataset.latexPlain) sources.push(el.dataset.latexPlain);
      for (var i = 0; i < sources.length; i++) {
        try {
          window.katex.render(sources[i], el, katexOptions(display));
          el.classList.add("typeset");
          el.dataset.rendered = "1"; // the lesson widgets skip rendered math
          return;
        } catch (e) { /* try the next source; the LaTeX text stays otherwise */ }
      }
      el.classList.add("katex-failed"); // the LaTeX stays readable as text
    });
  }

  // ---- Number formatting (as PyTorch prints) ---------------------------------

  function torchFormat(v) {
    if (typeof v === "string") return v === "NaN" ? "nan" : v === "Infinity" ? "inf" : v === "-Infinity" ? "-inf" : v;
    if (!isFinite(v)) return isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
    var a = Math.abs(v);
    if (Number.isInteger(v) && a <= 1e8) return v.toFixed(0) + "."; // PyTorch: scientific above 1e8
    if (a !== 0 && (a < 1e-4 || a >= 1e8)) return v.toExponential(4).replace(/e([+-])(\d)$/, "e$10$2");
    return v.toFixed(4);
  }

  // ---- Charts ---------------------------------------------------------------

  var chartObjs = {};

  function chartOptionFor(opt) {
    var o = Object.assign({}, opt);
    if (o.backgroundColor === undefined) o.backgroundColor = "transparent";
    return o;
  }

  function ensureFigure(id) {
    var el = document.getElementById("chart-" + id);
    if (el) return el;
    var host = document.querySelector(".charts");
    if (!host) return null;
    var fig = document.createElement("figure");
    fig.className = "chart-fig";
    fig.dataset.testid = "chart-" + id;
    fig.innerHTML = '<div class="chart" role="img"></div><figcaption><span></span>' +
      '<button type="button" data-download="png">PNG</button><button type="button" data-download="svg">SVG</button></figcaption>';
    el = fig.querySelector(".chart");
    el.id = "chart-" + id;
    el.dataset.chart = id;
    el.setAttribute("aria-label", word("chart." + id));
    fig.querySelector("span").textContent = word("chart." + id);
    fig.querySelectorAll("button").forEach(function (b) { b.dataset.chartId = id; });
    host.appendChild(fig);
    return el;
  }

  function drawCharts(options) {
    if (!options || !window.echarts) return;
    Object.keys(options).forEach(function (id) {
      var el = ensureFigure(id);
      if (!el) return;
      var c = chartObjs[id];
      if (c && c.__dark !== isDark()) { c.dispose(); c = null; }
      if (!c) {
        c = window.echarts.init(el, isDark() ? "dark" : null, { renderer: "canvas" });
        c.__dark = isDark();
        watchSize(el);
        chartObjs[id] = c;
      }
      c.setOption(chartOptionFor(options[id]), { notMerge: true, lazyUpdate: true });
      el.dataset.drawn = "1";
    });
  }

  function redrawChartsForTheme() {
    var opts = {};
    Object.keys(chartObjs).forEach(function (id) {
      opts[id] = chartObjs[id].getOption();
      chartObjs[id].dispose();
      delete chartObjs[id];
    });
    drawCharts(lastChartOptions || opts);
    document.querySelectorAll(".thumb").forEach(function (el) { drawThumb(el, true); });
  }

  function download(name, url) {
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  function exportChart(id, type) {
    var c = chartObjs[id];
    if (!c) return;
    var bg = getComputedStyle(document.body).backgroundColor;
    var base = (document.querySelector("[data-slug]") || {}).dataset;
    var fname = ((base && base.slug) || "chart") + "-" + id + "." + type;
    if (type === "png") {
      download(fname, c.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: bg }));
      return;
    }
    // SVG: draw the same option once with the SVG renderer, off screen.
    var div = document.createElement("div");
    div.style.cssText = "position:absolute;left:-10000px;top:0";
    document.body.appendChild(div);
    var el = document.getElementById("chart-" + id);
    var svg = window.echarts.init(div, isDark() ? "dark" : null, { renderer: "svg", width: el.clientWidth || 640, height: el.clientHeight || 320 });
    var opt = c.getOption();
    opt.animation = false;
    opt.backgroundColor = bg;
    svg.setOption(opt);
    download(fname, svg.getDataURL({ type: "svg" }));
    svg.dispose();
    div.remove();
  }

  document.addEventListener("click", function (ev) {
    var b = ev.target.closest("[data-download]");
    if (b) exportChart(b.dataset.chartId, b.dataset.download);
  });
  window.addEventListener("resize", function () {
    Object.keys(chartObjs).forEach(function (id) { chartObjs[id].resize(); });
  });

  // Charts follow their box's size (layout settles after fonts and
  // formulas, the window turns, large type is switched on).
  var sizeWatch = window.ResizeObserver ? new ResizeObserver(function (entries) {
    entries.forEach(function (e) {
      var c = window.echarts && window.echarts.getInstanceByDom(e.target);
      if (c) c.resize();
    });
  }) : null;
  function watchSize(el) { if (sizeWatch) sizeWatch.observe(el); }

  function drawThumb(el, again) {
    if (!window.echarts) return;
    try {
      var old = window.echarts.getInstanceByDom(el);
      if (old && again) old.dispose(); else if (old) return;
      var c = window.echarts.init(el, isDark() ? "dark" : null);
      watchSize(el);
      var opt = JSON.parse(el.dataset.chartOption);
      opt.backgroundColor = "transparent"; // the card is the background, in either theme
      c.setOption(opt);
    } catch (e) { el.hidden = true; }
  }

  // ---- Header switches --------------------------------------------------------

  function refreshHeaderLinks() {
    var u = new URL(location.href);
    document.querySelectorAll(".lang-switch a[hreflang]").forEach(function (a) {
      var q = new URLSearchParams(u.search);
      q.set("lang", a.getAttribute("hreflang"));
      a.href = u.pathname + "?" + q.toString();
    });
    document.querySelectorAll("[data-theme-link]").forEach(function (a) {
      var q = new URLSearchParams(u.search);
      q.set("theme", a.dataset.themeLink);
      a.href = u.pathname + "?" + q.toString();
      a.setAttribute("aria-current", root.dataset.theme === a.dataset.themeLink ? "true" : "false");
    });
    var embed = document.querySelector("[data-embed-link]");
    if (embed) embed.href = "/embed/" + page.spec.slug + u.search;
  }

  document.addEventListener("click", function (ev) {
    var t = ev.target.closest("[data-theme-link]");
    if (t) {
      ev.preventDefault();
      root.dataset.theme = t.dataset.themeLink;
      store.set("lp-theme", t.dataset.themeLink);
      if (page) { page.view.theme = t.dataset.themeLink; syncURL(); }
      refreshHeaderLinks();
      redrawChartsForTheme();
      return;
    }
    var l = ev.target.closest(".large-toggle");
    if (l) {
      var on = root.classList.toggle("large");
      l.setAttribute("aria-pressed", on ? "true" : "false");
      store.set("lp-large", on ? "1" : "0");
      Object.keys(chartObjs).forEach(function (id) { chartObjs[id].resize(); });
    }
  });

  // ---- Catalog ----------------------------------------------------------------

  function initCatalog() {
    var box = document.getElementById("catalog-filter");
    if (!box) return;
    var apply = function () {
      var words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      document.querySelectorAll(".family").forEach(function (fam) {
        var any = false;
        fam.querySelectorAll(".card").forEach(function (card) {
          var hay = card.dataset.search.toLowerCase();
          var ok = words.every(function (w) { return hay.indexOf(w) >= 0; });
          card.hidden = !ok;
          if (ok) { any = true; shown++; }
        });
        fam.hidden = !any;
      });
      document.querySelector("[data-testid=catalog-empty]").hidden = shown > 0;
    };
    box.addEventListener("input", apply);
    apply();
    document.querySelectorAll(".thumb[data-chart-option]").forEach(function (el) { drawThumb(el); });
  }

  // ---- Loss page: state --------------------------------------------------------

  var page = null; // {spec, params, inputs, view, ctc}
  var lastChartOptions = null;

  function shapeOf(a) {
    var s = [];
    while (Array.isArray(a)) { s.push(a.length); a = a[0]; }
    return s;
  }
  function flatten(a) {
    if (!Array.isArray(a)) return [a];
    var out = [];
    (function rec(x) { if (Array.isArray(x)) x.forEach(rec); else out.push(x); })(a);
    return out;
  }
  function unflatten(flat, shape) {
    if (shape.length === 0) return flat[0];
    var i = 0;
    return (function rec(d) {
      var out = [];
      for (var k = 0; k < shape[d]; k++) out.push(d === shape.length - 1 ? flat[i++] : rec(d + 1));
      return out;
    })(0);
  }
  function num(v) {
    if (typeof v === "number") return v;
    if (v === "NaN") return NaN;
    if (v === "Infinity") return Infinity;
    if (v === "-Infinity") return -Infinity;
    return Number(v);
  }
  function jsonNum(v) {
    if (isNaN(v)) return "NaN";
    if (v === Infinity) return "Infinity";
    if (v === -Infinity) return "-Infinity";
    return v;
  }
  function parseCell(text) {
    var t = String(text).trim().toLowerCase();
    if (t === "nan") return NaN;
    if (t === "inf" || t === "+inf" || t === "infinity") return Infinity;
    if (t === "-inf" || t === "-infinity") return -Infinity;
    if (t === "") return null;
    var v = Number(t);
    return isNaN(v) ? null : v;
  }
  function inputSpec(name) {
    return page.spec.inputs.find(function (i) { return i.name === name; });
  }
  function paramSpec(name) {
    return page.spec.params.find(function (p) { return p.name === name; });
  }
  // numClasses is the class dimension of the prediction: dim 1 of an (N, C,
  // ...) input, or dim 0 of a 1-d input.
  function numClasses() {
    var pred = page.spec.inputs.find(function (i) { return i.differentiable && !i.integer; });
    if (!pred) return 0;
    var s = shapeOf(page.inputs[pred.name]);
    if (page.ctc) return s[s.length - 1];
    return s.length >= 2 ? s[1] : s.length === 1 ? s[0] : 0;
  }

  // perClassCount is the length a per-class tensor parameter needs:
  // pos_weight broadcasts along the last dimension of the input, weight
  // has one entry per class.
  function perClassCount(p) {
    if (p.name === "pos_weight") {
      var pred = page.spec.inputs.find(function (i) { return i.differentiable && !i.integer; });
      var s = pred ? shapeOf(page.inputs[pred.name]) : [];
      return s.length ? s[s.length - 1] : 1;
    }
    return numClasses();
  }

  // ---- URL -----------------------------------------------------------------------

  function bare(v) {
    if (typeof v === "string") {
      try { JSON.parse(v); return JSON.stringify(v); } catch (e) { return v; }
    }
    return JSON.stringify(v);
  }
  function currentQuery() {
    var q = new URLSearchParams();
    page.spec.params.forEach(function (p) {
      var v = page.params[p.name];
      if (JSON.stringify(v) !== JSON.stringify(p.default === undefined ? null : p.default)) q.set(p.name, bare(v));
    });
    page.spec.inputs.forEach(function (i) {
      var v = page.inputs[i.name];
      if (JSON.stringify(v) !== JSON.stringify(i.example)) q.set(i.name, bare(v));
    });
    var v = page.view;
    if (v.element) q.set("element", String(v.element));
    if (v.overlay) q.set("overlay", "1");
    if (v.lattice && !(page.ctc && v.lattice === "alpha")) q.set("lattice", v.lattice);
    if (v.theme) q.set("theme", v.theme);
    if (page.lang) q.set("lang", page.lang);
    return q.toString();
  }
  // syncURL writes the state into the address bar, at most every
  // urlEvery ms while dragging (browsers throttle faster history updates),
  // always ending on the latest state.
  var urlEvery = 150, urlLast = 0, urlTimer = null;
  function syncURL(now) {
    var wait = now ? 0 : urlLast + urlEvery - Date.now();
    if (wait > 0) {
      if (!urlTimer) urlTimer = setTimeout(function () { urlTimer = null; syncURL(); }, wait);
      return;
    }
    urlLast = Date.now();
    var qs = currentQuery();
    history.replaceState(null, "", location.pathname + (qs ? "?" + qs : ""));
    refreshHeaderLinks();
    lpStateShim(qs); // lp:state shim (branch images): drop with the shim below
  }

  // ---- lp:state shim (branch images) -------------------------------------------
  // A minimal dispatch of the lp:state event (contract 1) so that
  // static/chartlinks.js can follow the state before branch drag's page
  // modules dispatch it themselves. At merge, drop this function and its two
  // call sites (marked "lp:state shim").
  function lpStateShim(qs) {
    document.dispatchEvent(new CustomEvent("lp:state", { detail: {
      loss: page.spec.name, slug: page.spec.slug, params: page.params, inputs: page.inputs,
      view: page.view, query: qs } }));
  }
  // ---- end of the lp:state shim ------------------------------------------------

  // ---- Live computation ------------------------------------------------------------

  var seq = 0;          // id of the newest state
  var shownLoss = 0;    // id of the state whose loss is shown
  var shownPanel = 0;   // id of the state whose result panel is shown
  var fetching = false, fetchAgain = false;
  var ws = null, wsOpen = false, wsFails = 0, wsTimer = null;

  function changed() {
    seq++;
    syncFormFields();
    syncURL();
    sendWS();
    fetchPanel();
  }

  function computeMessage() {
    var view = Object.assign({}, page.view);
    view.theme = isDark() ? "dark" : "light";
    return { type: "compute", id: seq, loss: page.spec.name, params: page.params, inputs: page.inputs, detail: true, view: view };
  }

  function sendWS() {
    if (ws && wsOpen) {
      try { ws.send(JSON.stringify(computeMessage())); } catch (e) { /* reconnect handles it */ }
    }
  }

  function connectWS() {
    if (!page || !window.WebSocket) return;
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
    try { ws = new WebSocket(url); } catch (e) { scheduleReconnect(); return; }
    ws.onopen = function () {
      wsOpen = true;
      wsFails = 0;
      setOffline(false);
      sendWS();
    };
    ws.onmessage = function (ev) {
      var msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      if (msg.type === "result") onResult(msg);
      else if (msg.type === "error") onError(msg);
    };
    ws.onclose = function () {
      wsOpen = false;
      ws = null;
      wsFails++;
      if (wsFails >= 2) setOffline(true);
      scheduleReconnect();
    };
    ws.onerror = function () { /* onclose follows */ };
  }

  function scheduleReconnect() {
    clearTimeout(wsTimer);
    var delay = Math.min(15000, 500 * Math.pow(2, Math.min(wsFails, 5))) * (0.75 + Math.random() * 0.5);
    wsTimer = setTimeout(connectWS, delay);
  }

  function setOffline(off) {
    var el = document.querySelector("[data-testid=conn-status]");
    if (el) el.hidden = !off;
    root.classList.toggle("offline", off);
  }

  function liveError(text) {
    var el = document.querySelector("[data-testid=live-error]");
    if (!el) return;
    el.textContent = text || "";
    el.hidden = !text;
  }

  function onResult(msg) {
    if (typeof msg.id !== "number" || msg.id < shownLoss) return;
    shownLoss = msg.id;
    liveError("");
    var out = document.querySelector("[data-testid=loss-value]");
    if (out && !Array.isArray(msg.loss)) {
      out.textContent = torchFormat(msg.loss);
      out.dataset.exact = String(msg.loss);
      out.title = String(msg.loss);
    }
    if (msg.charts) { lastChartOptions = msg.charts; drawCharts(msg.charts); }
  }

  function onError(msg) {
    if (typeof msg.id === "number" && msg.id < shownLoss) return;
    if (typeof msg.id === "number") shownLoss = msg.id;
    liveError(msg.error || "error");
    if (msg.field) markInvalid(msg.field + ":");
  }

  function fetchPanel() {
    if (fetching) { fetchAgain = true; return; }
    fetching = true;
    fetchAgain = false;
    var id = seq;
    var qs = currentQuery();
    // While the socket is open it brings the charts; the panel comes without.
    if (wsOpen) qs = qs ? qs + "&nocharts=1" : "nocharts=1";
    fetch("/losses/" + page.spec.slug + "/result" + (qs ? "?" + qs : ""), { headers: { Accept: "text/html" } })
      .then(function (r) { return r.text().then(function (t) { return { ok: r.ok, status: r.status, text: t }; }); })
      .then(function (r) {
        // Drop a panel older than what is shown, including a loss the
        // socket already showed for a newer state: the newest panel follows.
        if (id < shownPanel || id < shownLoss) return;
        shownPanel = id;
        var tpl = document.createElement("template");
        tpl.innerHTML = r.text;
        var panel = tpl.content.querySelector(".result-panel");
        if (!panel) { liveError(word("noResult", r.status)); return; }
        var host = document.getElementById("result-panel");
        var wasOpen = host.querySelector("details.snippet") && host.querySelector("details.snippet").open;
        host.replaceChildren(panel);
        if (wasOpen && panel.querySelector("details.snippet")) panel.querySelector("details.snippet").open = true;
        liveError(""); // the panel carries its own error banner
        if (id >= shownLoss) shownLoss = id;
        var cj = panel.querySelector("#lp-charts");
        if (cj && !wsOpen) {
          try { var opts = JSON.parse(cj.textContent); lastChartOptions = opts; drawCharts(opts); } catch (e) { /* keep charts */ }
        }
        markInvalid(r.ok ? "" : (panel.textContent || ""));
      })
      .catch(function () { liveError(word("unreachable")); })
      .finally(function () {
        fetching = false;
        if (fetchAgain) fetchPanel();
      });
  }

  // markInvalid flags the control the server's message names.
  function markInvalid(msg) {
    document.querySelectorAll("[aria-invalid=true]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    var m = /^\s*(?:params\.)?([A-Za-z_0-9]+)\s*:/.exec(msg);
    if (!m) return;
    var box = document.getElementById("ctl-" + m[1]);
    if (box) box.setAttribute("aria-invalid", "true");
  }

  // syncFormFields keeps the no-script form fields equal to the state, so
  // submitting it (or reading it) gives the same page.
  function syncFormFields() {
    page.spec.inputs.forEach(function (i) {
      var ta = document.getElementById("in-" + i.name);
      if (ta) ta.value = JSON.stringify(page.inputs[i.name]);
    });
    page.spec.params.forEach(function (p) {
      if (p.kind !== "tensor") return;
      var ta = document.getElementById("p-" + p.name);
      if (ta) ta.value = JSON.stringify(page.params[p.name]);
    });
  }

  // ---- Controls ------------------------------------------------------------------

  function initControls() {
    document.querySelectorAll(".control[data-param]").forEach(function (box) {
      var name = box.dataset.param, kind = box.dataset.kind;
      var p = paramSpec(name);
      if (kind === "float") {
        var range = box.querySelector("input[type=range]"), numBox = box.querySelector("input[type=number]");
        range.addEventListener("input", function () {
          numBox.value = range.value;
          page.params[name] = Number(range.value);
          changed();
        });
        numBox.addEventListener("input", function () {
          var v = parseCell(numBox.value);
          if (v === null) { numBox.setAttribute("aria-invalid", "true"); return; }
          numBox.removeAttribute("aria-invalid");
          range.value = String(v);
          page.params[name] = jsonNum(v);
          changed();
        });
      } else if (kind === "int") {
        var ib = box.querySelector("input[type=number]");
        ib.addEventListener("input", function () {
          var v = parseCell(ib.value);
          if (v === null || !Number.isInteger(v)) { ib.setAttribute("aria-invalid", "true"); return; }
          ib.removeAttribute("aria-invalid");
          page.params[name] = v;
          changed();
        });
      } else if (kind === "bool") {
        var cb = box.querySelector("input[type=checkbox]");
        cb.addEventListener("change", function () { page.params[name] = cb.checked; changed(); });
      } else if (kind === "enum") {
        var sel = box.querySelector("select");
        sel.addEventListener("change", function () { page.params[name] = sel.value; changed(); });
      } else if (kind === "optional_bool") {
        var ob = box.querySelector("select");
        ob.addEventListener("change", function () { page.params[name] = JSON.parse(ob.value); changed(); });
      } else if (kind === "tensor") {
        initTensorParam(box, p);
      }
    });
  }

  // A per-class tensor parameter (weight, pos_weight): an on/off switch
  // (off = None) and one slider per class.
  function initTensorParam(box, p) {
    var name = p.name;
    var toggle = box.querySelector("[data-tensor-toggle]");
    var host = box.querySelector(".perclass-host");
    var remembered = null;
    function render() {
      host.replaceChildren();
      var v = page.params[name];
      var values = Array.isArray(v) ? flatten(v).map(num) : (remembered || []);
      var grid = document.createElement("div");
      grid.className = "perclass";
      grid.setAttribute("aria-disabled", v === null ? "true" : "false");
      values.forEach(function (val, c) {
        var lab = document.createElement("label");
        lab.textContent = name + "[" + c + "]";
        var id = "p-" + name + "-" + c;
        lab.htmlFor = id;
        var r = document.createElement("input");
        r.type = "range"; r.min = "0"; r.max = String(Math.max(5, Math.ceil(val))); r.step = "0.05"; r.value = String(val);
        r.setAttribute("aria-label", word("slider", name + "[" + c + "]"));
        r.disabled = v === null;
        var nb = document.createElement("input");
        nb.type = "number"; nb.step = "any"; nb.id = id; nb.value = String(val);
        nb.disabled = v === null;
        var set = function (x) {
          var cur = flatten(page.params[name]).map(num);
          cur[c] = x;
          page.params[name] = cur.map(jsonNum);
          changed();
        };
        r.addEventListener("input", function () { nb.value = r.value; set(Number(r.value)); });
        nb.addEventListener("input", function () { var x = parseCell(nb.value); if (x !== null) { r.value = String(x); set(x); } });
        grid.append(lab, r, nb);
      });
      host.appendChild(grid);
    }
    toggle.addEventListener("change", function () {
      if (toggle.checked) {
        var c = perClassCount(p) || 1;
        var vals = remembered && remembered.length === c ? remembered : Array(c).fill(1);
        page.params[name] = vals.slice();
      } else {
        if (Array.isArray(page.params[name])) remembered = flatten(page.params[name]).map(num);
        page.params[name] = null;
      }
      render();
      changed();
    });
    box.__render = render;
    render();
  }

  // ---- Grid editors ------------------------------------------------------------------

  var editors = {};

  function initEditors() {
    document.querySelectorAll(".editor[data-input]").forEach(function (box) {
      var name = box.dataset.input;
      var spec = inputSpec(name);
      var ed = { name: name, spec: spec, box: box, host: box.querySelector(".grid-host") };
      if (page.ctc && name === "log_probs") ed.scores = JSON.parse(JSON.stringify(page.inputs[name]));
      editors[name] = ed;
      if (page.ctc && spec.role === "target") { initCTCTargets(ed); ed.textOnly = true; }
      renderEditor(ed);
    });
  }

  function editorValue(ed) { return ed.scores || page.inputs[ed.name]; }

  function logSoftmaxRows(scores) {
    var shape = shapeOf(scores);
    var flat = flatten(scores).map(num);
    var c = shape[shape.length - 1];
    for (var r = 0; r < flat.length / c; r++) {
      var row = flat.slice(r * c, (r + 1) * c);
      var m = Math.max.apply(null, row);
      var s = 0;
      row.forEach(function (x) { s += Math.exp(x - m); });
      var lse = m + Math.log(s);
      for (var k = 0; k < c; k++) flat[r * c + k] = row[k] - lse;
    }
    return unflatten(flat.map(function (x) { return jsonNum(Math.round(x * 1e6) / 1e6); }), shape);
  }

  function setEditorValue(ed, value) {
    if (ed.scores) {
      ed.scores = value;
      page.inputs[ed.name] = logSoftmaxRows(value);
    } else {
      page.inputs[ed.name] = value;
    }
  }

  function isClassTarget(ed) { return ed.box.hasAttribute("data-class-target"); }
  function hasClassTarget() { return !!document.querySelector(".editor[data-class-target]"); }

  function renderEditor(ed) {
    if (ed.textOnly) { ed.host.replaceChildren(); return; }
    var value = editorValue(ed);
    var shape = shapeOf(value);
    var flat = flatten(value);
    var cols = shape.length ? shape[shape.length - 1] : 1;
    var rows = cols ? flat.length / cols : 0;
    var lead = shape.slice(0, -1);
    var wrap = document.createElement("div");
    wrap.className = "grid-wrap";
    var table = document.createElement("table");
    table.className = "grid";
    table.setAttribute("data-testid", "grid-" + ed.name);
    if (shape.length >= 1) {
      var head = table.createTHead().insertRow();
      if (lead.length) head.appendChild(document.createElement("th"));
      for (var j = 0; j < cols; j++) {
        var th = document.createElement("th");
        th.textContent = String(j);
        th.scope = "col";
        head.appendChild(th);
      }
    }
    var body = table.createTBody();
    var C = numClasses();
    var ign = paramSpec("ignore_index") ? page.params.ignore_index : null;
    for (var r = 0; r < rows; r++) {
      var tr = body.insertRow();
      if (lead.length) {
        var rh = document.createElement("th");
        rh.scope = "row";
        rh.textContent = indexLabel(r, lead);
        tr.appendChild(rh);
      }
      for (var c = 0; c < cols; c++) {
        var k = r * cols + c;
        var td = tr.insertCell();
        var label = ed.name + (shape.length ? "[" + indexLabel(k, shape).replace(/^\[|\]$/g, "") + "]" : "");
        if (isClassTarget(ed)) td.appendChild(classPicker(ed, k, num(flat[k]), C, ign, label));
        else td.appendChild(cellInput(ed, k, flat[k], label));
      }
    }
    wrap.appendChild(table);
    var tools = document.createElement("div");
    tools.className = "grid-tools";
    var add = function (text, fn, title) {
      var b = document.createElement("button");
      b.type = "button"; b.textContent = text; b.title = title || text;
      b.addEventListener("click", fn);
      tools.appendChild(b);
    };
    if (!page.ctc && shape.length >= 1 && !ed.spec.integer && !isClassTarget(ed)) {
      if (shape.length >= 2) {
        add(word("addRow"), function () { resizeRows(ed, +1); }, word("addRowTitle"));
        add(word("removeRow"), function () { resizeRows(ed, -1); }, word("removeRowTitle"));
      }
      var colWord = shape.length >= 2 && numClasses() === shape[shape.length - 1] && shape.length === 2 && hasClassTarget() ? "class" : "column";
      add(word("add." + colWord), function () { resizeCols(ed, +1); }, word("addTitle." + colWord));
      add(word("remove." + colWord), function () { resizeCols(ed, -1); }, word("removeTitle." + colWord));
    }
    add(word("randomize"), function () { randomize(ed); });
    add(word("reset"), function () {
      var ex = JSON.parse(JSON.stringify(ed.spec.example));
      if (ed.scores) ed.scores = ex;
      page.inputs[ed.name] = ex;
      renderEditor(ed);
      changed();
    });
    ed.host.replaceChildren(wrap, tools);
  }

  function indexLabel(i, shape) {
    if (shape.length === 1) return String(i);
    var idx = [];
    for (var d = shape.length - 1; d >= 0; d--) { idx[d] = i % shape[d]; i = Math.floor(i / shape[d]); }
    return "[" + idx.join(",") + "]";
  }

  function setFlat(ed, k, v) {
    var value = editorValue(ed);
    var shape = shapeOf(value);
    var flat = flatten(value);
    flat[k] = jsonNum(v);
    setEditorValue(ed, unflatten(flat, shape));
    changed();
  }

  function classPicker(ed, k, v, C, ign, label) {
    var sel = document.createElement("select");
    sel.setAttribute("aria-label", label);
    var opts = [];
    for (var c = 0; c < C; c++) opts.push(c);
    if (ign !== null && ign !== undefined && opts.indexOf(ign) < 0) opts.push(ign);
    if (opts.indexOf(v) < 0) opts.push(v);
    opts.forEach(function (c) {
      var o = document.createElement("option");
      o.value = String(c);
      o.textContent = c === ign ? word("ignoreClass", c) : word("classN", c);
      if (c === v) o.selected = true;
      sel.appendChild(o);
    });
    sel.addEventListener("change", function () { setFlat(ed, k, Number(sel.value)); });
    return sel;
  }

  // cellInput is one editable number: type a value, or drag horizontally
  // (or press ArrowUp/ArrowDown, with Shift for bigger steps) to nudge it.
  function cellInput(ed, k, v, label) {
    var inp = document.createElement("input");
    inp.type = "text";
    inp.inputMode = "decimal";
    inp.value = fmtCell(num(v), ed.spec.integer);
    inp.setAttribute("aria-label", label);
    inp.dataset.cell = String(k);
    var step = ed.spec.integer ? 1 : 0.01;
    // The curve chart follows the prediction element you touch.
    if (ed.spec.differentiable && !ed.scores) {
      inp.addEventListener("focus", function () {
        if ((page.view.element || 0) === k) return;
        page.view.element = k;
        changed();
      });
    }
    inp.addEventListener("input", function () {
      var x = parseCell(inp.value);
      if (x === null || (ed.spec.integer && !Number.isInteger(x))) { inp.setAttribute("aria-invalid", "true"); return; }
      inp.removeAttribute("aria-invalid");
      setFlat(ed, k, x);
    });
    inp.addEventListener("keydown", function (ev) {
      if (ev.key !== "ArrowUp" && ev.key !== "ArrowDown") return;
      ev.preventDefault();
      var cur = parseCell(inp.value) || 0;
      var d = (ed.spec.integer ? 1 : ev.shiftKey ? 1 : 0.1) * (ev.key === "ArrowUp" ? 1 : -1);
      var x = roundTo(cur + d, ed.spec.integer);
      inp.value = fmtCell(x, ed.spec.integer);
      setFlat(ed, k, x);
    });
    var drag = null;
    inp.addEventListener("pointerdown", function (ev) {
      if (document.activeElement === inp || ev.button !== 0) return;
      ev.preventDefault();
      drag = { x: ev.clientX, start: parseCell(inp.value) || 0, moved: false };
      inp.setPointerCapture(ev.pointerId);
    });
    inp.addEventListener("pointermove", function (ev) {
      if (!drag) return;
      var dx = ev.clientX - drag.x;
      if (!drag.moved && Math.abs(dx) < 3) return;
      drag.moved = true;
      var per = ed.spec.integer ? 0.1 : step * Math.max(1, Math.abs(drag.start) / 2);
      var x = roundTo(drag.start + dx * per, ed.spec.integer);
      inp.value = fmtCell(x, ed.spec.integer);
      setFlat(ed, k, x);
    });
    var end = function () {
      if (!drag) return;
      var moved = drag.moved;
      drag = null;
      if (!moved) { inp.focus(); inp.select(); }
    };
    inp.addEventListener("pointerup", end);
    inp.addEventListener("pointercancel", end);
    return inp;
  }

  function roundTo(x, integer) { return integer ? Math.round(x) : Math.round(x * 1000) / 1000; }
  function fmtCell(v, integer) {
    if (isNaN(v)) return "nan";
    if (!isFinite(v)) return v > 0 ? "inf" : "-inf";
    return integer ? String(Math.round(v)) : String(v);
  }

  // resizeRows adds or removes the last sample of every input that has as
  // many rows as this one, so shapes stay compatible.
  function resizeRows(ed, delta) {
    page.view.element = 0; // the old index may be gone
    var n = shapeOf(editorValue(ed))[0];
    if (delta < 0 && n <= 1) return;
    Object.keys(editors).forEach(function (name) {
      var e = editors[name];
      var v = editorValue(e);
      if (!Array.isArray(v) || v.length !== n) return;
      v = JSON.parse(JSON.stringify(v));
      if (delta > 0) v.push(JSON.parse(JSON.stringify(v[v.length - 1])));
      else v.pop();
      setEditorValue(e, v);
      renderEditor(e);
    });
    changed();
  }

  // resizeCols adds or removes the last class (column) of every float input
  // with the same number of columns, and of per-class parameters.
  function resizeCols(ed, delta) {
    page.view.element = 0; // the old index may be gone
    var s = shapeOf(editorValue(ed));
    var C = s[s.length - 1];
    if (delta < 0 && C <= 1) return;
    var classDim = s.length >= 2 ? 1 : 0;
    var oldClasses = numClasses();
    Object.keys(editors).forEach(function (name) {
      var e = editors[name];
      if (e.spec.integer) return;
      var v = editorValue(e);
      var sh = shapeOf(v);
      if (sh.length !== s.length || sh[sh.length - 1] !== C) return;
      var rows = [];
      var flat = flatten(v);
      for (var r = 0; r < flat.length / C; r++) {
        var row = flat.slice(r * C, (r + 1) * C);
        if (delta > 0) row.push(row[row.length - 1]); else row.pop();
        rows = rows.concat(row);
      }
      sh[sh.length - 1] = C + delta;
      setEditorValue(e, unflatten(rows, sh));
      renderEditor(e);
    });
    if (classDim === s.length - 1) {
      page.spec.params.forEach(function (p) {
        if (!p.per_class || !Array.isArray(page.params[p.name])) return;
        var w = flatten(page.params[p.name]);
        if (w.length !== oldClasses) return;
        if (delta > 0) w.push(1); else w.pop();
        page.params[p.name] = w;
        var box = document.getElementById("ctl-" + p.name);
        if (box && box.__render) box.__render();
      });
      // class-index targets must stay below the class count
      Object.keys(editors).forEach(function (name) {
        var e = editors[name];
        if (!isClassTarget(e)) return;
        var ign = page.params.ignore_index;
        var sh = shapeOf(page.inputs[name]);
        var f = flatten(page.inputs[name]).map(function (y) { return y !== ign && y >= C + delta ? C + delta - 1 : y; });
        page.inputs[name] = unflatten(f, sh);
        renderEditor(e);
      });
    }
    changed();
  }

  function randn() {
    var u = 1 - Math.random(), v = Math.random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  function randomize(ed) {
    var v = editorValue(ed);
    var shape = shapeOf(v);
    var flat = flatten(v).map(num);
    var C = numClasses();
    var in01 = flat.every(function (x) { return x >= 0 && x <= 1; });
    var pm1 = flat.every(function (x) { return x === 1 || x === -1; });
    var pos = flat.every(function (x) { return x > 0; });
    var out = flat.map(function (x) {
      if (isClassTarget(ed)) return Math.floor(Math.random() * Math.max(C, 1));
      if (ed.spec.integer) return x;
      if (pm1) return Math.random() < 0.5 ? -1 : 1;
      if (in01 && ed.spec.role !== "prediction") return Math.round(Math.random() * 100) / 100;
      if (pos && ed.spec.role !== "prediction") return Math.round((0.1 + Math.random() * 1.9) * 100) / 100;
      return Math.round(randn() * 100) / 100;
    });
    setEditorValue(ed, unflatten(out, shape));
    renderEditor(ed);
    changed();
  }

  // ---- CTC targets typed as text -----------------------------------------------------

  function idsToText(ids) {
    if (ids.length && ids.every(function (c) { return c >= 1 && c <= 26; })) {
      return ids.map(function (c) { return String.fromCharCode(96 + c); }).join("");
    }
    return ids.join(" ");
  }
  function textToIds(text) {
    var t = text.trim();
    if (t === "") return [];
    if (/^[\d\s,]+$/.test(t)) return t.split(/[\s,]+/).filter(Boolean).map(Number);
    if (/^[a-zA-Z]+$/.test(t)) return t.toLowerCase().split("").map(function (ch) { return ch.charCodeAt(0) - 96; });
    return null;
  }

  function initCTCTargets(ed) {
    var lens = page.inputs.target_lengths;
    var t = page.inputs[ed.name];
    var shape = shapeOf(t);
    var rows = [];
    var flatLens = flatten(lens).map(num);
    if (shape.length === 2) {
      t.forEach(function (row, n) { rows.push(row.slice(0, flatLens[n]).map(num)); });
    } else {
      var flat = flatten(t).map(num), off = 0;
      flatLens.forEach(function (L) { rows.push(flat.slice(off, off + L)); off += L; });
    }
    var box = document.createElement("div");
    box.setAttribute("data-testid", "ctc-targets");
    rows.forEach(function (ids, n) {
      var lab = document.createElement("label");
      lab.className = "ctc-text";
      lab.textContent = word("sampleTarget", n) + " ";
      var inp = document.createElement("input");
      inp.type = "text";
      inp.value = idsToText(ids);
      inp.setAttribute("aria-label", word("sampleTargetLabel", n));
      inp.addEventListener("input", function () {
        var ids2 = textToIds(inp.value);
        if (!ids2) { inp.setAttribute("aria-invalid", "true"); return; }
        inp.removeAttribute("aria-invalid");
        rows[n] = ids2;
        writeCTCTargets(ed, rows, shape.length);
      });
      lab.appendChild(inp);
      box.appendChild(lab);
    });
    ed.box.insertBefore(box, ed.host);
  }

  function writeCTCTargets(ed, rows, rank) {
    var lens = rows.map(function (r) { return r.length; });
    if (rank === 2) {
      var S = Math.max(1, Math.max.apply(null, lens));
      page.inputs[ed.name] = rows.map(function (r) { var x = r.slice(); while (x.length < S) x.push(1); return x; });
    } else {
      page.inputs[ed.name] = [].concat.apply([], rows);
    }
    page.inputs.target_lengths = lens;
    ["target_lengths", ed.name].forEach(function (n) { if (editors[n]) renderEditor(editors[n]); });
    changed();
  }

  // ---- Symbols tied to controls ---------------------------------------------------------

  function initSymbolHighlight() {
    var on = function (name, yes) {
      document.querySelectorAll(".lp-sym-" + CSS.escape(name)).forEach(function (el) { el.classList.toggle("on", yes); });
      document.querySelectorAll('[data-symbol-for="' + name + '"]').forEach(function (el) { el.classList.toggle("on", yes); });
      var box = document.getElementById("ctl-" + name);
      if (box) box.classList.toggle("on", yes);
    };
    document.querySelectorAll(".control[data-param], .editor[data-input]").forEach(function (box) {
      var name = box.dataset.param || box.dataset.input;
      box.addEventListener("focusin", function () { on(name, true); });
      box.addEventListener("focusout", function () { on(name, false); });
      box.addEventListener("mouseenter", function () { on(name, true); });
      box.addEventListener("mouseleave", function () { on(name, false); });
    });
    document.querySelectorAll("[data-symbol-for]").forEach(function (li) {
      li.addEventListener("mouseenter", function () { on(li.dataset.symbolFor, true); });
      li.addEventListener("mouseleave", function () { on(li.dataset.symbolFor, false); });
    });
  }

  // ---- Copy buttons, lattice switch ---------------------------------------------------------

  function copyText(text, button) {
    var done = function () {
      var old = button.textContent;
      button.textContent = word("copied");
      setTimeout(function () { button.textContent = old; }, 1200);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(text).then(done, function () { done(); });
    else done();
  }

  document.addEventListener("click", function (ev) {
    var b = ev.target.closest("[data-action]");
    if (!b) return;
    if (b.dataset.action === "copy-snippet") {
      var code = document.querySelector("[data-testid=pytorch-snippet]");
      if (code) copyText(code.textContent, b);
    } else if (b.dataset.action === "permalink") {
      if (page) syncURL(true);
      copyText(location.href, b);
    }
  });

  function initOverlaySwitch() {
    var box = document.querySelector("input[name=overlay-view]");
    if (!box) return;
    box.addEventListener("change", function () {
      page.view.overlay = box.checked;
      changed();
    });
  }

  function initLatticeSwitch() {
    document.querySelectorAll("input[name=lattice-view]").forEach(function (r) {
      r.addEventListener("change", function () {
        if (!r.checked) return;
        page.view.lattice = r.value;
        changed();
      });
    });
  }

  // ---- Boot -------------------------------------------------------------------------

  function boot() {
    typeset(document);
    refreshLargeToggle();
    initCatalog();
    var data = document.getElementById("lp-data");
    if (!data) return;
    try { page = JSON.parse(data.textContent); } catch (e) { return; }
    page.view = page.view || {};
    var cj = document.getElementById("lp-charts");
    if (cj) {
      try { lastChartOptions = JSON.parse(cj.textContent); drawCharts(lastChartOptions); } catch (e) { /* no charts */ }
    }
    if (document.querySelector("[data-testid=embed]")) return;
    initControls();
    initEditors();
    initSymbolHighlight();
    initLatticeSwitch();
    initOverlaySwitch();
    refreshHeaderLinks();
    connectWS();
    lpStateShim(currentQuery()); // lp:state shim (branch images)
  }

  function refreshLargeToggle() {
    var l = document.querySelector(".large-toggle");
    if (l) l.setAttribute("aria-pressed", root.classList.contains("large") ? "true" : "false");
  }

  if (window.matchMedia) {
    var mq = window.matchMedia("(prefers-color-scheme: dark)");
    if (mq.addEventListener) mq.addEventListener("change", function () { if (!root.dataset.theme) redrawChartsForTheme(); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();

  // For tests and the curious: the current state and the newest ids.
  window.lossPlayground = {
    state: function () { return page; },
    ids: function () { return { seq: seq, shownLoss: shownLoss, shownPanel: shownPanel, wsOpen: wsOpen }; },
  };
})();
