package web

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/lossplayground/playground/engine"
)

// The drag benchmark: on every loss page, drag the first control that
// moves the loss with an input event every 16 ms for 3 s, as a student
// dragging a slider in a lecture, and report what the student sees:
//
//	go test ./web/ -run '^$' -bench BenchmarkDrag -benchtime 1x
//
// With -dragbench.url it measures a server that is already running (an
// older build, say) instead of this package's routes. The table is
// written to testdata/artifacts/dragbench.md.
var dragBenchURL = flag.String("dragbench.url", "", "measure the playground served at this URL instead of an in-process server")

const (
	dragEvery    = 16 * time.Millisecond
	dragDuration = 3 * time.Second
	// dragAmplitude is how many slider steps the drag swings either side
	// of the default value.
	dragAmplitude = 40
	// The window: a laptop's width, and tall enough to show every chart.
	dragWindowWidth, dragWindowHeight = 1280, 2400
)

// dragControl is the control a drag moves: a float parameter's slider, or
// one cell of the prediction's grid.
type dragControl struct {
	// selector finds the <input>; for a slider, values are slider
	// positions, for a cell, values typed into it.
	selector string
	slider   bool
	values   []float64 // cells only
	label    string
}

// dragPick chooses the first float parameter whose slider moves the loss
// over the swing the drag makes, else the first prediction cell nudged by
// the largest step that keeps the inputs valid and moves the loss.
func dragPick(spec *engine.Spec) (dragControl, bool) {
	steps := dragEvery
	n := int(dragDuration / steps)
	base := map[string]json.RawMessage{}
	for _, in := range spec.Inputs {
		base[in.Name], _ = json.Marshal(in.Example)
	}
	lossAt := func(params, inputs map[string]json.RawMessage) (float64, bool) {
		all := map[string]json.RawMessage{}
		for k, v := range base {
			all[k] = v
		}
		for k, v := range inputs {
			all[k] = v
		}
		c, err := engine.DecodeCall(spec, params, all)
		if err != nil {
			return 0, false
		}
		res, err := c.Compute()
		if err != nil || len(res.Loss.Data) != 1 {
			return 0, false
		}
		return res.Loss.Data[0], true
	}
	moves := func(losses []float64) bool {
		changed := 0
		for i := 1; i < len(losses); i++ {
			if losses[i] != losses[i-1] && !(math.IsNaN(losses[i]) && math.IsNaN(losses[i-1])) {
				changed++
			}
		}
		return changed >= (len(losses)-1)*9/10
	}
	call, err := engine.DecodeCall(spec, nil, base)
	if err != nil {
		return dragControl{}, false
	}
	for i := range spec.Params {
		prm := &spec.Params[i]
		if prm.Kind != engine.KindFloat {
			continue
		}
		ctl := lossControl(prm, call, nil, "", "en")
		var lo, hi, step float64
		fmt.Sscan(ctl.Min, &lo)
		fmt.Sscan(ctl.Max, &hi)
		fmt.Sscan(ctl.Step, &step)
		var losses []float64
		ok := true
		for _, v := range dragSliderValues(call.Float(prm.Name), lo, hi, step, n) {
			l, valid := lossAt(map[string]json.RawMessage{prm.Name: json.RawMessage(formatExact(v))}, nil)
			if !valid {
				ok = false
				break
			}
			losses = append(losses, l)
		}
		if ok && moves(losses) {
			return dragControl{selector: "#p-" + prm.Name + "-range", slider: true, label: "slider " + prm.Name}, true
		}
	}
	for _, in := range spec.Inputs {
		if !in.Differentiable || in.Integer {
			continue
		}
		var v0 float64
		if t := call.Input(in.Name); len(t.Data) > 0 {
			v0 = t.Data[0]
		}
		for _, d := range []float64{0.02, 0.005, 0.001} {
			var values, losses []float64
			ok := true
			for i := range n {
				v := math.Round((v0+d*dragTriangle(i))*1e6) / 1e6
				raw, _ := json.Marshal(in.Example)
				l, valid := lossAt(nil, map[string]json.RawMessage{in.Name: dragReplaceFirst(raw, v)})
				if !valid {
					ok = false
					break
				}
				values, losses = append(values, v), append(losses, l)
			}
			if ok && (spec.Name == "CTCLoss" || moves(losses)) {
				return dragControl{selector: `[data-testid=grid-` + in.Name + `] input[data-cell="0"]`, values: values,
					label: in.Name + "[0] cell"}, true
			}
		}
	}
	return dragControl{}, false
}

// dragTriangle swings 0, 1, ..., A, A-1, ..., -A, ... (A = dragAmplitude).
func dragTriangle(i int) float64 {
	p := i % (4 * dragAmplitude)
	switch {
	case p <= dragAmplitude:
		return float64(p)
	case p <= 3*dragAmplitude:
		return float64(2*dragAmplitude - p)
	default:
		return float64(p - 4*dragAmplitude)
	}
}

// dragSliderValues are the slider positions of a swing around v, kept in
// [lo, hi] by moving the swing's centre.
func dragSliderValues(v, lo, hi, step float64, n int) []float64 {
	k := math.Round((v - lo) / step)
	top := math.Floor((hi - lo) / step)
	a := math.Min(dragAmplitude, math.Floor(top/2))
	k = math.Max(a, math.Min(top-a, k))
	out := make([]float64, n)
	for i := range out {
		out[i] = lo + (k+a*dragTriangle(i)/dragAmplitude)*step
	}
	return out
}

// dragReplaceFirst replaces the first number of a JSON tensor.
func dragReplaceFirst(raw []byte, v float64) json.RawMessage {
	var x any
	json.Unmarshal(raw, &x)
	var rec func(x any) (any, bool)
	rec = func(x any) (any, bool) {
		if a, ok := x.([]any); ok {
			for i := range a {
				if y, done := rec(a[i]); done {
					a[i] = y
					return a, true
				}
			}
			return a, false
		}
		return v, true
	}
	x, _ = rec(x)
	b, _ := json.Marshal(x)
	return b
}

// dragResult is one page's measurement.
type dragResult struct {
	Page, Control  string
	Updates        float64 // loss updates painted per second during the drag
	P50, P95       float64 // input → painted, ms
	LongestTask    float64 // ms, during the drag
	JSBytes, CSSGz int64   // gzipped bytes on the wire, cold cache
	KaTeXBytes     int64   // of JSBytes, KaTeX's script (typesetting in the browser)
	CLS            float64
}

// dragHarness is installed in the page: it watches the result for loss
// updates and timestamps each just after the frame that paints it (a task
// posted from the next animation frame).
// The state id shown comes from window.lossPlayground.ids(), which both
// the old and the new scripts expose.
const dragHarness = `(function () {
	var rec = window.__drag = {inputs: {}, paints: [], longest: 0, cls: 0};
	new PerformanceObserver(function (l) { l.getEntries().forEach(function (e) { if (!e.hadRecentInput) rec.cls += e.value; }); }).observe({type: 'layout-shift', buffered: true});
	var last = null;
	new MutationObserver(function () {
		var el = document.querySelector('[data-testid=loss-value]');
		if (!el || el.dataset.exact === last) return;
		last = el.dataset.exact;
		var id = window.lossPlayground.ids().shownLoss;
		// The frame after the change runs its animation-frame callbacks
		// (ECharts draws there), then paints; a message posted from the
		// callback is handled after that paint.
		requestAnimationFrame(function () {
			var ch = new MessageChannel();
			ch.port1.onmessage = function () { rec.paints.push({t: performance.now(), id: id}); };
			ch.port2.postMessage(0);
		});
	}).observe(document.getElementById('result'), {subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['data-exact']});
	return true;
})()`

// dragRun starts the drag: events at t0 + 16 ms·i, each timestamped with
// its scheduled time, so that a blocked main thread counts against the
// page as it would for a real pointer.
const dragRun = `(function (sel, slider, values, n, every) {
	var rec = window.__drag, el = document.querySelector(sel), i = 0;
	new PerformanceObserver(function (l) { l.getEntries().forEach(function (e) { if (rec.dragging) rec.longest = Math.max(rec.longest, e.duration); }); }).observe({type: 'longtask'});
	var lo = slider ? Number(el.min) : 0, step = slider ? Number(el.step) : 0;
	rec.dragging = true;
	var t0 = rec.t0 = performance.now() + every;
	return new Promise(function (done) {
		function fire() {
			var now = performance.now();
			while (i < n && t0 + every * i <= now) {
				el.value = String(values[i]);
				el.dispatchEvent(new Event('input', {bubbles: true}));
				rec.inputs[window.lossPlayground.ids().seq] = t0 + every * i;
				i++;
			}
			if (i < n) { setTimeout(fire, Math.max(0, t0 + every * i - performance.now())); return; }
			rec.t1 = t0 + every * n;
			var wait = function () {
				var ids = window.lossPlayground.ids();
				if (ids.shownLoss >= ids.seq || performance.now() - rec.t1 > 5000) {
					requestAnimationFrame(function () { requestAnimationFrame(function () { rec.dragging = false; done(true); }); });
					return;
				}
				setTimeout(wait, 5);
			};
			wait();
		}
		setTimeout(fire, every);
	});
})`

func BenchmarkDrag(b *testing.B) {
	base := *dragBenchURL
	var browser context.Context
	if base == "" {
		browser, base = uiBrowser(b)
	} else {
		browser = sharedBrowser(b)
	}
	var results []dragResult
	for _, spec := range engine.All() {
		ctl, ok := dragPick(spec)
		if !ok {
			b.Errorf("%s: no control moves the loss", spec.Name)
			continue
		}
		for _, dtype := range []string{"", "float32"} {
			name := spec.Slug
			if dtype != "" {
				name += "/" + dtype // the same drag computed in float32 (issue 18)
			}
			b.Run(name, func(b *testing.B) {
				var r dragResult
				for b.Loop() {
					r = dragPage(b, browser, base, spec, ctl, dtype)
				}
				b.ReportMetric(r.Updates, "updates/s")
				b.ReportMetric(r.P50, "p50-ms")
				b.ReportMetric(r.P95, "p95-ms")
				b.ReportMetric(r.LongestTask, "longtask-ms")
				b.ReportMetric(float64(r.JSBytes)/1024, "js-gz-KB")
				b.ReportMetric(r.CLS, "CLS")
				results = append(results, r)
			})
		}
	}
	if len(results) == 0 {
		return
	}
	table := dragTable(results)
	b.Log("\n" + table)
	if err := os.WriteFile(filepath.Join(uiBrowserArtifact, "dragbench.md"), []byte(table), 0o644); err != nil {
		b.Error(err)
	}
}

func dragPage(b *testing.B, browser context.Context, base string, spec *engine.Spec, ctl dragControl, dtype string) dragResult {
	tab := openTab(b, browser)
	ctx, cancel := context.WithTimeout(tab.ctx, 30*time.Second)
	defer cancel()
	tab.ctx = ctx
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		b.Fatalf("network domain: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		b.Fatalf("disable cache: %v", err)
	}
	// A window tall enough for every chart to be on screen, so that the
	// drag redraws all of them (off screen they would wait).
	tab.do(b, "viewport", chromedp.EmulateViewport(dragWindowWidth, dragWindowHeight))
	page := "/losses/" + spec.Slug
	if dtype != "" {
		page += "?dtype=" + dtype
	}
	tab.do(b, "navigate", chromedp.Navigate(base+page))
	ready := `document.readyState === 'complete' && !!window.lossPlayground && window.lossPlayground.ids().wsOpen && !!document.getElementById('result')`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](ready, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		b.Fatalf("%s did not get ready: %v", spec.Slug, err)
	}
	tab.eval(b, `String(`+dragHarness+`)`)
	// Fonts and formulas settle before CLS is read.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.fonts.ready.then(function () { return new Promise(function (r) { requestAnimationFrame(function () { requestAnimationFrame(function () { r(true); }); }); }); })`, chromedp.EvalAwaitPromise)); err != nil {
		b.Fatal(err)
	}
	n := int(dragDuration / dragEvery)
	values := ctl.values
	if ctl.slider {
		// Slider positions come from the element's own range.
		vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](fmt.Sprintf(`(function () {
			var el = document.querySelector(%s), out = [];
			var lo = Number(el.min), hi = Number(el.max), step = Number(el.step), v = Number(el.value);
			var top = Math.floor((hi - lo) / step), a = Math.min(%d, Math.floor(top / 2));
			var k = Math.max(a, Math.min(top - a, Math.round((v - lo) / step)));
			for (var i = 0; i < %d; i++) {
				var p = i %% %d, tri = p <= %d ? p : p <= %d ? %d - p : p - %d;
				out.push(lo + (k + a * tri / %d) * step);
			}
			return out;
		})()`, jsString(ctl.selector), dragAmplitude, n, 4*dragAmplitude, dragAmplitude, 3*dragAmplitude, 2*dragAmplitude, 4*dragAmplitude, dragAmplitude)))
		if err != nil {
			b.Fatal(err)
		}
		values = vs
	}
	vj, _ := json.Marshal(values)
	js := fmt.Sprintf(`%s(%s, %v, %s, %d, %d)`, dragRun, jsString(ctl.selector), ctl.slider, vj, n, dragEvery.Milliseconds())
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js, chromedp.EvalAwaitPromise)); err != nil {
		b.Fatalf("%s: drag: %v", spec.Slug, err)
	}
	var rec struct {
		Inputs         map[string]float64 `json:"inputs"`
		Paints         []struct{ T, ID float64 }
		Longest        float64 `json:"longest"`
		CLS            float64 `json:"cls"`
		T0             float64 `json:"t0"`
		T1             float64 `json:"t1"`
		JS, CSS, KaTeX int64
	}
	raw := tab.eval(b, `JSON.stringify(Object.assign({}, window.__drag, {
		JS: performance.getEntriesByType('resource').filter(function (e) { return /\.m?js(\?|$)/.test(e.name); }).reduce(function (s, e) { return s + e.encodedBodySize; }, 0),
		CSS: performance.getEntriesByType('resource').filter(function (e) { return /\.css(\?|$)/.test(e.name); }).reduce(function (s, e) { return s + e.encodedBodySize; }, 0),
		KaTeX: performance.getEntriesByType('resource').filter(function (e) { return /katex[^/]*\.js(\?|$)/.test(e.name); }).reduce(function (s, e) { return s + e.encodedBodySize; }, 0)
	}))`)
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		b.Fatalf("%s: harness record: %v", spec.Slug, err)
	}
	var lat []float64
	painted, shown := 0, -1.0
	for _, p := range rec.Paints {
		// Only a newer state than the one on screen counts: an older
		// answer replacing a newer one is no progress for the student.
		if p.T < rec.T0 || p.T > rec.T1 || p.ID <= shown {
			continue
		}
		shown = p.ID
		painted++
		if t, ok := rec.Inputs[fmt.Sprint(int64(p.ID))]; ok {
			lat = append(lat, p.T-t)
		}
	}
	slices.Sort(lat)
	pct := func(q float64) float64 {
		if len(lat) == 0 {
			return math.NaN()
		}
		return lat[min(len(lat)-1, int(q*float64(len(lat))))]
	}
	tab.checkNoErrors(b)
	pageName := spec.Slug
	if dtype != "" {
		pageName += " " + dtype
	}
	return dragResult{Page: pageName, Control: ctl.label, Updates: float64(painted) / ((rec.T1 - rec.T0) / 1000),
		P50: pct(0.5), P95: pct(0.95), LongestTask: rec.Longest, JSBytes: rec.JS, CSSGz: rec.CSS, KaTeXBytes: rec.KaTeX, CLS: rec.CLS}
}

// dragTable writes the results as the README's Markdown table, with the
// median and worst rows the targets are stated for.
func dragTable(rs []dragResult) string {
	var sb strings.Builder
	sb.WriteString("| page | control dragged | updates/s | input→painted p50 ms | p95 ms | longest task ms | JS KB gz | of which KaTeX | CSS KB gz | CLS |\n")
	sb.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rs {
		fmt.Fprintf(&sb, "| %s | %s | %.1f | %.0f | %.0f | %.0f | %.0f | %.0f | %.1f | %.3f |\n",
			r.Page, r.Control, r.Updates, r.P50, r.P95, r.LongestTask, float64(r.JSBytes)/1024, float64(r.KaTeXBytes)/1024, float64(r.CSSGz)/1024, r.CLS)
	}
	col := func(f func(dragResult) float64) []float64 {
		var v []float64
		for _, r := range rs {
			v = append(v, f(r))
		}
		slices.Sort(v)
		return v
	}
	med := func(v []float64) float64 { return v[len(v)/2] }
	up := col(func(r dragResult) float64 { return r.Updates })
	p50 := col(func(r dragResult) float64 { return r.P50 })
	p95 := col(func(r dragResult) float64 { return r.P95 })
	lt := col(func(r dragResult) float64 { return r.LongestTask })
	js := col(func(r dragResult) float64 { return float64(r.JSBytes) / 1024 })
	css := col(func(r dragResult) float64 { return float64(r.CSSGz) / 1024 })
	kt := col(func(r dragResult) float64 { return float64(r.KaTeXBytes) / 1024 })
	cls := col(func(r dragResult) float64 { return r.CLS })
	fmt.Fprintf(&sb, "| **median** | | %.1f | %.0f | %.0f | %.0f | %.0f | %.0f | %.1f | %.3f |\n", med(up), med(p50), med(p95), med(lt), med(js), med(kt), med(css), med(cls))
	last := len(rs) - 1
	fmt.Fprintf(&sb, "| **worst** | | %.1f | %.0f | %.0f | %.0f | %.0f | %.0f | %.1f | %.3f |\n", up[0], p50[last], p95[last], lt[last], js[last], kt[last], css[last], cls[last])
	return sb.String()
}
