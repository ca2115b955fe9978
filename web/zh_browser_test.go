package web

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lossplayground/playground/engine"
)

// hanJS is a JavaScript predicate: does string s hold a Chinese character?
const hanJS = `function han(s) { return /[\u4e00-\u9fff]/.test(s || ''); }`

// TestBrowserChinese opens pages in Chinese in Chromium: the words the
// scripts write (grid tools, class pickers, chart captions and ARIA labels)
// come from the catalogue, and charts redrawn live over the WebSocket keep
// their Chinese titles and legends.
func TestBrowserChinese(t *testing.T) {
	browser, base := uiBrowser(t)
	t.Run("loss page", func(t *testing.T) {
		spec, _ := engine.LookupSlug("cross-entropy")
		tab := openTab(t, browser)
		tab.do(t, "navigate", chromedp.Navigate(base+"/losses/cross-entropy?lang=zh"))
		tab.waitReady(t)
		checks := []struct{ name, js string }{
			{"grid tools", `Array.from(document.querySelectorAll('.grid-tools button')).filter(function (b) { return !han(b.textContent) || !han(b.title); }).map(function (b) { return b.textContent; }).join(' | ')`},
			{"class pickers", `Array.from(document.querySelectorAll('[data-testid=input-target] select option')).filter(function (o) { return !han(o.textContent); }).map(function (o) { return o.textContent; }).join(' | ')`},
			{"chart captions", `Array.from(document.querySelectorAll('.chart-fig figcaption span, .chart[aria-label]')).filter(function (e) { return !han(e.textContent || e.getAttribute('aria-label')); }).map(function (e) { return e.textContent || e.getAttribute('aria-label'); }).join(' | ')`},
			{"per-class sliders", `Array.from(document.querySelectorAll('.perclass input[type=range]')).filter(function (e) { return !han(e.getAttribute('aria-label')); }).map(function (e) { return e.getAttribute('aria-label'); }).join(' | ')`},
		}
		for _, c := range checks {
			if got := tab.eval(t, `(function () { `+hanJS+` return `+c.js+`; })()`); got != "" {
				t.Errorf("%s not in Chinese: %s", c.name, got)
			}
		}
		// A change goes over the WebSocket: its charts must come back in
		// Chinese (the view carries lang), and the panel fetched over HTTP
		// too.
		tab.do(t, "choose sum", chromedp.SetValue(chromedp.ID("p-reduction"), "sum"),
			chromedp.Evaluate[chromedp.Void](`document.getElementById('p-reduction').dispatchEvent(new Event('change', {bubbles: true}))`))
		tab.waitLoss(t, engineLossWith(t, spec, map[string]json.RawMessage{"reduction": json.RawMessage(`"sum"`)}, nil))
		js := `(function () { ` + hanJS + `
			var c = window.echarts.getInstanceByDom(document.getElementById('chart-elements'));
			if (!c) return false;
			var o = c.getOption();
			return han(o.title[0].text) && o.title[0].subtext.indexOf("'sum'") >= 0 && han(document.querySelector('.loss-label').textContent);
		})()`
		if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(8*time.Second))); err != nil {
			got := tab.eval(t, `(function () { var c = window.echarts.getInstanceByDom(document.getElementById('chart-elements')); return c ? c.getOption().title[0].text + ' / ' + c.getOption().title[0].subtext : 'no chart'; })()`)
			t.Errorf("chart after a live update = %q; want a Chinese title for reduction 'sum' (%v)", got, err)
		}
		tab.screenshot(t, "zh-cross-entropy")
		tab.checkNoErrors(t)
	})
	t.Run("comparison", func(t *testing.T) {
		tab := openTab(t, browser)
		tab.do(t, "navigate", chromedp.Navigate(base+"/compare/margin?lang=zh"))
		compareWaitReady(t, tab)
		tab.do(t, "move the margin slider", chromedp.Evaluate[chromedp.Void](`(function () {
			var e = document.getElementById('cmp-at-range'); e.value = '-1';
			e.dispatchEvent(new Event('input', {bubbles: true})); })()`))
		js := `(function () { ` + hanJS + `
			if (document.querySelector('[data-testid="margin-value-hinge"]').textContent !== '2.0000') return false;
			var o = echarts.getInstanceByDom(document.querySelector('[data-cmp-chart=margin]')).getOption();
			return han(o.title[0].text) && o.series.every(function (s) { return han(s.name) || s.name.indexOf('Loss') > 0; });
		})()`
		if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(8*time.Second))); err != nil {
			got := tab.eval(t, `echarts.getInstanceByDom(document.querySelector('[data-cmp-chart=margin]')).getOption().series.map(function (s) { return s.name; }).join(' | ')`)
			t.Errorf("margin chart after a live update: series %q; want Chinese names (%v)", got, err)
		}
		if got := tab.eval(t, `new URLSearchParams(location.search).get('lang')`); got != "zh" {
			t.Errorf("URL lang = %q; want zh (the language stays in the URL)", got)
		}
		if got := tab.eval(t, `document.querySelector('[data-testid=conn-status]').textContent`); strings.Contains(got, "reconnecting") {
			t.Errorf("status = %q; want no English", got)
		}
		tab.screenshot(t, "zh-compare-margin")
		tab.checkNoErrors(t)
	})
	t.Run("classification table redrawn", func(t *testing.T) {
		tab := openTab(t, browser)
		tab.do(t, "navigate", chromedp.Navigate(base+"/compare/classification?lang=zh"))
		compareWaitReady(t, tab)
		tab.do(t, "edit logits", chromedp.Evaluate[chromedp.Void](`(function () {
			var e = document.getElementById('cmp-logits'); e.value = '0, 3, 1, -1';
			e.dispatchEvent(new Event('input', {bubbles: true})); })()`))
		// The table is rebuilt by the script for four classes: its header
		// must stay Chinese.
		js := `(function () { ` + hanJS + `
			var ths = document.querySelectorAll('[data-testid=class-losses] thead th');
			return !!document.querySelector('[data-testid="grad-MultiMarginLoss-3"]') && han(ths[0].textContent) && han(ths[1].textContent);
		})()`
		if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(8*time.Second))); err != nil {
			got := tab.eval(t, `Array.from(document.querySelectorAll('[data-testid=class-losses] thead th')).map(function (e) { return e.textContent; }).join(' | ')`)
			t.Errorf("classification table header after a live update = %q; want Chinese (%v)", got, err)
		}
		tab.checkNoErrors(t)
	})
}
