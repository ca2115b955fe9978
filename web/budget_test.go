package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/lossplayground/playground/engine/fixtures"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lossplayground/playground/charts"
	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/lessons"
	"github.com/lossplayground/playground/state"
	"github.com/lossplayground/playground/web/cost"
)

// budgetCase is one call that must compute under the budgets exactly as
// the engine computes it directly.
type budgetCase struct {
	name   string
	spec   *engine.Spec
	params map[string]json.RawMessage
	inputs map[string]json.RawMessage
	view   charts.View
}

// presetCases returns every preset and every question state of every
// lesson in every language, as their pages compute them.
func presetCases(t *testing.T) []budgetCase {
	t.Helper()
	lib, err := lessons.Load()
	if err != nil {
		t.Fatalf("lessons.Load: %v", err)
	}
	var out []budgetCase
	add := func(name string, p *lessons.Preset) {
		if p == nil {
			return
		}
		spec, ok := engine.LookupSlug(p.Loss)
		if !ok {
			t.Fatalf("%s: no loss %q", name, p.Loss)
		}
		q, err := url.ParseQuery(state.Query(p.State()).Encode())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		st, err := state.Parse(spec, q)
		if err != nil {
			t.Fatalf("%s: state.Parse = %v", name, err)
		}
		out = append(out, budgetCase{name: name, spec: spec, params: st.Params, inputs: st.Inputs, view: lossPageView(spec, st)})
	}
	for _, slug := range lib.Slugs() {
		for _, lang := range lessons.Languages {
			l, ok := lib.Get(slug, lang)
			if !ok {
				continue
			}
			for _, p := range l.Presets {
				add(fmt.Sprintf("lesson/%s/%s/preset/%s", slug, lang, p.ID), p)
			}
			for _, q := range l.Questions {
				add(fmt.Sprintf("lesson/%s/%s/question/%s/A", slug, lang, q.ID), q.A)
				add(fmt.Sprintf("lesson/%s/%s/question/%s/B", slug, lang, q.ID), q.B)
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no lesson presets found")
	}
	return out
}

// fixtureCases returns every golden fixture (engine/testdata/fixtures),
// with errorWanted set for those PyTorch refuses.
func fixtureCases(t *testing.T) (cases []budgetCase, errorWanted map[string]bool) {
	t.Helper()
	files, err := filepath.Glob("../engine/testdata/fixtures/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures found: %v", err)
	}
	errorWanted = map[string]bool{}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var ff struct {
			Cases []struct {
				Name   string                     `json:"name"`
				Loss   string                     `json:"loss"`
				Params map[string]json.RawMessage `json:"params"`
				Inputs map[string]json.RawMessage `json:"inputs"`
				Error  string                     `json:"error"`
			} `json:"cases"`
		}
		if err := json.Unmarshal(data, &ff); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, fc := range ff.Cases {
			spec, ok := engine.Lookup(fc.Loss)
			if !ok {
				t.Fatalf("fixture %s: no loss %s", fc.Name, fc.Loss)
			}
			name := "fixture/" + strings.TrimSuffix(filepath.Base(file), ".json") + "/" + fc.Name
			if fixtures.HasRepeats(fc.Inputs) {
				// A long float32 sum (hundreds of thousands of elements) is
				// there for the engine's accumulation order, not as a state a
				// page or the API sends.
				continue
			}
			cases = append(cases, budgetCase{name: name, spec: spec, params: fc.Params, inputs: fc.Inputs})
			errorWanted[name] = fc.Error != ""
		}
	}
	return cases, errorWanted
}

// TestBudgetsKeepEveryPresetQuestionAndFixture runs every lesson preset,
// every question's states, every golden fixture and every loss's random
// benchmark-sized inputs through Evaluate, under the default budgets, with
// detail and charts as a page asks: none may be refused, and each must
// give, to the bit, what the engine gives without any budget. A fixture
// PyTorch refuses must be refused with the engine's own error, not the
// budget's.
func TestBudgetsKeepEveryPresetQuestionAndFixture(t *testing.T) {
	app := newTestApp(t)
	ctx := context.Background()
	cases := presetCases(t)
	fixtures, errorWanted := fixtureCases(t)
	cases = append(cases, fixtures...)
	for _, spec := range engine.All() {
		for _, sc := range []engine.Scale{engine.ScaleTiny, engine.ScaleSmall} {
			inputs := map[string]json.RawMessage{}
			for k, v := range spec.Random(rand.New(rand.NewPCG(3, uint64(sc))), sc) {
				inputs[k] = v.AppendJSON(nil)
			}
			cases = append(cases, budgetCase{name: fmt.Sprintf("random/%s/scale%d", spec.Name, sc), spec: spec, inputs: inputs})
		}
	}
	// The largest share of a budget any case takes, for the record.
	var maxWork, maxBytes float64
	var maxWorkCase, maxBytesCase string
	defer func() {
		t.Logf("largest share of the work budget: %.2g%% (%s); of the answer budget: %.2g%% (%s)",
			100*maxWork, maxWorkCase, 100*maxBytes, maxBytesCase)
	}()
	for _, test := range cases {
		t.Run(test.name, func(t *testing.T) {
			c, err := engine.DecodeCall(test.spec, test.params, test.inputs)
			var want *engine.Result
			if err == nil {
				c.Detail = true
				if e := cost.Of(c, true, true); float64(e.Work)/float64(cost.Default.Work) > maxWork {
					maxWork, maxWorkCase = float64(e.Work)/float64(cost.Default.Work), test.name
				}
				if e := cost.Of(c, true, true); float64(e.Bytes)/float64(cost.Default.Bytes) > maxBytes {
					maxBytes, maxBytesCase = float64(e.Bytes)/float64(cost.Default.Bytes), test.name
				}
				want, err = c.Compute()
			}
			view := test.view
			ev, gotErr := app.compute.Evaluate(ctx, test.spec, &LossRequest{Params: test.params, Inputs: test.inputs, Detail: true}, &view, nil)
			if err != nil {
				if !errorWanted[test.name] {
					t.Fatalf("the engine refuses this case: %v", err)
				}
				if gotErr == nil || gotErr.Error() != err.Error() {
					t.Fatalf("Evaluate error = %v; want the engine's %v", gotErr, err)
				}
				return
			}
			if gotErr != nil {
				t.Fatalf("Evaluate = %v; want the engine's result (estimate %+v)", gotErr, cost.Of(c, true, true))
			}
			sameResultBits(t, ev.Result, want)
		})
	}
}

func sameResultBits(t *testing.T, got, want *engine.Result) {
	t.Helper()
	same := func(what string, g, w *engine.Tensor) {
		if g == nil || len(g.Data) != len(w.Data) {
			t.Errorf("%s = %v; want %d elements", what, g, len(w.Data))
			return
		}
		for i := range w.Data {
			if math.Float64bits(g.Data[i]) != math.Float64bits(w.Data[i]) && !(math.IsNaN(g.Data[i]) && math.IsNaN(w.Data[i])) {
				t.Errorf("%s[%d] = %v; want %v", what, i, g.Data[i], w.Data[i])
				return
			}
		}
	}
	same("loss", got.Loss, want.Loss)
	for k, w := range want.Grads {
		same("grads."+k, got.Grads[k], w)
	}
}

// TestCostEstimateBoundsAnswer checks that the byte estimate is an upper
// bound of the real answer (result with detail, and chart options) for
// every loss at the tiny and small random scales, and at the largest
// (which the budgets refuse: the bound must hold regardless) for the
// losses whose answer is not linear in their inputs. (The largest scale of
// every loss takes half a minute.)
func TestCostEstimateBoundsAnswer(t *testing.T) {
	for _, spec := range engine.All() {
		scales := []engine.Scale{engine.ScaleTiny, engine.ScaleSmall}
		switch spec.Name {
		case "CTCLoss", "MultiLabelMarginLoss":
			scales = append(scales, engine.ScaleLarge)
		}
		for _, sc := range scales {
			for _, red := range []string{"none", "mean"} {
				if sc == engine.ScaleLarge && red != "none" {
					continue // 'none' writes the most
				}
				t.Run(fmt.Sprintf("%s/scale%d/%s", spec.Name, sc, red), func(t *testing.T) {
					inputs := spec.Random(rand.New(rand.NewPCG(5, uint64(sc))), sc)
					var params map[string]any
					if spec.Param("reduction") != nil {
						params = map[string]any{"reduction": red}
					}
					c, err := engine.NewCall(spec, params, inputs)
					if err != nil {
						t.Fatalf("NewCall: %v", err)
					}
					c.Detail = true
					res, err := c.Compute()
					if err != nil {
						t.Fatalf("Compute: %v", err)
					}
					answer, err := res.AppendJSON(nil, spec)
					if err != nil {
						t.Fatalf("AppendJSON: %v", err)
					}
					got := int64(len(answer))
					if est := cost.Of(c, true, false); est.Bytes < got {
						t.Errorf("estimate without charts = %d bytes; want at least the answer's %d", est.Bytes, got)
					}
					opts, err := charts.Build(c, res, charts.View{Lattice: "occupancy"})
					if err != nil {
						t.Fatalf("charts.Build: %v", err)
					}
					for _, o := range opts {
						got += int64(len(o))
					}
					if est := cost.Of(c, true, true); est.Bytes < got {
						t.Errorf("estimate with charts = %d bytes; want at least the answer and charts' %d", est.Bytes, got)
					}
				})
			}
		}
	}
}

// attackBody is a request body of the attacks (issue 9).
func attackBody(t testing.TB, loss string) (field string, body []byte) {
	t.Helper()
	var req map[string]any
	switch loss {
	case "CTCLoss":
		// 20 KB: log_probs (1673, 2), one target of length 5013; with
		// detail the answer was 554 MB.
		const T, L = 1673, 5013
		lp := make([][]float64, T)
		for i := range lp {
			lp[i] = []float64{-0.6931, -0.6931}
		}
		tg := make([]int, L)
		for i := range tg {
			tg[i] = 1
		}
		req = map[string]any{"detail": true, "inputs": map[string]any{
			"log_probs": lp, "targets": tg, "input_lengths": T, "target_lengths": L}}
		field = "targets"
	case "MultiLabelMarginLoss":
		// One row of 40,000 classes listing one label 40,000 times: 1.6·10^9
		// hinge terms from a 400 KB body.
		const C = 40000
		x, y := make([]float64, C), make([]int, C)
		for i := range x {
			x[i] = float64(i % 3)
		}
		req = map[string]any{"inputs": map[string]any{"input": x, "target": y}}
		field = "target"
	default:
		t.Fatalf("no attack on %s", loss)
	}
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	return field, b
}

// TestEvaluateRefusesAttacks checks that the cheap requests for
// expensive work are refused before any work, naming the field and the
// limit, with or without charts.
func TestEvaluateRefusesAttacks(t *testing.T) {
	for _, loss := range []string{"CTCLoss", "MultiLabelMarginLoss"} {
		for _, withCharts := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/charts=%v", loss, withCharts), func(t *testing.T) {
				field, body := attackBody(t, loss)
				var req LossRequest
				if err := json.Unmarshal(body, &req); err != nil {
					t.Fatal(err)
				}
				spec, _ := engine.Lookup(loss)
				var view *charts.View
				if withCharts {
					view = &charts.View{}
				}
				// A done context: were the budget not checked first, the
				// call would give up with context.Canceled instead.
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				_, err := testComputer().Evaluate(ctx, spec, &req, view, nil)
				var ee *engine.Error
				if !errors.As(err, &ee) {
					t.Fatalf("Evaluate = %v; want an *engine.Error", err)
				}
				if ee.Field != field || !strings.Contains(ee.Msg, groupDigits(cost.Default.Work)) {
					t.Errorf("Evaluate error = %v; want field %q and the limit %s", err, field, groupDigits(cost.Default.Work))
				}
			})
		}
	}
}

// groupDigits writes n with thousands separators, as budget errors do.
func groupDigits(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// newTestApp returns an App with a silent logger.
func newTestApp(t testing.TB) *App {
	t.Helper()
	a, err := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return a
}
