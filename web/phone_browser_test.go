package web

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/lossplayground/playground/engine"
)

// chartLayoutJS reports every drawn chart's plot area (the grid's height)
// and the boxes of its texts, as ECharts laid them out.
const chartLayoutJS = `new Promise(function (done) {
	function ready() {
		var els = document.querySelectorAll('.chart[data-chart]');
		if (!els.length) return false;
		for (var i = 0; i < els.length; i++) {
			if (els[i].dataset.drawn && els[i].lpChart) continue;
			// Scrolled to, as the student would: a chart that needs an
			// ECharts part waits for it until it comes into sight.
			els[i].scrollIntoView({block: 'nearest'});
			return false;
		}
		return true;
	}
	function measure() {
		var out = [];
		document.querySelectorAll('.chart[data-chart]').forEach(function (el) {
			var ch = el.lpChart;
			var grid = ch.getModel().getComponent('grid', 0);
			var rect = grid && grid.coordinateSystem ? grid.coordinateSystem.getRect() : null;
			var vm = ch.getModel().getComponent('visualMap', 0);
			var texts = [];
			ch.getZr().storage.getDisplayList(true).forEach(function (d) {
				if ((d.type !== 'text' && d.type !== 'tspan') || d.invisible || d.ignore || !d.style || !String(d.style.text || '').trim()) return;
				var b = d.getBoundingRect(), m = d.getComputedTransform();
				var pts = [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height], [b.x, b.y + b.height]].map(function (p) {
					return m ? [m[0] * p[0] + m[2] * p[1] + m[4], m[1] * p[0] + m[3] * p[1] + m[5]] : p;
				});
				texts.push({t: String(d.style.text).slice(0, 40), pts: pts});
			});
			out.push({id: el.dataset.chart, plot: rect ? rect.height : -1, width: el.clientWidth, height: el.clientHeight, texts: texts});
		});
		done(JSON.stringify(out));
	}
	(function wait() {
		if (!ready()) return setTimeout(wait, 50);
		requestAnimationFrame(function () { requestAnimationFrame(measure); });
	})();
})`

// layoutText is a text's box on the page: four corners, a rotated
// rectangle for a rotated axis label.
type layoutText struct {
	T   string
	Pts [4][2]float64
}

// overlap is how deep two convex quads overlap along the axis that
// separates them best (separating axis theorem), in pixels: at most 0
// when they do not touch.
func overlap(a, b [4][2]float64) float64 {
	depth := math.Inf(1)
	for _, q := range [][4][2]float64{a, b} {
		for i := range 4 {
			ex, ey := q[(i+1)%4][0]-q[i][0], q[(i+1)%4][1]-q[i][1]
			n := math.Hypot(ex, ey)
			if n == 0 {
				continue
			}
			ax, ay := -ey/n, ex/n
			lo1, hi1, lo2, hi2 := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
			for _, p := range a {
				v := p[0]*ax + p[1]*ay
				lo1, hi1 = math.Min(lo1, v), math.Max(hi1, v)
			}
			for _, p := range b {
				v := p[0]*ax + p[1]*ay
				lo2, hi2 = math.Min(lo2, v), math.Max(hi2, v)
			}
			depth = math.Min(depth, math.Min(hi1, hi2)-math.Max(lo1, lo2))
		}
	}
	return depth
}

type chartLayout struct {
	ID            string
	Plot          float64
	Width, Height float64
	Texts         []layoutText
}

// overlaps returns the pairs of texts whose boxes overlap by more than 2
// px (boxes that touch, and glyph overhang, do not count).
func (c chartLayout) overlaps() []string {
	var out []string
	for i, a := range c.Texts {
		for _, b := range c.Texts[i+1:] {
			if d := overlap(a.Pts, b.Pts); d > 2 {
				out = append(out, fmt.Sprintf("%q over %q (%.0f px)", a.T, b.T, d))
			}
		}
	}
	return out
}

func measureCharts(t *testing.T, tab *uiTab) []chartLayout {
	t.Helper()
	raw, err := chromedp.Run(tab.ctx, chromedp.Evaluate[string](chartLayoutJS, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("measure charts: %v", err)
	}
	var got []chartLayout
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatal(err)
	}
	return got
}

// phonePages are the loss pages whose charts crowd most on a phone: long
// titles and subtitles, legends of several series, CTC's lattice.
var phonePages = []string{"/losses/cross-entropy", "/losses/ctc", "/losses/triplet-margin-with-distance", "/losses/bce-with-logits?lang=zh"}

// minPlotPx is the least plot height a chart keeps on a phone.
const minPlotPx = 160

// TestBrowserPhoneCharts loads loss pages at 375 px: every chart keeps a
// plot area at least minPlotPx tall, and no two of its texts overlap.
// LP_PHONE_ALL=1 checks every loss, in both languages.
func TestBrowserPhoneCharts(t *testing.T) {
	browser, base := uiBrowser(t)
	pages := phonePages
	if os.Getenv("LP_PHONE_ALL") == "1" {
		pages = nil
		for _, lang := range []string{"en", "zh"} {
			for _, s := range phoneAllSlugs() {
				pages = append(pages, "/losses/"+s+"?lang="+lang)
			}
		}
	}
	for _, path := range pages {
		t.Run(strings.TrimPrefix(path, "/losses/"), func(t *testing.T) {
			tab := openTab(t, browser)
			tab.do(t, "phone", chromedp.EmulateViewport(375, 740), chromedp.Navigate(base+path))
			tab.waitReady(t)
			for _, c := range measureCharts(t, tab) {
				t.Logf("%s %s: plot %.0f px of %.0f×%.0f, %d texts", path, c.ID, c.Plot, c.Width, c.Height, len(c.Texts))
				if c.Plot >= 0 && c.Plot < minPlotPx {
					t.Errorf("%s: plot area %.0f px tall; want at least %d", c.ID, c.Plot, minPlotPx)
				}
				for _, o := range c.overlaps() {
					t.Errorf("%s: labels overlap: %s", c.ID, o)
				}
			}
			tab.checkNoErrors(t)
		})
	}
}

func phoneAllSlugs() []string {
	var out []string
	for _, s := range engine.All() {
		out = append(out, s.Slug)
	}
	return out
}

// TestBrowserPhoneLayout checks a phone's page furniture at 375 px: no
// page scrolls sideways (bce-with-logits' lesson has a long inline code
// span), and the offline notice does not push the result panel down.
func TestBrowserPhoneLayout(t *testing.T) {
	browser, base := uiBrowser(t)
	tab := openTab(t, browser)
	tab.do(t, "phone", chromedp.EmulateViewport(375, 740), chromedp.Navigate(base+"/losses/bce-with-logits"))
	tab.waitReady(t)
	if got := tab.eval(t, `document.documentElement.scrollWidth + ' ' + innerWidth`); got != "375 375" {
		t.Errorf("page width, window width = %s; want no sideways scroll (375 375)", got)
	}
	moved := tab.eval(t, `(function () {
		var panel = document.getElementById('result-panel'), conn = document.querySelector('[data-testid=conn-status]');
		var before = panel.getBoundingClientRect().top;
		conn.hidden = false;
		var after = panel.getBoundingClientRect().top;
		conn.hidden = true;
		return String(Math.round(after - before));
	})()`)
	if moved != "0" {
		t.Errorf("offline notice moves the result panel by %s px; want 0", moved)
	}
	tab.checkNoErrors(t)
}
