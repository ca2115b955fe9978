package web

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/lossplayground/playground/engine"
)

// TestBrowserFormulasFit opens the catalog and every loss page at a phone's
// width (375 px) and a laptop's (1280 px): every card formula fits inside
// its card (a card is a link, so its formula cannot scroll), and the loss
// page's formula fits its box without scrolling, wrapping instead.
func TestBrowserFormulasFit(t *testing.T) {
	browser, base := uiBrowser(t)
	pages := []string{"/"}
	for _, s := range engine.All() {
		pages = append(pages, "/losses/"+s.Slug)
	}
	// overflow lists the formulas wider than their box, as
	// "data-latex: content px > box px".
	const overflow = `(function () {
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
	// At 1280 px the loss pages' formula boxes are over 1000 px wide; the
	// catalog's cards are what can overflow there.
	for _, width := range []int64{375, 1280} {
		for _, path := range pages {
			if width > 375 && path != "/" {
				continue
			}
			t.Run(fmt.Sprintf("%d%s", width, path), func(t *testing.T) {
				t.Parallel() // a page of its own in a tab of its own
				tab := openTab(t, browser)
				tab.do(t, "viewport", chromedp.EmulateViewport(width, 800))
				tab.do(t, "navigate", chromedp.Navigate(base+path))
				tab.waitReady(t)
				if _, err := chromedp.Run(tab.ctx, chromedp.Evaluate[bool](`document.fonts.ready.then(function () { return true; })`, chromedp.EvalAwaitPromise)); err != nil {
					t.Fatal(err)
				}
				var bad []string
				if err := json.Unmarshal([]byte(tab.eval(t, overflow)), &bad); err != nil {
					t.Fatal(err)
				}
				if len(bad) > 0 {
					t.Errorf("at %d px, formulas wider than their box:\n%s", width, strings.Join(bad, "\n"))
				}
				if n := tab.eval(t, `String(document.querySelectorAll('.card-formula .math.typeset, .formula .math.typeset').length)`); n == "0" {
					t.Errorf("no typeset formula on %s", path)
				}
				if width == 375 && (path == "/" || path == "/losses/cross-entropy" || path == "/losses/gaussian-nll") {
					tab.screenshot(t, fmt.Sprintf("formulas-375%s", strings.ReplaceAll(path, "/", "-")))
				}
				tab.checkNoErrors(t)
			})
		}
	}
}
