package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/lossplayground/playground/web/compare"
)

// compareWaitReady waits for compare.js to have drawn every chart of the
// page and opened its socket.
func compareWaitReady(t *testing.T, tab *uiTab) {
	t.Helper()
	js := `document.readyState === 'complete' && !!window.lossCompare && window.lossCompare.state().wsOpen &&
		document.querySelectorAll('[data-cmp-chart]').length > 0 &&
		Array.from(document.querySelectorAll('[data-cmp-chart]')).every(function (e) { return !!e.querySelector('canvas'); })`
	if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("comparison page did not finish loading: %v", err)
	}
}

// compareWaitFit waits for the newest fit's last frame, at least after
// frame count frames, and returns the frame count then.
func compareWaitFit(t *testing.T, tab *uiTab, after int) int {
	t.Helper()
	js := fmt.Sprintf(`(function () { var s = window.lossCompare.state(); return s.frames > %d && !!s.lastFrame && s.lastFrame.done; })()`, after)
	if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("fit did not finish: %v (state %s)", err, tab.eval(t, `JSON.stringify(window.lossCompare.state())`))
	}
	n, _ := strconv.Atoi(tab.eval(t, `String(window.lossCompare.state().frames)`))
	return n
}

func compareText(t *testing.T, tab *uiTab, testid string) string {
	t.Helper()
	return tab.eval(t, `document.querySelector('[data-testid="`+testid+`"]').textContent`)
}

func TestBrowserComparePagesLoad(t *testing.T) {
	browser, base := uiBrowser(t)
	for _, p := range []struct {
		name, path string
		width      int64
	}{
		{"compare-regression", "/compare/regression", 1280},
		{"compare-classification", "/compare/classification", 1280},
		{"compare-margin", "/compare/margin", 1280},
		{"compare-regression-dark", "/compare/regression?theme=dark", 1280},
		{"compare-classification-dark", "/compare/classification?theme=dark", 1280},
		{"compare-margin-dark", "/compare/margin?theme=dark", 1280},
		{"compare-regression-375", "/compare/regression", 375},
		{"compare-classification-375", "/compare/classification", 375},
		{"compare-margin-375", "/compare/margin", 375},
	} {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel() // a page of its own in a tab of its own
			tab := openTab(t, browser)
			tab.do(t, "viewport", chromedp.EmulateViewport(p.width, 900))
			tab.do(t, "navigate "+p.path, chromedp.Navigate(base+p.path))
			compareWaitReady(t, tab)
			if p.path == "/compare/regression" || p.path == "/compare/regression?theme=dark" {
				compareWaitFit(t, tab, 0)
			}
			// Nothing wider than the window: no sideways scrolling on a phone.
			if w := tab.eval(t, `String(document.documentElement.scrollWidth)`); w != strconv.FormatInt(p.width, 10) {
				t.Errorf("page is %s px wide in a %d px window", w, p.width)
			}
			tab.viewShot(t, p.name)
			tab.checkNoErrors(t)
		})
	}
}

// The regression fit animates: the slope shown changes from frame to
// frame, then settles on the engine's own fit; moving the outlier, with
// its number box or by dragging it, refits.
func TestBrowserCompareRegressionFit(t *testing.T) {
	t.Parallel() // most of it waits on the fit's animation: it runs beside the page-matrix tests
	browser, base := uiBrowser(t)
	tab := openTab(t, browser)
	tab.do(t, "navigate", chromedp.Navigate(base+"/compare/regression"))
	compareWaitReady(t, tab)
	// The page's own first fit may still be running once the charts are
	// drawn: let it end, so that its late frames are neither counted nor
	// taken for the replay's.
	compareWaitFit(t, tab, 0)

	// Record every MSE slope shown while a fit from a = b = 0 runs (the
	// first fit may be over before the charts are drawn, so replay it).
	tab.eval(t, `(function () {
		var el = document.querySelector('[data-testid="fit-slope-MSELoss"]');
		window.__slopes = {};
		new MutationObserver(function () { window.__slopes[el.textContent] = true; }).observe(el, {childList: true, characterData: true, subtree: true});
		return "";
	})()`)
	start, _ := strconv.Atoi(tab.eval(t, `String(window.lossCompare.state().frames)`))
	tab.do(t, "replay", chromedp.Click(chromedp.CSS(`[data-testid=fit-replay]`)))
	if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](`Object.keys(window.__slopes).length >= 3`, chromedp.WithPollingTimeout(8*time.Second))); err != nil {
		t.Errorf("MSE slope shown took %s values while the fit ran; want it to change over time", tab.eval(t, `JSON.stringify(Object.keys(window.__slopes))`))
	}
	frames := compareWaitFit(t, tab, start) - start
	if frames < 10 {
		t.Errorf("fit ended after %d frames; want an animation", frames)
	}
	lines, err := compare.RunFit(compare.DefaultFit())
	if err != nil {
		t.Fatal(err)
	}
	settled := compareText(t, tab, "fit-slope-MSELoss")
	time.Sleep(300 * time.Millisecond)
	if again := compareText(t, tab, "fit-slope-MSELoss"); again != settled {
		t.Errorf("MSE slope shown %s, then %s after the fit ended; want it settled", settled, again)
	}
	for _, l := range lines {
		if got, want := compareText(t, tab, "fit-slope-"+l.Loss), compareFormat(l.Slope); got != want {
			t.Errorf("%s slope shown = %s; want %s (the engine's fit)", l.Loss, got, want)
		}
	}

	// Keyboard fallback: the outlier's number box.
	tab.do(t, "outlier box", chromedp.Evaluate[chromedp.Void](`(function () {
		var e = document.getElementById('cmp-outlier'); e.value = '-2';
		e.dispatchEvent(new Event('input', {bubbles: true})); })()`))
	frames = compareWaitFit(t, tab, frames)
	low := compareText(t, tab, "fit-slope-MSELoss")
	if low == settled {
		t.Errorf("MSE slope %s unchanged after the outlier moved from y = 6 to y = -2", low)
	}
	tab.screenshot(t, "compare-regression-outlier-low")

	// Drag the outlier up with the mouse.
	xy := tab.eval(t, `(function () {
		document.querySelector('[data-cmp-chart=fit]').scrollIntoView({block: 'center'});
		var c = echarts.getInstanceByDom(document.querySelector('[data-cmp-chart=fit]'));
		var p = c.convertToPixel({seriesId: 'outlier'}, [3, -2]);
		var r = document.querySelector('[data-cmp-chart=fit]').getBoundingClientRect();
		return (r.left + p[0]) + ',' + (r.top + p[1]) + ',' + (r.top + c.convertToPixel({seriesId: 'outlier'}, [3, 8])[1]);
	})()`)
	var x, y0, y1 float64
	if _, err := fmt.Sscanf(xy, "%g,%g,%g", &x, &y0, &y1); err != nil {
		t.Fatalf("outlier position %q: %v", xy, err)
	}
	actions := []chromedp.Action[chromedp.Void]{
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x, y0),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, x, y0, chromedp.ButtonLeft),
	}
	for i := 1; i <= 10; i++ {
		actions = append(actions, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x, y0+(y1-y0)*float64(i)/10, chromedp.ButtonLeft))
	}
	actions = append(actions, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, x, y1, chromedp.ButtonLeft))
	tab.do(t, "drag the outlier", actions...)
	if got := tab.eval(t, `document.getElementById('cmp-outlier').value`); got == "-2" {
		t.Errorf("outlier box = %s after dragging the outlier up; want it to follow", got)
	}
	compareWaitFit(t, tab, frames)
	if high := compareText(t, tab, "fit-slope-MSELoss"); high == low {
		t.Errorf("MSE slope %s unchanged after dragging the outlier", high)
	}
	tab.screenshot(t, "compare-regression-dragged")
	tab.checkNoErrors(t)
}

// Editing the logits recomputes the classification table through the
// socket; a bad logit names its field.
func TestBrowserCompareClassificationEdit(t *testing.T) {
	browser, base := uiBrowser(t)
	tab := openTab(t, browser)
	tab.do(t, "navigate", chromedp.Navigate(base+"/compare/classification"))
	compareWaitReady(t, tab)
	s := compare.ClassificationSettings{Logits: []float64{0, 3, 1, -1}, Target: 1}
	c, err := compare.Classify(s)
	if err != nil {
		t.Fatal(err)
	}
	tab.do(t, "edit logits", chromedp.Evaluate[chromedp.Void](`(function () {
		var e = document.getElementById('cmp-logits'); e.value = '0, 3, 1, -1';
		e.dispatchEvent(new Event('input', {bubbles: true})); })()`))
	want := compareFormat(c.Losses[0].Value)
	js := `(document.querySelector('[data-testid="value-CrossEntropyLoss"]') || {}).textContent === ` + jsString(want) +
		` && !!document.querySelector('[data-testid="grad-MultiMarginLoss-3"]')`
	if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(8*time.Second))); err != nil {
		t.Fatalf("CE shown = %s; want %s (%v)", compareText(t, tab, "value-CrossEntropyLoss"), want, err)
	}
	tab.do(t, "bad logit", chromedp.Evaluate[chromedp.Void](`(function () {
		var e = document.getElementById('cmp-logits'); e.value = '0, 3, x';
		e.dispatchEvent(new Event('input', {bubbles: true})); })()`))
	if got := compareText(t, tab, "compare-error"); got != `logits[2]: must be a number, got "x"` {
		t.Errorf("error shown = %q; want logits[2] named", got)
	}
	tab.screenshot(t, "compare-classification-edited")
	tab.checkNoErrors(t)
}

// The margin slider reads the losses out at the new margin, and the theme
// switch redraws the charts in the dark palette.
func TestBrowserCompareMarginAndTheme(t *testing.T) {
	browser, base := uiBrowser(t)
	tab := openTab(t, browser)
	tab.do(t, "navigate", chromedp.Navigate(base+"/compare/margin?theme=light"))
	compareWaitReady(t, tab)
	tab.do(t, "move the margin slider", chromedp.Evaluate[chromedp.Void](`(function () {
		var e = document.getElementById('cmp-at-range'); e.value = '-1';
		e.dispatchEvent(new Event('input', {bubbles: true})); })()`))
	// hinge max(0, 1 − (−1)) = 2; soft margin log(1 + e) = 1.3133.
	js := `document.querySelector('[data-testid="margin-value-hinge"]').textContent === '2.0000' &&
		document.querySelector('[data-testid="margin-value-soft margin"]').textContent === '1.3133' &&
		document.getElementById('cmp-at').value === '-1'`
	if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(8*time.Second))); err != nil {
		t.Errorf("hinge shown = %s; want 2.0000 (beside 1.3133) at y·x = -1 (%v)", compareText(t, tab, "margin-value-hinge"), err)
	}
	tab.do(t, "switch to dark", chromedp.Click(chromedp.CSS(`[data-theme-link=dark]`)))
	js = `window.lossCompare.state().theme === 'dark' &&
		echarts.getInstanceByDom(document.querySelector('[data-cmp-chart=margin]')).getOption().backgroundColor === ` + jsString(compare.PaletteFor("dark").Background)
	if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(8*time.Second))); err != nil {
		t.Errorf("charts not redrawn dark after the theme switch: %v", err)
	}
	if got := tab.eval(t, `new URLSearchParams(location.search).get('at')`); got != "-1" {
		t.Errorf("URL at = %s; want -1 (the state is in the URL)", got)
	}
	tab.screenshot(t, "compare-margin-switched-dark")
	tab.checkNoErrors(t)
}

// Retyping the logits one character at a time keeps the class the reader
// chose as target; while the logits are not valid settings (one class),
// the address bar keeps the last valid ones, so it never holds a link
// that answers 400; and it gains no lang the reader did not choose.
func TestBrowserCompareClassificationRetype(t *testing.T) {
	browser, base := uiBrowser(t)
	tab := openTab(t, browser)
	tab.do(t, "navigate", chromedp.Navigate(base+"/compare/classification"))
	compareWaitReady(t, tab)
	settled := `new URLSearchParams(location.search).get('logits') === %s`
	tab.do(t, "choose target 2", chromedp.Evaluate[chromedp.Void](`(function () {
		var e = document.getElementById('cmp-target'); e.value = '2';
		e.dispatchEvent(new Event('change', {bubbles: true})); })()`))
	tab.waitTrue(t, "target 2 in the address bar", `new URLSearchParams(location.search).get('target') === '2'`)
	valid := ""
	for _, text := range []string{"", "1", "1,", "1, 2", "1, 2,", "1, 2, 4"} {
		tab.do(t, "type "+text, chromedp.Evaluate[chromedp.Void](`(function () {
			var e = document.getElementById('cmp-logits'); e.value = `+jsString(text)+`;
			e.dispatchEvent(new Event('input', {bubbles: true})); })()`))
		logits := strings.Join(strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' }), ",")
		if strings.Count(logits, ",") >= 1 { // two classes or more: valid settings
			valid = logits
			tab.waitTrue(t, "settings "+text, fmt.Sprintf(settled, jsString(logits)))
		} else {
			tab.waitTrue(t, "error for "+jsString(text), `!document.querySelector('[data-testid=compare-error]').hidden`)
		}
		q := tab.eval(t, `location.search`)
		u, _ := url.ParseQuery(strings.TrimPrefix(q, "?"))
		if valid != "" && u.Get("logits") != valid {
			t.Errorf("after typing %q: address bar logits = %q; want the last valid %q", text, u.Get("logits"), valid)
		}
		if u.Has("lang") {
			t.Errorf("after typing %q: address bar %s has a lang the reader never chose", text, q)
		}
		resp, err := http.Get(base + "/compare/classification" + q)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("after typing %q: the address bar's link %s answers %d", text, q, resp.StatusCode)
		}
	}
	if got := tab.eval(t, `document.getElementById('cmp-target').value + ' ' + new URLSearchParams(location.search).get('target')`); got != "2 2" {
		t.Errorf("target (select, address bar) = %s; want the chosen 2 again once there are three classes", got)
	}
	tab.checkNoErrors(t)
}

// A loss page whose reader never chose a language writes none into its
// permalink; one that did keeps it.
func TestBrowserPermalinkLang(t *testing.T) {
	browser, base := uiBrowser(t)
	for _, test := range []struct{ query, want string }{{"", ""}, {"?lang=zh", "zh"}, {"?lang=en", "en"}} {
		t.Run(test.query, func(t *testing.T) {
			tab := openTab(t, browser)
			tab.do(t, "navigate", chromedp.Navigate(base+"/losses/mse"+test.query))
			tab.waitReady(t)
			tab.do(t, "choose sum", chromedp.SetValue(chromedp.ID("p-reduction"), "sum"),
				chromedp.Evaluate[chromedp.Void](`document.getElementById('p-reduction').dispatchEvent(new Event('change', {bubbles: true}))`))
			tab.waitTrue(t, "permalink", `new URLSearchParams(location.search).get('reduction') === 'sum'`)
			if got := tab.eval(t, `new URLSearchParams(location.search).get('lang') || ''`); got != test.want {
				t.Errorf("permalink lang = %q; want %q", got, test.want)
			}
			if got := tab.eval(t, `(document.querySelector('a[data-chart-image]') || {}).href || ''`); strings.Contains(got, "lang=") != (test.want != "") {
				t.Errorf("image link %s; want lang=%s only if chosen", got, test.want)
			}
		})
	}
}

// A live update merges into the chart drawn at load, as on the loss pages:
// the same ECharts instance takes the new numbers and keeps what it had
// (here a marker graphic the test adds; a redraw from scratch drops it),
// and a dark chart stays dark.
func TestBrowserCompareChartsMergeInPlace(t *testing.T) {
	browser, base := uiBrowser(t)
	dark := compare.PaletteFor("dark").Background
	for _, test := range []struct{ name, path, chart, input, value string }{
		{"regression", "/compare/regression?theme=dark", "loss", "cmp-beta", "2"},
		{"classification", "/compare/classification?theme=dark", "gradient", "cmp-logits", "0, 3, 1, -1"},
		{"margin", "/compare/margin?theme=dark", "margin", "cmp-at", "-1"},
	} {
		t.Run(test.name, func(t *testing.T) {
			tab := openTab(t, browser)
			tab.do(t, "navigate", chromedp.Navigate(base+test.path))
			compareWaitReady(t, tab)
			chart := `echarts.getInstanceByDom(document.querySelector('[data-cmp-chart=` + test.chart + `]'))`
			tab.eval(t, `(function () {
				var c = `+chart+`;
				window.__chart = c;
				window.__series = JSON.stringify(c.getOption().series);
				c.setOption({graphic: [{id: 'test-marker', type: 'rect', invisible: true, shape: {x: 0, y: 0, width: 1, height: 1}}]});
				var e = document.getElementById(`+jsString(test.input)+`); e.value = `+jsString(test.value)+`;
				e.dispatchEvent(new Event('input', {bubbles: true}));
				return "";
			})()`)
			tab.waitTrue(t, "chart updated", `JSON.stringify(`+chart+`.getOption().series) !== window.__series`)
			if got := tab.eval(t, `String(`+chart+` === window.__chart)`); got != "true" {
				t.Errorf("%s chart is a new ECharts instance after the update; want the one drawn at load", test.chart)
			}
			marker := `String((` + chart + `.getOption().graphic || []).some(function (g) { return (g.elements || [g]).some(function (e) { return e.id === 'test-marker'; }); }))`
			if got := tab.eval(t, marker); got != "true" {
				t.Errorf("%s chart lost the test's marker graphic on update: got %s; want it kept (merge, not a redraw from scratch)", test.chart, got)
			}
			if got := tab.eval(t, chart+`.getOption().backgroundColor`); got != dark {
				t.Errorf("%s chart background after the update = %s; want the dark %s", test.chart, got, dark)
			}
			tab.checkNoErrors(t)
		})
	}
}
