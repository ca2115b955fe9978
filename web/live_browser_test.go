package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/lossplayground/playground/engine"
)

// The live page: what it shows after a drag equals what the server renders
// for its permalink, it follows other modules' events (lp:apply, lp:lock)
// and tells them its state (lp:state), it survives a server restart, and
// on a phone the loss and the curve stay in view.

// liveWaitRest waits until the page shows the answer to its newest state
// and has nothing in flight.
func liveWaitRest(t testing.TB, tab *uiTab) {
	t.Helper()
	js := `(function () { var i = window.lossPlayground.ids(); return i.wsOpen && i.inflight < 0 && i.shownLoss >= i.seq; })()`
	if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("page never came to rest: ids = %s: %v", tab.eval(t, `JSON.stringify(window.lossPlayground.ids())`), err)
	}
}

// livePanelText describes a result panel element by element: tag, class,
// test id and, for leaves, the text (what a student reads), plus the exact
// loss. Script blocks (the first paint's chart options) are left out.
const livePanelText = `function (panel) {
	var out = [];
	panel.querySelectorAll('*').forEach(function (e) {
		if (e.tagName === 'SCRIPT') return;
		out.push(e.tagName + '.' + e.className + '#' + (e.dataset.testid || '') + '=' + (e.children.length ? '' : e.textContent.replace(/\s+/g, ' ').trim()));
	});
	var v = panel.querySelector('[data-testid=loss-value]');
	out.push('exact=' + (v ? v.dataset.exact : ''));
	return out.join('\n');
}`

// liveCompareWithServer compares the live panel with the panel the server
// renders for the page's permalink (fetched by the page itself).
func liveCompareWithServer(t *testing.T, tab *uiTab) {
	t.Helper()
	liveWaitRest(t, tab)
	tab.do(t, "write the permalink", chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-action=permalink]').click()`))
	js := `(async function () {
		var describe = ` + livePanelText + `;
		var live = describe(document.querySelector('#result-panel .result-panel'));
		var res = await fetch(location.href);
		var doc = new DOMParser().parseFromString(await res.text(), 'text/html');
		var served = describe(doc.querySelector('#result-panel .result-panel'));
		return JSON.stringify({status: res.status, url: location.href, live: live, served: served});
	})()`
	raw, err := chromedp.Run(tab.ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("compare with the server: %v", err)
	}
	var got struct {
		Status            int
		URL, Live, Served string
	}
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatal(err)
	}
	if got.Status != http.StatusOK {
		t.Fatalf("GET %s = %d; want 200", got.URL, got.Status)
	}
	if got.Live != got.Served {
		live, served := strings.Split(got.Live, "\n"), strings.Split(got.Served, "\n")
		for i := 0; i < max(len(live), len(served)); i++ {
			l, s := "", ""
			if i < len(live) {
				l = live[i]
			}
			if i < len(served) {
				s = served[i]
			}
			if l != s {
				t.Errorf("live panel differs from GET %s at element %d:\n live:   %s\n served: %s", got.URL, i, l, s)
				break
			}
		}
	}
}

// liveChartNumbers describes every chart's numbers as drawn: each
// series' data and mark points and lines, and the axes' bounds.
const liveChartNumbers = `(function () {
	var out = {};
	document.querySelectorAll('.chart[data-chart]').forEach(function (el) {
		var c = echarts.getInstanceByDom(el);
		if (!c) { out[el.dataset.chart] = null; return; }
		var o = c.getOption();
		var mark = function (d) { return Array.isArray(d) ? d.map(mark) : [d.name, d.coord, d.value, d.xAxis, d.yAxis, d.type]; };
		var marks = function (m) { return m && m.data && m.data.length ? m.data.map(mark) : []; };
		var bounds = function (axes) { return (axes || []).map(function (a) { return [a.min == null ? null : a.min, a.max == null ? null : a.max]; }); };
		out[el.dataset.chart] = {
			series: o.series.map(function (s) { return [s.type, s.name, s.data, marks(s.markPoint), marks(s.markLine)]; }),
			x: bounds(o.xAxis), y: bounds(o.yAxis),
		};
	});
	return JSON.stringify(out);
})()`

// liveCompareChartsWithPermalink opens the page's permalink in a fresh tab
// and waits until the charts after the edits (merged update by update)
// hold the same numbers as the charts drawn from scratch there.
func liveCompareChartsWithPermalink(t *testing.T, browser context.Context, tab *uiTab) {
	t.Helper()
	fresh := openTab(t, browser)
	fresh.do(t, "open the permalink", chromedp.Navigate(tab.eval(t, `location.href`)))
	fresh.waitReady(t)
	liveWaitRest(t, fresh)
	var got, want string
	for deadline := time.Now().Add(5 * time.Second); ; {
		got, want = tab.eval(t, liveChartNumbers), fresh.eval(t, liveChartNumbers)
		if got == want || time.Now().After(deadline) {
			break
		}
		// Off-screen charts catch up once the page has been still a moment.
		chromedp.Run(tab.ctx, chromedp.Evaluate[bool](`new Promise(function (r) { setTimeout(function () { r(true); }, 100); })`, chromedp.EvalAwaitPromise))
	}
	if got != want {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		from := max(0, i-200)
		t.Errorf("charts after the edits differ from the permalink's at byte %d:\n got: …%.400s\nwant: …%.400s", i, got[from:], want[from:])
	}
	fresh.checkNoErrors(t)
}

func TestBrowserLivePanelMatchesServer(t *testing.T) {
	browser, base := uiBrowser(t)
	tests := []struct {
		name, path string
		// steps run in the page, one animation frame apart, like a drag.
		steps []string
	}{
		{"smooth-l1 beta dragged", "/losses/smooth-l1", dragSteps(`#p-beta-range`, []string{"0.2", "0.4", "0.6", "0.75", "0.5", "0.35"})},
		{"mse cell dragged", "/losses/mse", dragSteps(`[data-testid=grid-input] input[data-cell="1"]`, []string{"-0.9", "-0.7", "-0.4", "0.1", "0.25"})},
		{"mse row added then edited", "/losses/mse", []string{
			`Array.from(document.querySelectorAll('[data-testid=input-input] .grid-tools button')).find(function (b) { return b.textContent === '+ row'; }).click()`,
			dragStep(`[data-testid=grid-input] input[data-cell="7"]`, "4.25"),
		}},
		{"cross-entropy reduction none", "/losses/cross-entropy", []string{
			`(function () { var s = document.getElementById('p-reduction'); s.value = 'none'; s.dispatchEvent(new Event('change', {bubbles: true})); })()`,
			dragStep(`#p-label_smoothing-range`, "0.3"),
		}},
		{"cross-entropy in Chinese, a row added", "/losses/cross-entropy?lang=zh", []string{
			dragStep(`#p-label_smoothing-range`, "0.2"),
			`Array.from(document.querySelectorAll('[data-testid=input-input] .grid-tools button'))[0].click()`,
		}},
		{"nll with class weights", "/losses/nll", []string{
			`(function () { var c = document.querySelector('[data-tensor-toggle=weight]'); c.checked = true; c.dispatchEvent(new Event('change', {bubbles: true})); })()`,
			dragStep(`#p-weight-1`, "2.5"),
		}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			t.Parallel() // pages of their own in tabs of their own
			tab := openTab(t, browser)
			tab.do(t, "navigate", chromedp.Navigate(base+test.path))
			tab.waitReady(t)
			liveWaitRest(t, tab)
			for _, step := range test.steps {
				js := `new Promise(function (done) { requestAnimationFrame(function () { ` + step + `; done(true); }); })`
				if _, err := chromedp.Run(tab.ctx, chromedp.Evaluate[bool](js, chromedp.EvalAwaitPromise)); err != nil {
					t.Fatalf("step %s: %v", step, err)
				}
			}
			liveCompareWithServer(t, tab)
			liveCompareChartsWithPermalink(t, browser, tab)
			tab.checkNoErrors(t)
		})
	}
}

// dragStep sets an input's value and fires its input event, as a drag
// or a keystroke does.
func dragStep(selector, value string) string {
	return fmt.Sprintf(`(function () { var el = document.querySelector(%s); el.value = %s; el.dispatchEvent(new Event('input', {bubbles: true})); })()`,
		jsString(selector), jsString(value))
}

func dragSteps(selector string, values []string) []string {
	var out []string
	for _, v := range values {
		out = append(out, dragStep(selector, v))
	}
	return out
}

// TestBrowserPageEvents drives a loss page and a comparison page through
// the page events other modules use (docs/protocol.md, "Page events").
func TestBrowserPageEvents(t *testing.T) {
	browser, base := uiBrowser(t)
	spec, ok := engine.LookupSlug("smooth-l1")
	if !ok {
		t.Fatal("SmoothL1Loss is not registered")
	}
	tab := openTab(t, browser)
	// Record lp:state from the start, as a module loaded after the page's
	// would.
	if _, err := chromedp.Call(tab.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__states = []; document.addEventListener('lp:state', function (ev) { window.__states.push(ev.detail); });`,
	}); err != nil {
		t.Fatal(err)
	}
	tab.do(t, "navigate", chromedp.Navigate(base+"/losses/smooth-l1"))
	tab.waitReady(t)
	liveWaitRest(t, tab)
	if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](`window.__states.length === 1 && window.__states[0].loss === 'SmoothL1Loss' && window.__states[0].params.beta === 1`, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Errorf("lp:state events after loading = %s; want one, with the page's state", tab.eval(t, `JSON.stringify(window.__states)`))
	}
	// Count the compute messages the page sends.
	tab.eval(t, `(function () {
		window.__computes = 0;
		var send = WebSocket.prototype.send;
		WebSocket.prototype.send = function (data) { if (JSON.parse(data).type === 'compute') window.__computes++; return send.call(this, data); };
		return "";
	})()`)

	t.Run("apply without reply computes", func(t *testing.T) {
		input := json.RawMessage(`[[0.25,-1,2],[1.5,0,-0.5]]`)
		tab.do(t, "lp:apply", chromedp.Evaluate[chromedp.Void](`document.dispatchEvent(new CustomEvent('lp:apply', {detail: {params: {beta: 0.25}, inputs: {input: `+string(input)+`}, view: {element: 1}}}))`))
		tab.waitLoss(t, engineLossWith(t, spec, map[string]json.RawMessage{"beta": json.RawMessage(`0.25`)}, map[string]json.RawMessage{"input": input}))
		liveWaitRest(t, tab)
		if got := tab.eval(t, `document.getElementById('p-beta').value + ' ' + document.getElementById('p-beta-range').value + ' ' + document.querySelector('[data-testid=grid-input] input[data-cell="0"]').value`); got != "0.25 0.25 0.25" {
			t.Errorf("beta box, beta slider, input[0,0] after lp:apply = %s; want 0.25 0.25 0.25", got)
		}
		if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](`window.__states.length > 0 && window.__states[window.__states.length - 1].query === location.search.slice(1)`, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
			t.Errorf("last lp:state query = %s; want the permalink query %s", tab.eval(t, `JSON.stringify(window.__states[window.__states.length - 1])`), tab.eval(t, `location.search`))
		}
		last := tab.eval(t, `JSON.stringify(window.__states[window.__states.length - 1])`)
		for _, want := range []string{`"loss":"SmoothL1Loss"`, `"slug":"smooth-l1"`, `"beta":0.25`, `"element":1`, `beta=0.25`} {
			if !strings.Contains(last, want) {
				t.Errorf("last lp:state = %s; want it to hold %s", last, want)
			}
		}
		if n := tab.eval(t, `String(window.__computes)`); n == "0" {
			t.Errorf("compute messages sent after lp:apply without reply = %s; want at least one", n)
		}
	})

	t.Run("apply with reply shows it without computing", func(t *testing.T) {
		input := json.RawMessage(`[[3,-1,2],[1.5,0,-0.5]]`)
		want := engineLossWith(t, spec, map[string]json.RawMessage{"beta": json.RawMessage(`0.5`)}, map[string]json.RawMessage{"input": input})
		comp := testWSComputer()
		msg := fmt.Sprintf(`{"type":"compute","id":1,"loss":"SmoothL1Loss","params":{"beta":0.5},"inputs":{"input":%s,"target":[[1,-1,0],[1,0.5,0.5]]},"detail":true,"view":{}}`, input)
		reply := string(wsAnswer(t, &comp, []byte(msg)))
		if !strings.Contains(reply, `"panel"`) {
			t.Fatalf("reply %s has no panel", reply)
		}
		tab.eval(t, `String(window.__computes = 0)`)
		tab.do(t, "lp:apply with reply", chromedp.Evaluate[chromedp.Void](`document.dispatchEvent(new CustomEvent('lp:apply', {detail: {params: {beta: 0.5}, inputs: {input: `+string(input)+`}, view: {}, reply: `+reply+`}}))`))
		tab.waitLoss(t, want)
		if got := tab.eval(t, `document.querySelector('[data-testid=tensor-input] td .v').textContent`); got != "3.0000" {
			t.Errorf("panel input[0,0] after lp:apply with reply = %s; want 3.0000", got)
		}
		liveCompareWithServer(t, tab)
		if n := tab.eval(t, `String(window.__computes)`); n != "0" {
			t.Errorf("compute messages sent after lp:apply with a reply = %s; want 0", n)
		}
	})

	t.Run("lock", func(t *testing.T) {
		tab.do(t, "lp:lock", chromedp.Evaluate[chromedp.Void](`document.dispatchEvent(new CustomEvent('lp:lock', {detail: {locked: true, label: 'following the teacher'}}))`))
		if got := tab.eval(t, `document.getElementById('p-beta-range').disabled + ' ' + document.querySelector('[data-testid=grid-input] input[data-cell="0"]').readOnly + ' ' + document.querySelector('[data-testid=lock-status]').hidden + ' ' + document.querySelector('[data-testid=lock-status]').textContent`); got != "true true false following the teacher" {
			t.Errorf("slider disabled, cell read-only, label hidden, label = %s; want true true false following the teacher", got)
		}
		tab.eval(t, `String(window.__computes = 0)`)
		tab.do(t, "move the locked slider", chromedp.Evaluate[chromedp.Void](dragStep(`#p-beta-range`, "0.9")))
		tab.do(t, "type in a locked cell", chromedp.Evaluate[chromedp.Void](dragStep(`[data-testid=grid-input] input[data-cell="0"]`, "7")))
		// A state applied while locked (the teacher's) still computes.
		tab.do(t, "lp:apply while locked", chromedp.Evaluate[chromedp.Void](`document.dispatchEvent(new CustomEvent('lp:apply', {detail: {params: {beta: 0.75}, inputs: {}, view: {}}}))`))
		tab.waitLoss(t, engineLossWith(t, spec, map[string]json.RawMessage{"beta": json.RawMessage(`0.75`)}, nil))
		liveWaitRest(t, tab)
		if n := tab.eval(t, `String(window.__computes)`); n != "1" {
			t.Errorf("compute messages sent while locked = %s; want 1 (the applied state's, none for input)", n)
		}
		tab.do(t, "unlock", chromedp.Evaluate[chromedp.Void](`document.dispatchEvent(new CustomEvent('lp:lock', {detail: {locked: false}}))`))
		if got := tab.eval(t, `document.getElementById('p-beta-range').disabled + ' ' + document.querySelector('[data-testid=lock-status]').hidden`); got != "false true" {
			t.Errorf("slider disabled, label hidden after unlocking = %s; want false true", got)
		}
		tab.do(t, "move the slider", chromedp.Evaluate[chromedp.Void](dragStep(`#p-beta-range`, "0.9")))
		tab.waitLoss(t, engineLossWith(t, spec, map[string]json.RawMessage{"beta": json.RawMessage(`0.9`)}, nil))
	})
	tab.checkNoErrors(t)

	t.Run("compare page", func(t *testing.T) {
		tab := openTab(t, browser)
		tab.do(t, "navigate", chromedp.Navigate(base+"/compare/margin"))
		compareWaitReady(t, tab)
		tab.eval(t, `(function () { window.__states = []; document.addEventListener('lp:state', function (ev) { window.__states.push(ev.detail); }); return ""; })()`)
		tab.do(t, "lp:apply", chromedp.Evaluate[chromedp.Void](`document.dispatchEvent(new CustomEvent('lp:apply', {detail: {params: {at: 1.5}}}))`))
		js := `window.__states.length > 0 && window.__states[window.__states.length - 1].params.at === 1.5 && window.__states[window.__states.length - 1].query === location.search.slice(1)`
		if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
			t.Errorf("lp:state after lp:apply at=1.5: %s (URL %s): %v", tab.eval(t, `JSON.stringify(window.__states)`), tab.eval(t, `location.search`), err)
		}
		if got := tab.eval(t, `document.querySelector('[data-cmp-setting=at]').value`); got != "1.5" {
			t.Errorf("at box after lp:apply = %s; want 1.5", got)
		}
		tab.do(t, "lp:lock", chromedp.Evaluate[chromedp.Void](`document.dispatchEvent(new CustomEvent('lp:lock', {detail: {locked: true, label: 'following the teacher'}}))`))
		if got := tab.eval(t, `document.querySelector('[data-cmp-setting=at]').disabled + ' ' + document.querySelector('[data-testid=lock-status]').textContent`); got != "true following the teacher" {
			t.Errorf("at box disabled, lock label = %s; want true following the teacher", got)
		}
		tab.checkNoErrors(t)
	})
}

// TestBrowserServerRestart stops the server under a live page, edits the
// page while it is down, and starts a new server on the same address: the
// badge says the page is offline meanwhile, and once back the page sends
// its state again and shows the engine's numbers for it, panel included.
func TestBrowserServerRestart(t *testing.T) {
	browser := sharedBrowser(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	serve := func(ln net.Listener) (stop func()) {
		app, err := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		srv := &http.Server{Handler: app.Routes()}
		srv.RegisterOnShutdown(app.CloseConnections)
		go srv.Serve(ln)
		return func() { app.CloseConnections(); srv.Close() }
	}
	stop := serve(ln)
	t.Cleanup(func() { stop() })
	spec, _ := engine.LookupSlug("mse")

	tab := openTab(t, browser)
	tab.do(t, "navigate", chromedp.Navigate("http://"+addr+"/losses/mse"))
	tab.waitReady(t)
	liveWaitRest(t, tab)
	if hidden := tab.eval(t, `String(document.querySelector('[data-testid=conn-status]').hidden)`); hidden != "true" {
		t.Fatalf("offline badge shown while connected")
	}

	stop()
	if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](`!document.querySelector('[data-testid=conn-status]').hidden && !window.lossPlayground.ids().wsOpen`, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Fatalf("offline badge not shown after the server stopped: %v", err)
	}
	if text := tab.eval(t, `document.querySelector('[data-testid=conn-status]').textContent`); strings.Contains(text, "HTTP") {
		t.Errorf("offline badge = %q; want no promise of updates over HTTP while the server is down", text)
	}
	tab.do(t, "edit while offline", chromedp.Evaluate[chromedp.Void](dragStep(`[data-testid=grid-input] input[data-cell="0"]`, "4.5")))

	ln2, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen again on %s: %v", addr, err)
	}
	stop = serve(ln2)
	tab.waitLoss(t, engineLossWith(t, spec, nil, map[string]json.RawMessage{"input": json.RawMessage(`[[4.5,-1,2],[1.5,0,-0.5]]`)}))
	if hidden := tab.eval(t, `String(document.querySelector('[data-testid=conn-status]').hidden)`); hidden != "true" {
		t.Errorf("offline badge still shown after reconnecting")
	}
	if got := tab.eval(t, `document.querySelector('[data-testid=tensor-input] td .v').textContent`); got != "4.5000" {
		t.Errorf("panel input[0,0] after reconnecting = %s; want 4.5000 (the panel refreshed)", got)
	}
	liveCompareWithServer(t, tab)
	tab.checkNoErrors(t)
}

// TestBrowserPhoneDock opens a loss page 375 px wide: while the result is
// below the controls, the dock at the bottom shows the current loss and
// the curve, and follows a drag without covering the slider.
func TestBrowserPhoneDock(t *testing.T) {
	browser, base := uiBrowser(t)
	spec, _ := engine.LookupSlug("smooth-l1")
	tab := openTab(t, browser)
	tab.do(t, "phone size", chromedp.EmulateViewport(375, 740))
	tab.do(t, "navigate", chromedp.Navigate(base+"/losses/smooth-l1"))
	tab.waitReady(t)
	liveWaitRest(t, tab)
	// Not on first load: it would sit on the first slider (issue 17); the
	// reader's first scroll or input brings it.
	if got := tab.eval(t, `String(document.querySelector('[data-testid=result-dock]').hidden)`); got != "true" {
		t.Errorf("dock shown on first load (hidden = %s); want it only once the reader scrolls or edits", got)
	}
	tab.do(t, "scroll a little", chromedp.Evaluate[chromedp.Void](`window.scrollBy(0, 40)`))
	dockShown := `(function () { var d = document.querySelector('[data-testid=result-dock]'); var r = d.getBoundingClientRect(); return !d.hidden && r.bottom <= innerHeight + 1 && r.top >= 0 && !!d.querySelector('canvas'); })()`
	if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](dockShown, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Fatalf("dock not shown at 375 px with the result below the controls: %v", err)
	}
	tab.do(t, "scroll to beta", chromedp.Evaluate[chromedp.Void](`document.getElementById('p-beta-range').scrollIntoView({block: 'center'})`))
	for _, v := range []string{"0.3", "0.45", "0.6"} {
		tab.do(t, "drag beta", chromedp.Evaluate[chromedp.Void](dragStep(`#p-beta-range`, v)))
	}
	want := engineLossWith(t, spec, map[string]json.RawMessage{"beta": json.RawMessage(`0.6`)}, nil)
	if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](`document.querySelector('[data-testid=dock-loss]').dataset.exact === `+jsString(want), chromedp.WithPollingTimeout(8*time.Second))); err != nil {
		t.Errorf("dock loss = %s; want %s", tab.eval(t, `document.querySelector('[data-testid=dock-loss]').dataset.exact`), want)
	}
	if got := tab.eval(t, `document.querySelector('[data-testid=dock-loss]').textContent === document.querySelector('[data-testid=loss-value]').textContent ? 'same' : 'differs'`); got != "same" {
		t.Errorf("dock loss text %s; want the panel's", got)
	}
	// The slider being dragged is not covered by the dock.
	if got := tab.eval(t, `(function () { var s = document.getElementById('p-beta-range').getBoundingClientRect(), d = document.querySelector('[data-testid=result-dock]').getBoundingClientRect(); return String(s.bottom <= d.top); })()`); got != "true" {
		t.Errorf("slider above the dock = %s; want true", got)
	}
	tab.viewShot(t, "phone-dock")
	for _, id := range []string{"curve", "elements", "gradient"} {
		tab.do(t, "scroll to the charts", chromedp.Evaluate[chromedp.Void](`document.getElementById('chart-`+id+`').scrollIntoView({block: 'center'})`))
		tab.viewShot(t, "phone-chart-"+id)
	}
	tab.checkNoErrors(t)
}

// TestBrowserFirstConnectionAsksNothing: a loss page shows the server's
// answer for its state, so its first connection sends no compute (the
// server would redo the same work and the page redraw the same charts);
// the first change does send one.
func TestBrowserFirstConnectionAsksNothing(t *testing.T) {
	browser, base := uiBrowser(t)
	tab := openTab(t, browser)
	if _, err := chromedp.Call(tab.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__computes = 0; (function () {
			var send = WebSocket.prototype.send;
			WebSocket.prototype.send = function (data) { if (JSON.parse(data).type === 'compute') window.__computes++; return send.call(this, data); };
		})();`,
	}); err != nil {
		t.Fatal(err)
	}
	tab.do(t, "navigate", chromedp.Navigate(base+"/losses/mse?theme=dark"))
	tab.waitReady(t)
	liveWaitRest(t, tab)
	// liveWaitRest saw the socket open; pump runs in that same callback.
	if n := tab.eval(t, `String(window.__computes)`); n != "0" {
		t.Errorf("compute messages sent by a page nobody touched = %s; want 0", n)
	}
	spec, _ := engine.LookupSlug("mse")
	tab.do(t, "choose sum", chromedp.Evaluate[chromedp.Void](`(function () { var s = document.getElementById('p-reduction'); s.value = 'sum'; s.dispatchEvent(new Event('change', {bubbles: true})); })()`))
	tab.waitLoss(t, engineLossWith(t, spec, map[string]json.RawMessage{"reduction": json.RawMessage(`"sum"`)}, nil))
	if n := tab.eval(t, `String(window.__computes)`); n != "1" {
		t.Errorf("compute messages after one change = %s; want 1", n)
	}
	tab.checkNoErrors(t)
}
