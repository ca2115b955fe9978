package web

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// chartPixelsJS reports, for every drawn chart of the page, the colour of
// its canvas's top-left pixel (the chart's background: the title is
// centred, the toolbox on the right) and the mean luminance of the whole
// canvas, once every chart has drawn and painted.
const chartPixelsJS = `new Promise(function (done) {
	function ready() {
		var els = document.querySelectorAll('.chart[data-chart]');
		if (!els.length) return false;
		for (var i = 0; i < els.length; i++) if (!els[i].dataset.drawn || !els[i].querySelector('canvas')) return false;
		return true;
	}
	function measure() {
		var out = [];
		document.querySelectorAll('.chart[data-chart]').forEach(function (el) {
			var cv = el.querySelector('canvas');
			var d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
			var sum = 0, n = 0;
			for (var i = 0; i < d.length; i += 4 * 7) { sum += (0.2126 * d[i] + 0.7152 * d[i + 1] + 0.0722 * d[i + 2]) / 255; n++; }
			out.push({id: el.dataset.chart, corner: [d[0], d[1], d[2], d[3]], mean: sum / n});
		});
		done(JSON.stringify(out));
	}
	(function wait() {
		if (!ready()) return setTimeout(wait, 50);
		requestAnimationFrame(function () { requestAnimationFrame(measure); });
	})();
})`

type chartPixels struct {
	ID     string  `json:"id"`
	Corner [4]int  `json:"corner"`
	Mean   float64 `json:"mean"`
}

// checkDarkCharts fails unless every chart of the tab's page has the dark
// palette's background (#15181d) and is dark overall.
func checkDarkCharts(t *testing.T, tab *uiTab, what string) {
	t.Helper()
	raw, err := chromedp.Run(tab.ctx, chromedp.Evaluate[string](chartPixelsJS, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: measure charts: %v", what, err)
	}
	var got []chartPixels
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatal(err)
	}
	want := [3]int{0x15, 0x18, 0x1d}
	for _, c := range got {
		near := func(a, b int) bool { return a-b <= 3 && b-a <= 3 }
		if !near(c.Corner[0], want[0]) || !near(c.Corner[1], want[1]) || !near(c.Corner[2], want[2]) {
			t.Errorf("%s: chart %s background = rgba%v; want the dark palette's #15181d", what, c.ID, c.Corner)
		}
		if c.Mean > 0.3 {
			t.Errorf("%s: chart %s mean luminance = %.2f; want a dark chart (under 0.3)", what, c.ID, c.Mean)
		}
	}
	if len(got) == 0 {
		t.Errorf("%s: no chart drawn", what)
	}
}

// TestBrowserDarkCharts opens a loss page and an embed in each way a
// reader comes to the dark theme: the system's preference, a choice stored
// on an earlier visit, and ?theme=dark. The server draws the first charts
// before it knows the first two; every chart must still be dark, by its
// pixels, on load and after a live update merged into it.
func TestBrowserDarkCharts(t *testing.T) {
	browser, base := uiBrowser(t)
	sources := []struct {
		name  string
		setup func(t *testing.T, tab *uiTab)
		query string
	}{
		{"system", func(t *testing.T, tab *uiTab) {
			tab.do(t, "prefer dark", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
				_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
					Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}})
				return err
			}))
		}, ""},
		{"stored", func(t *testing.T, tab *uiTab) {
			// The origin is this test's own server: nothing leaks to other tests.
			tab.do(t, "store dark", chromedp.Navigate(base+"/intro"),
				chromedp.Evaluate[chromedp.Void](`localStorage.setItem('lp-theme', 'dark')`))
			t.Cleanup(func() {
				tab := openTab(t, browser)
				tab.do(t, "forget dark", chromedp.Navigate(base+"/intro"), chromedp.Evaluate[chromedp.Void](`localStorage.removeItem('lp-theme')`))
			})
		}, ""},
		{"query", func(t *testing.T, tab *uiTab) {}, "?theme=dark"},
	}
	for _, src := range sources {
		t.Run(src.name, func(t *testing.T) {
			tab := openTab(t, browser)
			src.setup(t, tab)
			tab.do(t, "embed", chromedp.Navigate(base+"/embed/huber"+src.query))
			tab.waitReady(t)
			checkDarkCharts(t, tab, "embed")
			tab.screenshot(t, "dark-"+src.name+"-embed")

			tab.do(t, "loss page", chromedp.Navigate(base+"/losses/huber"+src.query))
			tab.waitReady(t)
			checkDarkCharts(t, tab, "loss page")
			// A live update merges into the charts drawn from the server's option.
			before := tab.eval(t, `document.querySelector('[data-testid=loss-value]').dataset.exact`)
			tab.eval(t, `(function () {
				var r = document.getElementById('p-delta-range');
				r.value = String(Number(r.max) - 3 * Number(r.step));
				r.dispatchEvent(new Event('input', {bubbles: true}));
				return r.value;
			})()`)
			tab.waitTrue(t, "live result", `document.querySelector('[data-testid=loss-value]').dataset.exact !== `+jsString(before)+` && !document.querySelector('.chart[data-chart]:not([data-drawn])')`)
			checkDarkCharts(t, tab, "loss page after a live update")
			tab.screenshot(t, "dark-"+src.name+"-loss")
			tab.checkNoErrors(t)
		})
	}
}

// TestBrowserThemeSwitchMarksStored checks that a stored theme is shown
// as the active one in the header of the pages the server cannot mark it
// on (it knows only the URL's theme).
func TestBrowserThemeSwitchMarksStored(t *testing.T) {
	browser, base := uiBrowser(t)
	tab := openTab(t, browser)
	tab.do(t, "store dark", chromedp.Navigate(base+"/intro"), chromedp.Evaluate[chromedp.Void](`localStorage.setItem('lp-theme', 'dark')`))
	defer tab.do(t, "forget dark", chromedp.Evaluate[chromedp.Void](`localStorage.removeItem('lp-theme')`))
	for _, path := range []string{"/", "/lessons/huber", "/intro", "/losses/huber", "/compare/regression"} {
		tab.do(t, "navigate", chromedp.Navigate(base+path))
		tab.waitTrue(t, path+" marks dark", `document.readyState === 'complete' &&
			document.querySelector('[data-theme-link=dark]').getAttribute('aria-current') === 'true' &&
			document.querySelector('[data-theme-link=light]').getAttribute('aria-current') === 'false'`)
	}
	tab.checkNoErrors(t)
}

// TestBrowserFamilyHeadingCase checks that a family's heading reads in
// sentence case ("Margin and ranking"), not every word capitalised.
func TestBrowserFamilyHeadingCase(t *testing.T) {
	browser, base := uiBrowser(t)
	tab := openTab(t, browser)
	tab.do(t, "catalog", chromedp.Navigate(base+"/"))
	tab.waitReady(t)
	got := tab.eval(t, `Array.from(document.querySelectorAll('.family h2')).map(function (h) { return h.innerText.trim(); }).join('|')`)
	if !strings.Contains(got, "Margin and ranking") || strings.Contains(got, "And") {
		t.Errorf("family headings = %s; want sentence case (Margin and ranking)", got)
	}
	tab = openTab(t, browser)
	tab.do(t, "loss page", chromedp.Navigate(base+"/losses/multi-label-margin"))
	tab.waitReady(t)
	if got := tab.eval(t, `document.querySelector('.crumbs span').innerText`); got != "Margin and ranking" {
		t.Errorf("crumb = %q; want Margin and ranking", got)
	}
}
