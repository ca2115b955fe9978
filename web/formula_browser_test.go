package web

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// uiFormulaOverflow lists the formulas wider than their box, as
// "data-latex: content px > box px": a catalog card's formula must fit
// inside its card (a card is a link, so its formula cannot scroll), and a
// loss page's formula must fit its box without scrolling, wrapping
// instead. TestBrowserEveryPageLoads runs it at 1280 and 375 px.
const uiFormulaOverflow = `(function () {
	var bad = [];
	document.querySelectorAll('.card-formula, .formula .math.display').forEach(function (el) {
		var box = el.classList.contains('card-formula') ? el.closest('.card a') : el;
		var limit = box.getBoundingClientRect().right + 0.5;
		var right = 0;
		el.querySelectorAll('.katex-html > *').forEach(function (p) { right = Math.max(right, p.getBoundingClientRect().right); });
		if (el.scrollWidth > el.clientWidth + 1 || right > limit) {
			var m = el.matches('.math') ? el : el.querySelector('.math');
			bad.push((m ? m.dataset.latex : '?').slice(0, 40) + ': right edge ' + Math.round(right) + ' > ' + Math.round(limit) + ', scroll ' + el.scrollWidth + ' > ' + el.clientWidth);
		}
	});
	return JSON.stringify(bad);
})()`

// checkFormulasFit fails with every formula of the tab's page that is
// wider than its box at the page's current width.
func checkFormulasFit(t *testing.T, tab *uiTab, width int) {
	t.Helper()
	if _, err := chromedp.Run(tab.ctx, chromedp.Evaluate[bool](`document.fonts.ready.then(function () { return true; })`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatal(err)
	}
	var bad []string
	if err := json.Unmarshal([]byte(tab.eval(t, uiFormulaOverflow)), &bad); err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Errorf("at %d px, formulas wider than their box:\n%s", width, strings.Join(bad, "\n"))
	}
}

// resizeTo gives the tab's page a width of its own, as a window resized
// or a phone turned, and waits until the page has laid out at it.
func (tab *uiTab) resizeTo(t *testing.T, width, height int64) {
	t.Helper()
	tab.do(t, fmt.Sprintf("resize to %d px", width), chromedp.EmulateViewport(width, height))
	// Two frames: the resize, then what the page's observers (charts,
	// editors) laid out in answer to it.
	waitFrames(t, tab)
	if got := tab.eval(t, `String(innerWidth)`); got != fmt.Sprint(width) {
		t.Fatalf("resize to %d px: innerWidth = %s", width, got)
	}
}

// waitFrames waits until the tab's page has drawn two more frames.
func waitFrames(t testing.TB, tab *uiTab) {
	t.Helper()
	js := `new Promise(function (ok) { requestAnimationFrame(function () { requestAnimationFrame(function () { ok(true); }); }); })`
	if _, err := chromedp.Run(tab.ctx, chromedp.Evaluate[bool](js, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("waiting for two frames: %v", err)
	}
}
