package web

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserTooltipsLoadOnReach checks the ECharts part that loads on
// demand and that no other browser test reaches: tooltips and the toolbox
// (web/ui/echarts-parts/interaction.js), which come with the student's
// first pointer on a chart and must then be in every chart's option.
// (The SVG part is TestBrowserChartDownloads', the heatmap part
// TestBrowserCTCLattice's.)
func TestBrowserTooltipsLoadOnReach(t *testing.T) {
	browser, base := uiBrowser(t)
	tab := openTab(t, browser)
	tab.do(t, "navigate", chromedp.Navigate(base+"/losses/mse"))
	tab.waitReady(t)
	drawn := `!!document.querySelector('.chart[data-drawn="1"] canvas')`
	if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](drawn, chromedp.WithPollingTimeout(8*time.Second))); err != nil {
		t.Fatalf("the MSE page drew no chart: %v", err)
	}
	const tooltips = `Array.from(document.querySelectorAll('.chart[data-drawn="1"]')).map(function (el) {
		var c = echarts.getInstanceByDom(el);
		return c && (c.getOption().tooltip || []).length > 0 ? "tooltip" : "none";
	}).join(" ")`
	// Before it, the part is not loaded: a page nobody points at does
	// not download it.
	if got := tab.eval(t, tooltips); got == "" || strings.Contains(got, "tooltip") {
		t.Fatalf("charts' tooltips before any pointer = %q; want charts, none with a tooltip", got)
	}
	tab.eval(t, `document.querySelector('.chart[data-drawn="1"] canvas').dispatchEvent(new PointerEvent("pointerover", {bubbles: true})), ""`)
	every := `(` + tooltips + `).split(" ").every(function (s) { return s === "tooltip"; })`
	if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](every, chromedp.WithPollingTimeout(8*time.Second))); err != nil {
		t.Errorf("charts' tooltips after a pointer on a chart = %s; want every chart with one (%v)", tab.eval(t, tooltips), err)
	}
	tab.checkNoErrors(t)
}
