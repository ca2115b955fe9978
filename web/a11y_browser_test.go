package web

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// uiAxePath is axe-core, pinned by package-lock.json and installed by
// `make assets` (npm ci); the test reads it from disk and injects it.
const uiAxePath = "node_modules/axe-core/axe.min.js"

// uiAxeTimeout bounds one page's load and axe run: the catalog's run took
// over 20 s with the whole suite running on a loaded 2-core machine.
const uiAxeTimeout = 90 * time.Second

// uiAxeRun runs the axe-core rule sets every page must pass: WCAG 2.x A
// and AA (color-contrast, scrollable-region-focusable, empty-table-header
// ...), plus page-has-heading-one, which is a best practice.
//
// KaTeX's visual markup (.katex-html, hidden from assistive technology;
// the MathML beside it is what they read) is left out of the run: it is
// thousands of positioned spans on the catalog, which took axe past the
// tab's time limit, and its colour is the surrounding text's, checked
// there.
const uiAxeRun = `axe.run({exclude: [".katex-html"]}, {
	runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
	rules: {"page-has-heading-one": {enabled: true}, "heading-order": {enabled: true}, "empty-table-header": {enabled: true}, "scrollable-region-focusable": {enabled: true}},
	resultTypes: ["violations"]
}).then(uiAxeReport)`

// uiAxeLayoutRun runs the rules whose outcome a theme or a width can
// change: colours (a dark theme), and what overlaps, scrolls or wraps (a
// phone). The structure (names, roles, headings, labels) is the same
// markup in every theme and width, and uiAxeRun checks it once.
const uiAxeLayoutRun = `axe.run({exclude: [".katex-html"]}, {
	runOnly: {type: "rule", values: ["color-contrast", "link-in-text-block", "scrollable-region-focusable", "meta-viewport", "target-size"]},
	resultTypes: ["violations"]
}).then(uiAxeReport)`

// uiAxeReport turns axe's violations into lines for t.Errorf.
const uiAxeReport = `function uiAxeReport(r) {
	return JSON.stringify(r.violations.map(function (v) {
		return v.id + " (" + v.impact + "): " + v.help + "\n      " + v.nodes.slice(0, 4).map(function (n) {
			return n.target.join(" ") + (n.failureSummary ? " — " + n.failureSummary.replace(/\s+/g, " ").slice(0, 160) : "");
		}).join("\n      ");
	}));
}`

// TestBrowserAccessibility runs axe-core on every kind of page, in both
// themes and at a phone's width, and fails on any violation; it also
// checks that the keyboard focus ring stands out (3:1) from what
// surrounds it. Every page gets all the rules once, in the light theme at
// 1280 px; the dark theme and 375 px get the rules that colours and
// layout decide (uiAxeLayoutRun). A page checked at both widths is loaded
// once and narrowed in place, as a phone turned or a window resized.
func TestBrowserAccessibility(t *testing.T) {
	t.Parallel() // its pages run beside the tests that mostly wait
	axe, err := os.ReadFile(uiAxePath)
	if err != nil {
		t.Fatalf("axe-core: %v (run `make assets`)", err)
	}
	browser, base := uiBrowser(t)
	pages := []string{
		"/", "/losses/cross-entropy", "/losses/smooth-l1", "/losses/ctc", "/losses/triplet-margin",
		"/embed/huber", "/lessons/smooth-l1", "/lessons/cross-entropy?lang=zh",
		"/compare/regression", "/compare/classification", "/compare/margin",
		"/intro", "/losses/huber?lang=zh", "/compose", "/compose?lang=zh&formula=frob(input)",
	}
	// The dark theme changes colours, not structure: one page of each
	// template is enough for its contrast.
	dark := []string{"/", "/losses/cross-entropy", "/losses/ctc", "/embed/huber", "/lessons/smooth-l1", "/compare/regression", "/intro", "/compose"}
	// A phone's width, where wide tensors, tables and formulas scroll.
	narrow := map[string]bool{"/": true, "/losses/triplet-margin": true, "/lessons/cross-entropy?lang=zh": true, "/compare/regression": true, "/compare/classification": true, "/compare/margin": true, "/compose": true}
	type run struct {
		theme string
		pages []string
		rules string
	}
	for _, v := range []run{{"light", pages, uiAxeRun}, {"dark", dark, uiAxeLayoutRun}} {
		for _, path := range v.pages {
			t.Run(v.theme+path, func(t *testing.T) {
				t.Parallel() // a page of its own in a tab of its own
				sep := "?"
				if strings.Contains(path, "?") {
					sep = "&"
				}
				tab := openTabFor(t, browser, uiAxeTimeout)
				tab.do(t, "viewport", chromedp.EmulateViewport(1280, 900))
				tab.do(t, "navigate", chromedp.Navigate(base+path+sep+"theme="+v.theme))
				if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](`document.readyState === 'complete'`)); err != nil {
					t.Fatal(err)
				}
				tab.do(t, "inject axe", chromedp.Evaluate[chromedp.Void](string(axe)+";"+uiAxeReport))
				checkAxe(t, tab, "1280 px", v.rules)
				if v.theme != "light" || !narrow[path] {
					return
				}
				tab.resizeTo(t, 375, 900)
				checkAxe(t, tab, "375 px", uiAxeLayoutRun)
			})
		}
	}
}

// checkAxe runs the axe rules of js on the tab's page and the focus ring
// check, and reports every violation, prefixed with where.
func checkAxe(t *testing.T, tab *uiTab, where, js string) {
	t.Helper()
	out, err := chromedp.Run(tab.ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe.run: %v", where, err)
	}
	var violations []string
	if err := json.Unmarshal([]byte(out), &violations); err != nil {
		t.Fatal(err)
	}
	for _, v := range violations {
		t.Errorf("%s: %s", where, v)
	}
	if ratio := focusRingContrast(t, tab); ratio < 3 {
		t.Errorf("%s: focus ring contrast = %.2f:1 against the page; want at least 3:1", where, ratio)
	}
}

// focusRingContrast focuses the page's first link with the keyboard and
// returns the contrast between its outline colour and the background
// behind the element (the outline is drawn outside it).
func focusRingContrast(t *testing.T, tab *uiTab) float64 {
	t.Helper()
	js := `(function () {
		var a = Array.from(document.querySelectorAll('main a[href], main button, main input')).find(function (e) {
			return e.getClientRects().length > 0 && !e.disabled;
		});
		if (!a) return "";
		a.focus({focusVisible: true});
		if (document.activeElement !== a) return JSON.stringify({outline: "", style: "not focused: " + a.outerHTML.slice(0, 80), bg: ""});
		var cs = getComputedStyle(a);
		var bg = "", el = a.parentElement;
		while (el) {
			var c = getComputedStyle(el).backgroundColor;
			if (c && c !== "rgba(0, 0, 0, 0)" && c !== "transparent") { bg = c; break; }
			el = el.parentElement;
		}
		return JSON.stringify({outline: cs.outlineColor, style: cs.outlineStyle, bg: bg || "rgb(255, 255, 255)"});
	})()`
	var got struct{ Outline, Style, Bg string }
	out := tab.eval(t, js)
	if out == "" {
		t.Fatal("no focusable element in main")
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Style == "none" || strings.HasPrefix(got.Style, "not focused") {
		t.Errorf("focused element has no outline (%s)", out)
		return 0
	}
	return contrastRatio(parseRGB(t, got.Outline), parseRGB(t, got.Bg))
}

func parseRGB(t *testing.T, css string) [3]float64 {
	t.Helper()
	var c [3]float64
	var a float64
	if n, _ := fmt.Sscanf(css, "rgb(%f, %f, %f)", &c[0], &c[1], &c[2]); n == 3 {
		return c
	}
	if n, _ := fmt.Sscanf(css, "rgba(%f, %f, %f, %f)", &c[0], &c[1], &c[2], &a); n == 4 {
		return c
	}
	t.Fatalf("cannot parse colour %q", css)
	return c
}

// contrastRatio is WCAG 2's contrast ratio of two sRGB colours (0-255).
func contrastRatio(a, b [3]float64) float64 {
	lum := func(c [3]float64) float64 {
		var l [3]float64
		for i, v := range c {
			v /= 255
			if v <= 0.03928 {
				l[i] = v / 12.92
			} else {
				l[i] = math.Pow((v+0.055)/1.055, 2.4)
			}
		}
		return 0.2126*l[0] + 0.7152*l[1] + 0.0722*l[2]
	}
	la, lb := lum(a), lum(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}
