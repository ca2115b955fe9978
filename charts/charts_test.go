package charts

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/lossplayground/playground/engine"
)

// exampleInputs returns spec's example inputs as a request carries them.
func exampleInputs(t testing.TB, spec *engine.Spec) map[string]json.RawMessage {
	t.Helper()
	in := make(map[string]json.RawMessage, len(spec.Inputs))
	for _, s := range spec.Inputs {
		b, err := json.Marshal(s.Example)
		if err != nil {
			t.Fatalf("%s: example %s: %v", spec.Name, s.Name, err)
		}
		in[s.Name] = b
	}
	return in
}

// reductionsOf returns the reduction values spec offers ("" if none).
func reductionsOf(spec *engine.Spec) []string {
	if p := spec.Param("reduction"); p != nil {
		return p.Values
	}
	return []string{""}
}

// compute decodes and computes a call with detail on.
func compute(t testing.TB, spec *engine.Spec, params, inputs map[string]json.RawMessage) (*engine.Call, *engine.Result) {
	t.Helper()
	c, err := engine.DecodeCall(spec, params, inputs)
	if err != nil {
		t.Fatalf("DecodeCall(%s) = %v", spec.Name, err)
	}
	c.Detail = true
	res, err := c.Compute()
	if err != nil {
		t.Fatalf("Compute(%s) = %v", spec.Name, err)
	}
	return c, res
}

func reductionParams(red string) map[string]json.RawMessage {
	if red == "" {
		return nil
	}
	return map[string]json.RawMessage{"reduction": json.RawMessage(`"` + red + `"`)}
}

// option is a decoded chart option.
type option map[string]any

func decode(t *testing.T, id string, raw json.RawMessage) option {
	t.Helper()
	if !json.Valid(raw) {
		t.Fatalf("chart %s: invalid JSON: %.300s", id, raw)
	}
	var o option
	if err := json.Unmarshal(raw, &o); err != nil {
		t.Fatalf("chart %s: %v", id, err)
	}
	return o
}

func (o option) obj(key string) map[string]any {
	m, _ := o[key].(map[string]any)
	return m
}

func (o option) list(key string) []any {
	l, _ := o[key].([]any)
	return l
}

// checkFrame checks what every chart of a page must have: a title, axis
// names, a tooltip, the saveAsImage tool, and no JavaScript.
func checkFrame(t *testing.T, id string, raw json.RawMessage, theme string) {
	t.Helper()
	o := decode(t, id, raw)
	if s := string(raw); strings.Contains(s, `\u0000`) {
		t.Errorf("chart %s: a data placeholder was left in: %.200s", id, s)
	}
	if s := string(raw); strings.Contains(s, "function") || strings.Contains(s, "=>") {
		t.Errorf("chart %s contains JavaScript: %.200s", id, s)
	}
	if title, _ := o.obj("title")["text"].(string); title == "" {
		t.Errorf("chart %s: title.text = %q; want a title", id, title)
	}
	if show, _ := o.obj("tooltip")["show"].(bool); !show {
		t.Errorf("chart %s: tooltip.show = %v; want true", id, o.obj("tooltip")["show"])
	}
	feature, _ := o.obj("toolbox")["feature"].(map[string]any)
	if _, ok := feature["saveAsImage"]; !ok {
		t.Errorf("chart %s: toolbox.feature = %v; want saveAsImage", id, feature)
	}
	for _, axis := range []string{"xAxis", "yAxis"} {
		l := o.list(axis)
		if len(l) == 0 {
			t.Errorf("chart %s: no %s", id, axis)
			continue
		}
		if name, _ := l[0].(map[string]any)["name"].(string); name == "" {
			t.Errorf("chart %s: %s[0].name = %q; want an axis name", id, axis, name)
		}
	}
	wantBG := lightPalette.background
	if theme == "dark" {
		wantBG = darkPalette.background
	}
	if bg, _ := o["backgroundColor"].(string); bg != wantBG {
		t.Errorf("chart %s: backgroundColor = %q; want %q for theme %q", id, bg, wantBG, theme)
	}
	if len(o.list("series")) == 0 {
		t.Errorf("chart %s: no series", id)
	}
}

// TestBuildEveryLoss builds every chart of every registered loss with its
// example inputs, every reduction, both themes and with and without the
// overlay.
func TestBuildEveryLoss(t *testing.T) {
	views := []View{{}, {Theme: "dark", Overlay: true, Element: 1}, {Element: 1 << 20, Theme: "light"}}
	for _, spec := range engine.All() {
		for _, red := range reductionsOf(spec) {
			t.Run(spec.Name+"/"+red, func(t *testing.T) {
				c, res := compute(t, spec, reductionParams(red), exampleInputs(t, spec))
				for _, v := range views {
					got, err := Build(c, res, v)
					if err != nil {
						t.Fatalf("Build(%+v) = %v", v, err)
					}
					want, real := chartsOf[spec.Name]
					if real {
						if got := keys(got); !slices.Equal(got, want) {
							t.Errorf("Build(%+v) charts = %v; want %v", v, got, want)
						}
					} else if !strings.HasPrefix(spec.Name, "ChartsTest") {
						t.Fatalf("%s is not listed in chartsOf", spec.Name)
					} else {
						// A stand-in (fakes_test.go) must have at least the
						// charts its shape calls for.
						want = nil
						if firstDifferentiable(spec) >= 0 {
							want = append(want, ChartCurve, ChartElements, ChartGradient)
						}
						if familyOf(c, res) != familyNone {
							want = append(want, ChartFamily)
						}
						if hasLattice(spec, res) {
							want = append(want, ChartLattice)
						}
					}
					for _, id := range want {
						if _, ok := got[id]; !ok {
							t.Errorf("Build(%+v) has no %q chart (has %v)", v, id, keys(got))
						}
					}
					for id, raw := range got {
						checkFrame(t, id, raw, v.Theme)
					}
				}
			})
		}
	}
}

// chartsOf lists by hand the charts of each of the playground's losses,
// sorted: every loss has a curve, elements and gradient; a family view
// where its family has a picture; CTC its lattice.
var chartsOf = func() map[string][]string {
	base := []string{ChartCurve, ChartElements, ChartGradient}
	family := []string{ChartCurve, ChartElements, ChartFamily, ChartGradient}
	lattice := []string{ChartCurve, ChartElements, ChartGradient, ChartLattice}
	m := map[string][]string{"CTCLoss": lattice}
	for _, name := range []string{"HuberLoss", "L1Loss", "MSELoss", "SmoothL1Loss", "GaussianNLLLoss", "PoissonNLLLoss"} {
		m[name] = base
	}
	for _, name := range []string{"KLDivLoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "MultiLabelSoftMarginLoss",
		"NLLLoss", "HingeEmbeddingLoss", "MarginRankingLoss", "MultiLabelMarginLoss", "MultiMarginLoss", "SoftMarginLoss",
		"CosineEmbeddingLoss", "TripletMarginLoss", "TripletMarginWithDistanceLoss"} {
		m[name] = family
	}
	return m
}()

func keys(m map[string]json.RawMessage) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// curvePoint returns series[i]'s centre data point and markPoint
// coordinate of a curve option.
func curvePoint(t *testing.T, o option, i int) (data []any, mark []any) {
	t.Helper()
	s := o.list("series")[i].(map[string]any)
	d := s["data"].([]any)
	data, _ = d[len(d)/2].([]any)
	if mp, ok := s["markPoint"].(map[string]any); ok {
		if md, ok := mp["data"].([]any); ok && len(md) > 0 {
			mark, _ = md[0].(map[string]any)["coord"].([]any)
		}
	}
	return data, mark
}

// TestCurveCurrentPoint checks that the curve's current point is the
// engine's: the element's term and the derivative of its terms under
// reduction 'none', whatever the page's reduction.
func TestCurveCurrentPoint(t *testing.T) {
	for _, spec := range engine.All() {
		di := firstDifferentiable(spec)
		if di < 0 {
			continue
		}
		name := spec.Inputs[di].Name
		for _, red := range reductionsOf(spec) {
			t.Run(spec.Name+"/"+red, func(t *testing.T) {
				inputs := exampleInputs(t, spec)
				c, res := compute(t, spec, reductionParams(red), inputs)
				// The sweep computes without detail; so does the reference.
				nc, err := engine.DecodeCall(spec, reductionParams("none"), inputs)
				if err != nil {
					t.Fatal(err)
				}
				none, err := nc.Compute()
				if err != nil {
					t.Fatal(err)
				}
				x := c.Input(name)
				for k := range x.Numel() {
					js := termsOf(x.Shape, res.Elements.Shape, k)
					if len(js) == 0 {
						continue
					}
					wantY := 0.0
					for _, j := range js {
						wantY += res.Elements.Data[j]
					}
					wantD := none.Grads[name].Data[k]
					raw, err := buildCurve(context.Background(), c, res, View{Element: k}, &lightPalette)
					if err != nil {
						t.Fatalf("buildCurve(element %d) = %v", k, err)
					}
					o := decode(t, "curve", raw)
					cs, err := sweepCall(context.Background(), c, res, k, 0)
					if err != nil {
						t.Fatal(err)
					}
					wantX := x.Data[k] // drawn against the margin y·x for margin losses
					if s := cs.marginSign(); s != 0 {
						wantX, wantD = s*wantX, s*wantD
					}
					data, mark := curvePoint(t, o, 0)
					if got := data[0].(float64); !close32(got, wantX) {
						t.Errorf("element %d: centre x = %v; want %v", k, got, wantX)
					}
					if got := data[1].(float64); !close32(got, wantY) {
						t.Errorf("element %d: loss at centre = %v; want %v", k, got, wantY)
					}
					if mark == nil || mark[1].(float64) != wantY || mark[0].(float64) != wantX {
						t.Errorf("element %d: marked point = %v; want [%v %v]", k, mark, wantX, wantY)
					}
					data, mark = curvePoint(t, o, 1)
					if got := data[1].(float64); !close32(got, wantD) {
						t.Errorf("element %d: derivative at centre = %v; want %v", k, got, wantD)
					}
					if mark == nil || mark[1].(float64) != wantD {
						t.Errorf("element %d: marked derivative = %v; want %v", k, mark, wantD)
					}
				}
			})
		}
	}
}

// close32 reports whether got is want at float32 precision.
func close32(got, want float64) bool {
	return got == float64(float32(want)) || math.Abs(got-want) <= 1e-6*math.Abs(want)
}

// TestCurveSweep checks the sweep on MSE, where the formula is known: the
// curve is (x − y)², the derivative 2(x − y), and the range reaches the
// target.
func TestCurveSweep(t *testing.T) {
	spec, ok := engine.Lookup("MSELoss")
	if !ok {
		t.Fatal("MSELoss not registered")
	}
	c, res := compute(t, spec, nil, map[string]json.RawMessage{"input": json.RawMessage(`[0.5, 3]`), "target": json.RawMessage(`[1, -2]`)})
	for _, k := range []int{0, 1} {
		cs, err := sweepCall(context.Background(), c, res, k, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(cs.xs); got != curvePoints {
			t.Errorf("element %d: %d points; want %d", k, got, curvePoints)
		}
		y := c.Input("target").Data[k]
		if lo, hi := cs.xs[0], cs.xs[len(cs.xs)-1]; !(lo <= y && y <= hi) {
			t.Errorf("element %d: sweep [%v, %v] does not reach the target %v", k, lo, hi, y)
		}
		for i, x := range cs.xs {
			if want := (x - y) * (x - y); math.Abs(cs.ys[i]-want) > 1e-12 {
				t.Errorf("element %d: ℓ(%v) = %v; want %v", k, x, cs.ys[i], want)
			}
			if want := 2 * (x - y); math.Abs(cs.ds[i]-want) > 1e-12 {
				t.Errorf("element %d: ℓ'(%v) = %v; want %v", k, x, cs.ds[i], want)
			}
		}
	}
}

// TestOverlay checks that the overlay adds every other registered loss of
// the family that takes the same inputs, and no other.
func TestOverlay(t *testing.T) {
	spec, ok := engine.Lookup("MSELoss")
	if !ok {
		t.Fatal("MSELoss not registered")
	}
	c, res := compute(t, spec, nil, exampleInputs(t, spec))
	raw, err := buildCurve(context.Background(), c, res, View{Overlay: true}, &lightPalette)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range decode(t, "curve", raw).list("series")[2:] {
		got = append(got, s.(map[string]any)["name"].(string))
	}
	var want []string
	for _, s := range engine.All() {
		if s != spec && s.Family == spec.Family && sameInputs(s, spec) {
			want = append(want, s.Name)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("overlay series = %v; want %v", got, want)
	}
	if !slices.Contains(want, "L1Loss") {
		t.Errorf("related losses of MSELoss = %v; want L1Loss among them", want)
	}
}

// refusesNonFinite lists the losses that reject a NaN, infinite or huge
// first input, as PyTorch does: BCELoss takes probabilities in [0, 1].
var refusesNonFinite = map[string]bool{"BCELoss": true, "ChartsTestProbLoss": true}

// TestNonFinite checks that NaN and infinite inputs give valid JSON with
// nulls, for every loss whose inputs accept them.
func TestNonFinite(t *testing.T) {
	for _, spec := range engine.All() {
		di := firstDifferentiable(spec)
		if di < 0 {
			continue
		}
		for _, bad := range []string{`"NaN"`, `"Infinity"`, `"-Infinity"`, `1e308`} {
			t.Run(spec.Name+"/"+bad, func(t *testing.T) {
				inputs := exampleInputs(t, spec)
				name := spec.Inputs[di].Name
				x, err := engine.ParseTensor(inputs[name])
				if err != nil {
					t.Fatal(err)
				}
				b := x.AppendJSON(nil)
				// Replace the first number of the example by the bad value.
				i := strings.IndexAny(string(b), "-0123456789")
				j := i + strings.IndexAny(string(b[i:]), ",]")
				inputs[name] = json.RawMessage(string(b[:i]) + bad + string(b[j:]))
				c, err := engine.DecodeCall(spec, nil, inputs)
				var res *engine.Result
				if err == nil {
					c.Detail = true
					res, err = c.Compute()
				}
				if refuses := refusesNonFinite[spec.Name]; refuses != (err != nil) {
					t.Fatalf("%s with %s: error %v; want an error: %v", spec.Name, bad, err, refuses)
				} else if refuses {
					return
				}
				for _, v := range []View{{}, {Overlay: true, Theme: "dark"}} {
					got, err := Build(c, res, v)
					if err != nil {
						t.Fatalf("Build = %v", err)
					}
					for id, raw := range got {
						checkFrame(t, id, raw, v.Theme)
					}
					// A NaN term is drawn as a gap: null, not a string.
					if bad == `"NaN"` && math.IsNaN(res.Elements.Data[0]) {
						first := decode(t, "elements", got[ChartElements]).list("series")[0].(map[string]any)["data"].([]any)[0]
						if m, ok := first.(map[string]any); ok {
							first = m["value"]
						}
						if first != nil {
							t.Errorf("elements: NaN term drawn as %v; want null", first)
						}
					}
				}
			})
		}
	}
}

// TestViewValidate checks that bad view settings are refused with the
// field named, and that a too-large element is clamped.
func TestViewValidate(t *testing.T) {
	for _, test := range []struct {
		name  string
		view  View
		field string
	}{
		{"negative element", View{Element: -1}, "view.element"},
		{"unknown lattice", View{Lattice: "gamma"}, "view.lattice"},
		{"unknown theme", View{Theme: "solarized"}, "view.theme"},
		{"fine", View{Element: 3, Lattice: "beta", Theme: "dark"}, ""},
	} {
		t.Run(test.name, func(t *testing.T) {
			_, err := Build(nil, nil, test.view)
			var ee *engine.Error
			switch {
			case test.field == "" && err != nil:
				t.Errorf("Build(%+v) = %v; want no error", test.view, err)
			case test.field != "" && (!errors.As(err, &ee) || ee.Field != test.field):
				t.Errorf("Build(%+v) = %v; want an *engine.Error on %s", test.view, err, test.field)
			}
		})
	}
}

// TestTermsOf checks the mapping from an input element to its terms.
func TestTermsOf(t *testing.T) {
	for _, test := range []struct {
		name   string
		in, el []int
		k      int
		want   []int
	}{
		{"elementwise", []int{2, 3}, []int{2, 3}, 4, []int{4}},
		{"broadcast input", []int{3}, []int{2, 3}, 1, []int{1, 4}},
		{"class dim (N, C)", []int{2, 3}, []int{2}, 4, []int{1}},
		{"class dim (N, C, d)", []int{2, 3, 4}, []int{2, 4}, 1*12 + 2*4 + 3, []int{7}},
		{"unbatched (C)", []int{3}, []int{}, 2, []int{0}},
		{"ctc (T, N, C)", []int{5, 2, 4}, []int{2}, 1*8 + 1*4 + 3, []int{1}},
		{"square ctc (T, N, C) with T = N", []int{2, 2, 3}, []int{2}, 0*6 + 1*3 + 2, []int{1}},
		{"no terms", []int{2, 3}, []int{0}, 0, nil},
		{"unrelated shapes", []int{2, 3}, []int{5}, 0, nil},
	} {
		t.Run(test.name, func(t *testing.T) {
			if got := termsOf(test.in, test.el, test.k); !slices.Equal(got, test.want) {
				t.Errorf("termsOf(%v, %v, %d) = %v; want %v", test.in, test.el, test.k, got, test.want)
			}
		})
	}
}

// TestThumbnail checks every loss's catalog thumbnail: valid JSON, one
// curve, and no toolbox, title or axis names.
func TestThumbnail(t *testing.T) {
	for _, spec := range engine.All() {
		t.Run(spec.Name, func(t *testing.T) {
			raw, err := Thumbnail(spec)
			if err != nil {
				t.Fatalf("Thumbnail = %v", err)
			}
			o := decode(t, "thumbnail", raw)
			if show, _ := o.obj("toolbox")["show"].(bool); show {
				t.Errorf("thumbnail toolbox.show = true; want false")
			}
			if _, ok := o.obj("toolbox")["feature"]; ok {
				t.Errorf("thumbnail toolbox has features: %v", o.obj("toolbox"))
			}
			for _, axis := range []string{"xAxis", "yAxis"} {
				if name, _ := o.list(axis)[0].(map[string]any)["name"].(string); name != "" {
					t.Errorf("thumbnail %s name = %q; want none", axis, name)
				}
			}
			if firstDifferentiable(spec) >= 0 && len(o.list("series")) != 1 {
				t.Errorf("thumbnail has %d series; want 1", len(o.list("series")))
			}
			again, _ := Thumbnail(spec)
			if string(again) != string(raw) {
				t.Errorf("second Thumbnail differs from the first")
			}
		})
	}
}

// BenchmarkBuild measures Build on a default-sized MSE call (the page's
// example, and 4×16) and a CrossEntropy-like call (softmax over classes,
// the example and N=4, C=16), with the overlay on.
func BenchmarkBuild(b *testing.B) {
	for _, name := range []string{"MSELoss", "ChartsTestSoftmaxLoss"} {
		spec, ok := engine.Lookup(name)
		if !ok {
			b.Fatalf("%s not registered", name)
		}
		for _, size := range []string{"example", "4x16"} {
			b.Run(name+"/"+size, func(b *testing.B) {
				var c *engine.Call
				var err error
				if size == "example" {
					c, err = engine.DecodeCall(spec, nil, exampleInputs(b, spec))
				} else {
					c, err = engine.NewCall(spec, nil, spec.Random(rand.New(rand.NewPCG(1, 2)), engine.ScaleSmall))
				}
				if err != nil {
					b.Fatal(err)
				}
				c.Detail = true
				var res engine.Result
				if err := c.ComputeInto(&res); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				size := 0
				cpu0 := cpuTime()
				for b.Loop() {
					out, err := Build(c, &res, View{Overlay: true})
					if err != nil {
						b.Fatal(err)
					}
					size = 0
					for _, o := range out {
						size += len(o)
					}
				}
				b.ReportMetric(float64(size), "bytes")
				// CPU time per op is steadier than wall time on a shared machine.
				b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// cpuTime is the process's user and system CPU time in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// TestCurveDomain checks that a sweep that leaves the loss's domain (BCE's
// probabilities in [0, 1]) narrows to it: every point is valid, the ends
// reach the domain's edges, and the current point stays at the centre.
func TestCurveDomain(t *testing.T) {
	spec, _ := engine.Lookup("ChartsTestProbLoss")
	c, res := compute(t, spec, nil, exampleInputs(t, spec))
	for k, x0 := range c.Input("input").Data {
		cs, err := sweepCall(context.Background(), c, res, k, 0)
		if err != nil {
			t.Fatal(err)
		}
		if lo, hi := cs.xs[0], cs.xs[len(cs.xs)-1]; lo < 0 || hi > 1 || lo > 0.05 || hi < 0.95 {
			t.Errorf("element %d: sweep [%v, %v]; want about [0, 1]", k, lo, hi)
		}
		for i, y := range cs.ys {
			if math.IsNaN(y) {
				t.Errorf("element %d: point %d (x = %v) refused", k, i, cs.xs[i])
			}
		}
		if x, y, _ := cs.centre(); x != x0 || y != res.Elements.Data[k] {
			t.Errorf("element %d: centre (%v, %v); want (%v, %v)", k, x, y, x0, res.Elements.Data[k])
		}
	}
}

// TestElementsLayout checks the per-element layouts: bars for 0-d and 1-D,
// grouped bars for small 2-D, a clipped heatmap for large tensors.
func TestElementsLayout(t *testing.T) {
	big := engine.NewTensor(100, 70)
	for i := range big.Data {
		big.Data[i] = float64(i%9) - 4
	}
	big.Data[5] = math.NaN()
	for _, test := range []struct {
		name       string
		t          *engine.Tensor
		typ        string
		series     int
		points     int
		xLabels    int
		subtitleIn string
	}{
		{"0-d", engine.Scalar(2), "bar", 1, 1, 1, ""},
		{"1-D", engine.NewTensor(7), "bar", 1, 7, 7, ""},
		{"small 2-D", engine.NewTensor(3, 4), "bar", 3, 4, 4, ""},
		{"large 2-D", big, "heatmap", 1, heatSideMax * heatSideMax, heatSideMax, "first 64×64 of 100×70"},
		{"3-D", engine.NewTensor(2, 3, 20), "heatmap", 1, 2 * 60, 60, ""},
	} {
		t.Run(test.name, func(t *testing.T) {
			raw, err := buildTensor(test.t, tensorView{title: "t", subtitle: "s", valueName: "v", diverging: true, highlight: 0}, &lightPalette)
			if err != nil {
				t.Fatal(err)
			}
			checkFrame(t, test.name, raw, "")
			o := decode(t, test.name, raw)
			series := o.list("series")
			if len(series) != test.series {
				t.Fatalf("%d series; want %d", len(series), test.series)
			}
			s := series[0].(map[string]any)
			if s["type"] != test.typ {
				t.Errorf("type = %v; want %v", s["type"], test.typ)
			}
			if n := len(s["data"].([]any)); n != test.points {
				t.Errorf("%d points; want %d", n, test.points)
			}
			if n := len(o.list("xAxis")[0].(map[string]any)["data"].([]any)); n != test.xLabels {
				t.Errorf("%d x labels; want %d", n, test.xLabels)
			}
			if sub, _ := o.obj("title")["subtext"].(string); !strings.Contains(sub, test.subtitleIn) {
				t.Errorf("subtitle %q; want it to contain %q", sub, test.subtitleIn)
			}
			// The chosen element (0) is outlined (bars) or marked (heatmap).
			if test.typ == "bar" {
				outlined := 0
				for _, d := range s["data"].([]any) {
					if m, ok := d.(map[string]any); ok && m["itemStyle"] != nil {
						outlined++
					}
				}
				if outlined != 1 {
					t.Errorf("%d bars outlined; want the chosen one", outlined)
				}
			} else if mp, _ := s["markPoint"].(map[string]any); mp == nil {
				t.Errorf("heatmap has no mark on the chosen element")
			}
			if test.typ == "heatmap" {
				vm := o.obj("visualMap")
				if lo, hi := vm["min"].(float64), vm["max"].(float64); lo != -hi || hi <= 0 {
					t.Errorf("visualMap [%v, %v]; want symmetric for signed data", lo, hi)
				}
			}
		})
	}
}

// TestRobustRange checks that a few extreme values do not set the axis.
func TestRobustRange(t *testing.T) {
	flat := make([]float64, 40)
	for i := range flat {
		flat[i] = float64(i) / 10
	}
	spiky := slices.Clone(flat)
	spiky[0], spiky[39] = 1e12, -1e12
	for _, test := range []struct {
		name   string
		vs     []float64
		ok     bool
		lo, hi float64
	}{
		{"smooth", flat, false, 0, 0},
		{"spikes at the ends", spiky, true, -0.7, 4.6},
		{"too few points", []float64{0, 1e9}, false, 0, 0},
	} {
		t.Run(test.name, func(t *testing.T) {
			lo, hi, ok := robustRange(test.vs)
			if ok != test.ok || ok && (math.Abs(lo-test.lo) > 1e-9 || math.Abs(hi-test.hi) > 1e-9) {
				t.Errorf("robustRange = %v, %v, %v; want %v, %v, %v", lo, hi, ok, test.lo, test.hi, test.ok)
			}
		})
	}
}

// TestFamilyProbsDetail checks that the class-probability view uses the
// loss's detail when there is one (the smoothed target distribution) and
// computes the same probabilities from the inputs when there is none.
func TestFamilyProbsDetail(t *testing.T) {
	spec, ok := engine.Lookup("CrossEntropyLoss")
	if !ok {
		t.Fatal("CrossEntropyLoss is not registered")
	}
	params := map[string]json.RawMessage{"label_smoothing": json.RawMessage(`0.3`)}
	series := func(detail bool) (p, target []any) {
		c, err := engine.DecodeCall(spec, params, exampleInputs(t, spec))
		if err != nil {
			t.Fatal(err)
		}
		c.Detail = detail
		res, err := c.Compute()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := buildFamily(c, res, View{}, &lightPalette)
		if err != nil {
			t.Fatal(err)
		}
		s := decode(t, "family", raw).list("series")
		return s[0].(map[string]any)["data"].([]any), s[1].(map[string]any)["data"].([]any)
	}
	pd, td := series(true)
	pc, tc := series(false)
	for i := range pd {
		if a, b := pd[i].(float64), pc[i].(float64); math.Abs(a-b) > 1e-6 {
			t.Errorf("p[%d] = %v from detail, %v computed; want equal", i, a, b)
		}
	}
	// Example targets are classes [0, 1] of 3; ε = 0.3 puts 0.1 on each class.
	wantSmoothed := []float64{0.8, 0.1, 0.1, 0.1, 0.8, 0.1}
	wantOneHot := []float64{1, 0, 0, 0, 1, 0}
	for i := range wantSmoothed {
		if got := td[i].(float64); math.Abs(got-wantSmoothed[i]) > 1e-6 {
			t.Errorf("target[%d] with detail = %v; want %v", i, got, wantSmoothed[i])
		}
		if got := tc[i].(float64); got != wantOneHot[i] {
			t.Errorf("target[%d] without detail = %v; want %v", i, got, wantOneHot[i])
		}
	}
}

// TestAppendNum checks the chart number format: valid JSON, 7 significant
// digits, null for what JSON cannot hold.
func TestAppendNum(t *testing.T) {
	for _, test := range []struct {
		v    float64
		want string
	}{
		{0, "0"}, {1, "1"}, {-2.5, "-2.5"}, {0.1, "0.1"}, {1.0 / 3, "0.3333333"}, {-0.00012345678, "-0.0001234568"},
		{123456.789, "123456.8"}, {0.99999999, "1"}, {1e-5, "1e-05"}, {2e9, "2e+09"},
		{math.NaN(), "null"}, {math.Inf(1), "null"}, {math.Inf(-1), "null"}, {math.MaxFloat64, "1.797693e+308"},
	} {
		if got := string(appendNum(nil, test.v)); got != test.want {
			t.Errorf("appendNum(%v) = %s; want %s", test.v, got, test.want)
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		v := (rng.Float64() - 0.5) * math.Pow(10, float64(rng.IntN(24)-12))
		s := appendNum(nil, v)
		var got float64
		if err := json.Unmarshal(s, &got); err != nil {
			t.Fatalf("appendNum(%v) = %s: not JSON: %v", v, s, err)
		}
		if math.Abs(got-v) > 5e-7*math.Abs(v) {
			t.Fatalf("appendNum(%v) = %s; off by more than 7 significant digits", v, s)
		}
	}
}

// TestMarginOverlay checks that a margin loss's curve is drawn against
// y·x and overlays the registered losses that are functions of y·x alone:
// here the ranking stand-in with input2 = 0, whose term is (y·x − 0)².
func TestMarginOverlay(t *testing.T) {
	spec, _ := engine.Lookup("ChartsTestSoftMarginLoss")
	c, res := compute(t, spec, nil, exampleInputs(t, spec))
	const k = 1 // input[0, 1] = -1 with target -1: y·x = 1
	raw, err := buildCurve(context.Background(), c, res, View{Element: k, Overlay: true}, &lightPalette)
	if err != nil {
		t.Fatal(err)
	}
	o := decode(t, "curve", raw)
	if name := o.list("xAxis")[0].(map[string]any)["name"]; name != "y·x (margin)" {
		t.Errorf("x axis name = %v; want y·x (margin)", name)
	}
	hinge := seriesNamed(o, "ChartsTestRankingLoss (x2 = 0, margin 1): hinge")
	if hinge == nil {
		t.Fatalf("no ranking overlay among %v", o.list("series"))
	}
	for _, d := range hinge["data"].([]any) {
		p := d.([]any)
		z, y := p[0].(float64), p[1].(float64)
		if math.Abs(y-z*z) > 1e-5*max(1, z*z) {
			t.Errorf("overlay at y·x = %v: %v; want %v", z, y, z*z)
		}
	}
	if seriesNamed(o, "ChartsTestScoresLoss") != nil {
		t.Errorf("a class-score loss was overlaid on a one-score margin curve")
	}
}

// TestBuildLarge checks that large inputs give charts of bounded size: no
// sweep beyond curveMaxNumel, heatmaps clipped, point clouds capped.
func TestBuildLarge(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	mse, _ := engine.Lookup("MSELoss")
	softmax, _ := engine.Lookup("ChartsTestSoftmaxLoss")
	logits, _ := engine.Lookup("ChartsTestLogitsLoss")
	classes := engine.NewTensor(4096)
	for i := range classes.Data {
		classes.Data[i] = float64(rng.IntN(256))
	}
	for _, test := range []struct {
		name   string
		spec   *engine.Spec
		inputs map[string]*engine.Tensor
	}{
		{"MSE 1024x1024", mse, map[string]*engine.Tensor{"input": engine.RandN(rng, 1024, 1024), "target": engine.RandN(rng, 1024, 1024)}},
		{"softmax 4096x256", softmax, map[string]*engine.Tensor{"input": engine.RandN(rng, 4096, 256), "target": classes}},
		{"logits 1024x1024", logits, map[string]*engine.Tensor{"input": engine.RandN(rng, 1024, 1024), "target": engine.RandU(rng, 0, 1, 1024, 1024)}},
	} {
		t.Run(test.name, func(t *testing.T) {
			c, err := engine.NewCall(test.spec, nil, test.inputs)
			if err != nil {
				t.Fatal(err)
			}
			res, err := c.Compute()
			if err != nil {
				t.Fatal(err)
			}
			got, err := Build(c, res, View{Element: 5000, Overlay: true})
			if err != nil {
				t.Fatal(err)
			}
			total := 0
			for id, raw := range got {
				checkFrame(t, id, raw, "")
				total += len(raw)
			}
			if total > 400_000 {
				t.Errorf("charts total %d bytes; want at most 400 kB", total)
			}
			sub, _ := decode(t, "curve", got[ChartCurve]).obj("title")["subtext"].(string)
			if !strings.Contains(sub, "too large to sweep") {
				t.Errorf("curve subtitle %q; want it to say the inputs are too large to sweep", sub)
			}
		})
	}
}

// TestBuildConcurrent builds the same page from many goroutines, as 300
// students opening one page do; run with -race it checks that Build
// shares no mutable state.
func TestBuildConcurrent(t *testing.T) {
	spec, _ := engine.Lookup("ChartsTestSoftmaxLoss")
	c, res := compute(t, spec, nil, exampleInputs(t, spec))
	want, err := Build(c, res, View{Overlay: true, Theme: "dark"})
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			for range 20 {
				got, err := Build(c, res, View{Overlay: true, Theme: "dark"})
				if err == nil && len(got) != len(want) {
					err = errors.New("a different set of charts")
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent Build: %v", err)
		}
	}
}

// TestTripletBroadcast draws a triplet whose positive and negative are one
// row broadcast against two anchors, without detail (distances computed).
func TestTripletBroadcast(t *testing.T) {
	spec, _ := engine.Lookup("ChartsTestTripletLoss")
	c, err := engine.NewCall(spec, nil, map[string]*engine.Tensor{
		"anchor":   {Shape: []int{2, 2}, Data: []float64{0, 0, 3, 4}},
		"positive": {Shape: []int{1, 2}, Data: []float64{0, 0}},
		"negative": {Shape: []int{1, 2}, Data: []float64{1, 1}},
	})
	if err != nil {
		t.Fatal(err)
	}
	res := &engine.Result{Elements: engine.NewTensor(2)}
	raw, err := buildTriplet(c, res, View{Element: 2}, &lightPalette)
	if err != nil {
		t.Fatal(err)
	}
	o := decode(t, "family", raw)
	if sub, _ := o.obj("title")["subtext"].(string); !strings.Contains(sub, "sample 1: d(a, p) = 5") {
		t.Errorf("subtitle %q; want sample 1's d(a, p) = 5", sub)
	}
	if n := len(seriesNamed(o, "positive")["data"].([]any)); n != 2 {
		t.Errorf("%d positives drawn; want the broadcast row twice", n)
	}
}

// TestBuildRandomInputs builds every loss's charts on seeded random inputs
// with random views: no panic, no error, valid options.
func TestBuildRandomInputs(t *testing.T) {
	modes := []string{"", "alpha", "beta", "occupancy", "gradient"}
	for _, spec := range engine.All() {
		if spec.Random == nil {
			continue
		}
		t.Run(spec.Name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, uint64(len(spec.Name))))
			for trial := range 4 {
				c, err := engine.NewCall(spec, nil, spec.Random(rng, engine.ScaleTiny))
				if err != nil {
					t.Fatal(err)
				}
				c.Detail = trial%2 == 0
				res, err := c.Compute()
				if err != nil {
					t.Fatal(err)
				}
				v := View{Element: rng.IntN(64), Overlay: rng.IntN(2) == 0, Lattice: modes[rng.IntN(len(modes))]}
				if trial == 3 {
					v.Theme = "dark"
				}
				got, err := Build(c, res, v)
				if err != nil {
					t.Fatalf("Build(%+v) = %v", v, err)
				}
				for id, raw := range got {
					checkFrame(t, id, raw, v.Theme)
				}
			}
		})
	}
}

// TestCurvePointsFor checks that the sweep size follows the input size.
func TestCurvePointsFor(t *testing.T) {
	for _, test := range []struct{ numel, want int }{
		{1, curvePoints},
		{curveSmallNumel, curvePoints},
		{curveSmallNumel + 1, curvePointsMid},
		{curveMidNumel + 1, curvePointsLarge},
		{curveMaxNumel + 1, 0},
	} {
		if got := curvePointsFor(test.numel); got != test.want {
			t.Errorf("curvePointsFor(%d) = %d; want %d", test.numel, got, test.want)
		}
	}
}
