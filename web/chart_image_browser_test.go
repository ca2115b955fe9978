package web

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lossplayground/playground/i18n"
)

// chartImageWaitJS polls js in the tab until it is true.
func chartImageWaitJS(t *testing.T, tab *uiTab, what, js string) {
	t.Helper()
	if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(8*time.Second))); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// chartImageFetchJS fetches the href of the image link with data-testid
// testid and reports "status content-type names" where names says whether
// the SVG's text contains name.
func chartImageFetchJS(testid, name string) string {
	return `(async function () {
		var a = document.querySelector('[data-testid="` + testid + `"]');
		var r = await fetch(a.href);
		var body = await r.text();
		return r.status + ' ' + r.headers.get('Content-Type') + ' ' + body.startsWith('<svg') + ' ' + body.includes(` + jsString(name) + `);
	})()`
}

// TestBrowserChartImageLinks: every chart figure links to its SVG image
// for the current state, the link follows the state as it changes (the
// lp:state event), the image it points at is served, and the Markdown
// button copies ![alt](absolute URL).
func TestBrowserChartImageLinks(t *testing.T) {
	browser, base := uiBrowser(t)

	t.Run("loss page", func(t *testing.T) {
		tab := openTab(t, browser)
		tab.do(t, "navigate", chromedp.Navigate(base+"/losses/smooth-l1?lang=en"))
		tab.waitReady(t)
		if got, want := tab.eval(t, `document.querySelector('[data-testid="image-link-curve"]').getAttribute('href')`),
			"/losses/smooth-l1/charts/curve.svg?lang=en"; got != want {
			t.Errorf("server-rendered image link = %s; want %s", got, want)
		}
		for _, id := range []string{"curve", "elements", "gradient"} {
			if n := tab.eval(t, `String(document.querySelectorAll('[data-testid="chart-`+id+`"] [data-testid="image-link-`+id+`"], [data-testid="chart-`+id+`"] [data-testid="markdown-`+id+`"]').length)`); n != "2" {
				t.Errorf("figure %s has %s of its image link and Markdown button; want both", id, n)
			}
		}
		v := tab.eval(t, `(function () {
			var r = document.getElementById('p-beta-range');
			r.value = String(Number(r.max) - 2 * Number(r.step));
			r.dispatchEvent(new Event('input', {bubbles: true}));
			return r.value;
		})()`)
		want := "/losses/smooth-l1/charts/curve.svg?beta=" + v + "&lang=en"
		chartImageWaitJS(t, tab, "image link after moving beta to "+v,
			`document.querySelector('[data-testid="image-link-curve"]').getAttribute('href') === `+jsString(want))
		if got := tab.eval(t, `document.querySelector('[data-testid="image-link-gradient"]').getAttribute('href')`); got != "/losses/smooth-l1/charts/gradient.svg?beta="+v+"&lang=en" {
			t.Errorf("gradient image link = %s; want the same state as the curve's", got)
		}
		got, err := chromedp.Run(tab.ctx, chromedp.Evaluate[string](chartImageFetchJS("image-link-curve", "SmoothL1Loss"), chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		if got != "200 image/svg+xml true true" {
			t.Errorf("fetch of the image link = %q; want 200 image/svg+xml, an <svg> naming SmoothL1Loss", got)
		}
		tab.do(t, "click Markdown", chromedp.Click(chromedp.CSS(`[data-testid="markdown-curve"]`)))
		// The alt text names the state, as the image's <title> does.
		md := "![SmoothL1Loss: " + i18n.T("en", "js.chart.curve") + " (beta = " + v + ")](" + base + want + ")"
		chartImageWaitJS(t, tab, "Markdown copied",
			`document.querySelector('[data-testid="markdown-curve"]').dataset.markdown === `+jsString(md))
		tab.screenshot(t, "chart-image-links")
		tab.checkNoErrors(t)
	})

	t.Run("Chinese page", func(t *testing.T) {
		tab := openTab(t, browser)
		tab.do(t, "navigate", chromedp.Navigate(base+"/losses/smooth-l1?lang=zh"))
		tab.waitReady(t)
		if got, want := tab.eval(t, `document.querySelector('[data-testid="image-link-curve"]').getAttribute('href')`),
			"/losses/smooth-l1/charts/curve.svg?lang=zh"; got != want {
			t.Errorf("image link of the Chinese page = %s; want %s", got, want)
		}
		if got, want := tab.eval(t, `document.querySelector('[data-testid="image-link-curve"]').textContent`), i18n.T("zh", "img.link"); got != want {
			t.Errorf("image link text = %q; want %q", got, want)
		}
		// The image itself is drawn in Chinese: its text has Han characters.
		got, err := chromedp.Run(tab.ctx, chromedp.Evaluate[bool](`(async function () {
			var r = await fetch(document.querySelector('[data-testid="image-link-curve"]').href);
			return /\p{Script=Han}/u.test(await r.text());
		})()`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		if !got {
			t.Errorf("the Chinese page's curve image has no Chinese text")
		}
		tab.checkNoErrors(t)
	})

	t.Run("embed", func(t *testing.T) {
		tab := openTab(t, browser)
		tab.do(t, "navigate", chromedp.Navigate(base+"/embed/ctc?lang=en&lattice=beta"))
		tab.waitReady(t)
		if got, want := tab.eval(t, `document.querySelector('[data-testid="image-link-lattice"]').getAttribute('href')`),
			"/losses/ctc/charts/lattice.svg?lang=en&lattice=beta"; got != want {
			t.Errorf("embed image link = %s; want %s", got, want)
		}
		tab.checkNoErrors(t)
	})

	t.Run("comparison page", func(t *testing.T) {
		tab := openTab(t, browser)
		tab.do(t, "navigate", chromedp.Navigate(base+"/compare/margin"))
		compareWaitReady(t, tab)
		tab.do(t, "move the margin slider", chromedp.Evaluate[chromedp.Void](`(function () {
			var e = document.getElementById('cmp-at-range'); e.value = '-1';
			e.dispatchEvent(new Event('input', {bubbles: true})); })()`))
		chartImageWaitJS(t, tab, "comparison image link after moving y·x to -1",
			`new URL(document.querySelector('[data-testid="image-link-margin"]').href).searchParams.get('at') === '-1'`)
		got, err := chromedp.Run(tab.ctx, chromedp.Evaluate[string](chartImageFetchJS("image-link-margin", "MultiMarginLoss"), chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		if got != "200 image/svg+xml true true" {
			t.Errorf("fetch of the comparison image link = %q; want 200 image/svg+xml, an <svg> naming MultiMarginLoss", got)
		}
		tab.checkNoErrors(t)
	})
}
