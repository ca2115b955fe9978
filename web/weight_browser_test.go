package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserTooltipsLoadOnReach checks the ECharts part that loads on
// demand and that no other browser test reaches: tooltips and the toolbox
// (web/ui/echarts-parts/interaction.js), which come with the student's
// first pointer on a chart and must then be in every chart's option.
// (The SVG part is TestBrowserChartDownloads', the heatmap part
// TestBrowserCTCLattice's.) The first request for the part fails, as it
// does while the server restarts: the page asks again and the tooltips
// still come, with no uncaught error.
func TestBrowserTooltipsLoadOnReach(t *testing.T) {
	browser := sharedBrowser(t)
	app, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	routes := app.Routes()
	var down atomic.Bool
	refused := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() && strings.HasPrefix(r.URL.Path, "/static/dist/") {
			select {
			case refused <- struct{}{}:
			default:
			}
			// What the proxy in front answers while the replica restarts.
			http.Error(w, "restarting", http.StatusBadGateway)
			return
		}
		routes.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	base := srv.URL

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
	down.Store(true)
	tab.eval(t, `document.querySelector('.chart[data-drawn="1"] canvas').dispatchEvent(new PointerEvent("pointerover", {bubbles: true})), ""`)
	select {
	case <-refused:
	case <-time.After(8 * time.Second):
		t.Fatalf("no request for the tooltip part after a pointer on a chart")
	}
	down.Store(false)
	every := `(` + tooltips + `).split(" ").every(function (s) { return s === "tooltip"; })`
	if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](every, chromedp.WithPollingTimeout(8*time.Second))); err != nil {
		t.Errorf("charts' tooltips after a pointer on a chart = %s; want every chart with one (%v)", tab.eval(t, tooltips), err)
	}
	tab.checkNoErrors(t)
}
