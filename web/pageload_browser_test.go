package web

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// pageLoad is what one cold load of a page costs and how much it moves.
type pageLoad struct {
	HTML, JS, CSS, Fonts int     // bytes on the wire (encoded bodies)
	CLS                  float64 // layout shifts without input, summed, until settled
	KaTeXScript, ECharts bool    // a KaTeX or ECharts script was loaded
}

// uiPageTypes are one page of each kind, as the measurements report them.
var uiPageTypes = []struct{ name, path string }{
	{"catalog", "/"},
	{"loss", "/losses/cross-entropy"},
	{"loss-ctc", "/losses/ctc"},
	{"embed", "/embed/huber"},
	{"lesson", "/lessons/smooth-l1"},
	{"lesson-zh", "/lessons/cross-entropy?lang=zh"},
	{"compare", "/compare/regression"},
	{"intro", "/intro"},
}

// uiCLSRecorder records layout shifts from the first byte of a page on,
// before any of the page's own scripts run.
const uiCLSRecorder = `window.__lpLoad = {cls: 0};
new PerformanceObserver(function (l) {
	l.getEntries().forEach(function (e) { if (!e.hadRecentInput) window.__lpLoad.cls += e.value; });
}).observe({type: "layout-shift", buffered: true});`

// uiLoadSettled resolves once the page has loaded, its fonts are in, and
// two frames have been painted after that (a shift is reported with the
// frame that shows it).
const uiLoadSettled = `new Promise(function (done) {
	function frames() { requestAnimationFrame(function () { requestAnimationFrame(function () { done(true); }); }); }
	function fonts() { document.fonts.ready.then(frames); }
	if (document.readyState === "complete") fonts(); else window.addEventListener("load", fonts);
})`

const uiLoadReport = `(function () {
	var r = {html: 0, js: 0, css: 0, fonts: 0, katex: false, echarts: false, cls: window.__lpLoad.cls};
	var nav = performance.getEntriesByType("navigation")[0];
	if (nav) r.html = nav.encodedBodySize;
	performance.getEntriesByType("resource").forEach(function (e) {
		var u = e.name.split("?")[0];
		if (/\.m?js$/.test(u)) r.js += e.encodedBodySize;
		else if (/\.css$/.test(u)) r.css += e.encodedBodySize;
		else if (/\.woff2$/.test(u)) r.fonts += e.encodedBodySize;
		if (/katex[^/]*\.js$/i.test(u) || window.katex) r.katex = true;
		if (/echarts/i.test(u) && /\.js$/.test(u)) r.echarts = true;
	});
	return JSON.stringify(r);
})()`

// measurePageLoad loads path in a fresh tab with the HTTP cache off, at
// the given viewport width, and reports its weight and layout shift.
func measurePageLoad(t testing.TB, browser context.Context, base, path string, width int64) pageLoad {
	t.Helper()
	tab := openTab(t, browser)
	tab.do(t, "cold cache and the shift recorder", chromedp.EmulateViewport(width, 900), chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
			return err
		}
		_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: uiCLSRecorder})
		return err
	}))
	tab.do(t, "navigate "+path, chromedp.Navigate(base+path))
	if _, err := chromedp.Run(tab.ctx, chromedp.Evaluate[bool](uiLoadSettled, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("%s never settled: %v", path, err)
	}
	var r struct {
		HTML, JS, CSS, Fonts int
		Katex, Echarts       bool
		CLS                  float64
	}
	if err := json.Unmarshal([]byte(tab.eval(t, uiLoadReport)), &r); err != nil {
		t.Fatal(err)
	}
	tab.checkNoErrors(t)
	return pageLoad{HTML: r.HTML, JS: r.JS, CSS: r.CSS, Fonts: r.Fonts, CLS: r.CLS, KaTeXScript: r.Katex, ECharts: r.Echarts}
}

// TestBrowserNoLayoutShift loads every kind of page cold, at a laptop's
// and a phone's width: nothing moves after the first paint (CLS under
// 0.05, the bar; formulas arrive typeset and their fonts are
// preloaded), no page loads a KaTeX script, and lessons and the intro load
// no ECharts.
func TestBrowserNoLayoutShift(t *testing.T) {
	browser, base := uiBrowser(t)
	var table strings.Builder
	table.WriteString("| page | width | HTML KB | JS KB | CSS KB | fonts KB | CLS |\n|---|---|---|---|---|---|---|\n")
	for _, width := range []int64{1280, 375} {
		for _, p := range uiPageTypes {
			t.Run(fmt.Sprintf("%s/%d", p.name, width), func(t *testing.T) {
				r := measurePageLoad(t, browser, base, p.path, width)
				fmt.Fprintf(&table, "| %s | %d | %.1f | %.1f | %.1f | %.1f | %.3f |\n", p.name, width,
					kb(r.HTML), kb(r.JS), kb(r.CSS), kb(r.Fonts), r.CLS)
				if r.CLS >= 0.05 {
					t.Errorf("GET %s at %d px: CLS = %.3f; want < 0.05", p.path, width, r.CLS)
				}
				if r.KaTeXScript {
					t.Errorf("GET %s loads a KaTeX script; want none (formulas come typeset)", p.path)
				}
				// Bundled chunks carry no library's name: the weight tells
				// (the smallest ECharts build is over 100 KB gzipped).
				if (strings.HasPrefix(p.name, "lesson") || p.name == "intro") && (r.ECharts || r.JS > 40<<10) {
					t.Errorf("GET %s loads %.0f KB of JavaScript (ECharts by name: %v); want no ECharts on a page without charts", p.path, kb(r.JS), r.ECharts)
				}
			})
		}
	}
	t.Logf("cold loads, bytes on the wire:\n%s", table.String())
}

// BenchmarkBrowserPageLoad reports, per kind of page, the bytes a cold
// load transfers (gzipped where the server compresses) and its CLS.
func BenchmarkBrowserPageLoad(b *testing.B) {
	browser, base := uiBrowser(b)
	for _, p := range uiPageTypes {
		b.Run(p.name, func(b *testing.B) {
			var r pageLoad
			start := time.Now()
			for b.Loop() {
				r = measurePageLoad(b, browser, base, p.path, 1280)
			}
			b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(b.N), "ms/load")
			b.ReportMetric(kb(r.HTML), "html-KB")
			b.ReportMetric(kb(r.JS), "js-KB")
			b.ReportMetric(kb(r.CSS), "css-KB")
			b.ReportMetric(kb(r.Fonts), "font-KB")
			b.ReportMetric(r.CLS, "CLS")
		})
	}
}

func kb(n int) float64 { return float64(n) / 1024 }
