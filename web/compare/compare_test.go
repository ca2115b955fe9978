package compare

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/lossplayground/playground/engine"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// at returns the value of a curve sampled on grid xs at x.
func at(t *testing.T, xs, vs []float64, x float64) float64 {
	t.Helper()
	for i, v := range xs {
		if near(v, x, 1e-9) {
			return vs[i]
		}
	}
	t.Fatalf("x = %v is not on the grid", x)
	return 0
}

func TestRegressionCurves(t *testing.T) {
	rs, curves, err := RegressionCurves(RegressionSettings{Beta: 1, Delta: 2, Outlier: 6})
	if err != nil {
		t.Fatal(err)
	}
	// ℓ and ℓ' at r = 0.5 and r = 2, from the definitions.
	want := map[string][4]float64{
		"L1Loss":       {0.5, 2, 1, 1},
		"MSELoss":      {0.25, 4, 1, 4},
		"SmoothL1Loss": {0.125, 1.5, 0.5, 1}, // beta 1: 0.5r²/β, |r| − β/2
		"HuberLoss":    {0.125, 2, 0.5, 2},   // delta 2: 0.5r², δ(|r| − δ/2)
	}
	if len(curves) != len(RegressionLosses) {
		t.Fatalf("got %d curves; want %d", len(curves), len(RegressionLosses))
	}
	for _, c := range curves {
		w := want[c.Loss]
		got := [4]float64{at(t, rs, c.Values, 0.5), at(t, rs, c.Values, 2), at(t, rs, c.Derivs, 0.5), at(t, rs, c.Derivs, 2)}
		for i := range got {
			if !near(got[i], w[i], 1e-12) {
				t.Errorf("%s: [ℓ(0.5), ℓ(2), ℓ'(0.5), ℓ'(2)] = %v; want %v", c.Loss, got, w)
				break
			}
		}
	}
}

func TestSettingsValidate(t *testing.T) {
	for _, test := range []struct {
		name  string
		err   error
		field string
	}{
		{"beta negative", RegressionSettings{Beta: -1, Delta: 1}.Validate(), "beta"},
		{"delta zero", RegressionSettings{Beta: 1, Delta: 0}.Validate(), "delta"},
		{"outlier NaN", RegressionSettings{Beta: 1, Delta: 1, Outlier: math.NaN()}.Validate(), "outlier"},
		{"one class", ClassificationSettings{Logits: []float64{1}}.Validate(), "logits"},
		{"logit too big", ClassificationSettings{Logits: []float64{1, 1e9}}.Validate(), "logits[1]"},
		{"target out of range", ClassificationSettings{Logits: []float64{1, 2}, Target: 2}.Validate(), "target"},
		{"margin too big", MarginSettings{Margin: 4}.Validate(), "margin"},
		{"at Inf", MarginSettings{Margin: 1, At: math.Inf(1)}.Validate(), "at"},
	} {
		t.Run(test.name, func(t *testing.T) {
			var ee *engine.Error
			if !errors.As(test.err, &ee) || ee.Field != test.field {
				t.Errorf("Validate() = %v; want an *engine.Error on field %q", test.err, test.field)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	for _, s := range []ClassificationSettings{
		DefaultClassification(),
		{Logits: []float64{-3, 0, 4, 1}, Target: 0},
		{Logits: []float64{40, -40}, Target: 1},
	} {
		c, err := Classify(s)
		if err != nil {
			t.Fatal(err)
		}
		ce, nll, bce, mm := c.Losses[0], c.Losses[1], c.Losses[2], c.Losses[3]
		// CE = NLL∘log_softmax = log Σ e^z − z_y; both gradients softmax − onehot.
		want := engine.LogSumExp(s.Logits) - s.Logits[s.Target]
		if !near(ce.Value, want, 1e-12*math.Max(1, want)) || !near(nll.Value, want, 1e-12*math.Max(1, want)) {
			t.Errorf("%v: CE = %v, NLL∘log_softmax = %v; want %v", s, ce.Value, nll.Value, want)
		}
		for j := range s.Logits {
			w := c.Softmax[j]
			if j == s.Target {
				w--
			}
			if !near(ce.Grad[j], w, 1e-12) || !near(nll.Grad[j], w, 1e-12) {
				t.Errorf("%v: ∂/∂z_%d CE = %v, NLL = %v; want %v", s, j, ce.Grad[j], nll.Grad[j], w)
			}
			// BCE with a one-hot target, mean over C: (σ(z) − t)/C.
			tj := 0.0
			if j == s.Target {
				tj = 1
			}
			if g := (c.Sigmoid[j] - tj) / float64(len(s.Logits)); !near(bce.Grad[j], g, 1e-12) {
				t.Errorf("%v: ∂BCE/∂z_%d = %v; want %v", s, j, bce.Grad[j], g)
			}
		}
		// MultiMarginLoss: Σ_{i≠y} max(0, 1 − z_y + z_i)/C.
		w := 0.0
		for i, z := range s.Logits {
			if i != s.Target {
				w += math.Max(0, 1-s.Logits[s.Target]+z)
			}
		}
		if w /= float64(len(s.Logits)); !near(mm.Value, w, 1e-12) {
			t.Errorf("%v: MultiMarginLoss = %v; want %v", s, mm.Value, w)
		}
	}
}

func TestMarginCurves(t *testing.T) {
	s := MarginSettings{Margin: 1.5, At: -0.5}
	ms, curves, err := MarginCurves(s)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]MarginCurve{}
	for _, c := range curves {
		byName[c.Name] = c
	}
	for i, m := range ms {
		zo, hinge, mm := byName["zero-one"].Values[i], byName["hinge"].Values[i], byName["MultiMarginLoss, 2 classes"].Values[i]
		soft, logistic := byName["soft margin"].Values[i], byName["logistic"].Values[i]
		if want := math.Max(0, 1.5-m); !near(hinge, want, 1e-12) || !near(mm, want/2, 1e-12) {
			t.Fatalf("m = %v: hinge %v, MultiMargin %v; want %v and %v", m, hinge, mm, want, want/2)
		}
		if want := math.Log1p(math.Exp(-m)); !near(soft, want, 1e-12) || !near(logistic, want, 1e-12) {
			t.Fatalf("m = %v: soft margin %v, logistic %v; want %v", m, soft, logistic, want)
		}
		if want := map[bool]float64{true: 1, false: 0}[m <= 0]; zo != want {
			t.Fatalf("m = %v: zero-one %v; want %v", m, zo, want)
		}
	}
	if got := byName["hinge"].At; !near(got, 2, 1e-12) {
		t.Errorf("hinge at y·x = -0.5 = %v; want 2", got)
	}
	if got := byName["hinge"].AtGrad; got != -1 {
		t.Errorf("hinge slope at y·x = -0.5 = %v; want -1", got)
	}
}

func TestFitRequestValidate(t *testing.T) {
	for _, test := range []struct {
		name   string
		change func(r *FitRequest)
		field  string
		msg    string
	}{
		{"one point", func(r *FitRequest) { r.Points = r.Points[:1] }, "points", "need 2 to 200"},
		{"too many points", func(r *FitRequest) { r.Points = make([][]float64, MaxFitPoints+1) }, "points", "got 201"},
		{"triple", func(r *FitRequest) { r.Points[1] = []float64{1, 2, 3} }, "points[1]", "need a pair [x, y], got 3 numbers"},
		{"NaN y", func(r *FitRequest) { r.Points[2][1] = math.NaN() }, "points[2][1]", "finite"},
		{"huge x", func(r *FitRequest) { r.Points[0][0] = 1e300 }, "points[0][0]", "between"},
		{"no losses", func(r *FitRequest) { r.Losses = nil }, "losses", "missing"},
		{"unknown loss", func(r *FitRequest) { r.Losses = []string{"L1Loss", "L3Loss"} }, "losses[1]", `unknown loss "L3Loss"`},
		{"not pointwise", func(r *FitRequest) { r.Losses = []string{"CrossEntropyLoss"} }, "losses[0]", "not a pointwise regression loss"},
		{"twice", func(r *FitRequest) { r.Losses = []string{"L1Loss", "L1Loss"} }, "losses[1]", "twice"},
		{"params of another loss", func(r *FitRequest) { r.Losses = []string{"L1Loss"} }, "params", `"HuberLoss" is not one of the fitted losses`},
		{"reduction", func(r *FitRequest) { r.Params["HuberLoss"]["reduction"] = 1 }, "params.HuberLoss.reduction", "mean"},
		{"bad beta", func(r *FitRequest) { r.Params["SmoothL1Loss"]["beta"] = -1 }, "params.SmoothL1Loss.beta", ""},
		{"unknown param", func(r *FitRequest) { r.Params["SmoothL1Loss"]["gamma"] = 1 }, "params.SmoothL1Loss.gamma", ""},
		{"start length", func(r *FitRequest) { r.Start = []Line{{}} }, "start", "one line per loss"},
		{"start NaN", func(r *FitRequest) { r.Start = make([]Line, 4); r.Start[3].Intercept = math.NaN() }, "start[3].intercept", "finite"},
		{"zero steps", func(r *FitRequest) { r.Steps = 0 }, "steps", "between 1 and 2000"},
		{"too many steps", func(r *FitRequest) { r.Steps = 2001 }, "steps", "got 2001"},
		{"lr zero", func(r *FitRequest) { r.LR = 0 }, "lr", "greater than 0"},
		{"lr large", func(r *FitRequest) { r.LR = 5 }, "lr", "between"},
	} {
		t.Run(test.name, func(t *testing.T) {
			r := DefaultFit()
			test.change(&r)
			_, err := NewFitRun(r)
			var ee *engine.Error
			if !errors.As(err, &ee) || ee.Field != test.field || !strings.Contains(ee.Msg, test.msg) {
				t.Errorf("NewFitRun error = %v; want field %q, message containing %q", err, test.field, test.msg)
			}
		})
	}
	if _, err := NewFitRun(DefaultFit()); err != nil {
		t.Errorf("NewFitRun(DefaultFit()) = %v; want no error", err)
	}
}

// The default fit: every line ends near the clean line except where the
// outlier pulls it; MSE's slope is pulled further than L1's.
func TestRunFitOutlier(t *testing.T) {
	lines, err := RunFit(DefaultFit())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]FitLine{}
	for _, l := range lines {
		got[l.Loss] = l
	}
	l1, mse := got["L1Loss"], got["MSELoss"]
	if d1, d2 := math.Abs(l1.Slope-0.5), math.Abs(mse.Slope-0.5); !(d2 > 3*d1) {
		t.Errorf("slope error: L1 %v, MSE %v; want MSE pulled over three times as far", d1, d2)
	}
	for _, l := range lines {
		if l.Slope < 0.3 || l.Slope > 1 {
			t.Errorf("%s slope = %v; want between 0.3 and 1 (clean line 0.5, outlier pulling up)", l.Loss, l.Slope)
		}
	}
}

func TestFitDiverges(t *testing.T) {
	r := DefaultFit()
	r.Losses, r.Params, r.LR = []string{"MSELoss"}, nil, 1
	r.Points[0] = []float64{-100, 0}
	run, err := NewFitRun(r)
	if err != nil {
		t.Fatal(err)
	}
	err = run.Advance(r.Steps)
	var ee *engine.Error
	if !errors.As(err, &ee) || ee.Field != "lr" || !strings.Contains(ee.Msg, "diverged under MSELoss") {
		t.Errorf("Advance error = %v; want field lr, diverged under MSELoss", err)
	}
}

func TestChartsEncode(t *testing.T) {
	for _, theme := range []string{"light", "dark"} {
		opts, err := RegressionCharts(DefaultRegression, theme)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"loss", "derivative"} {
			if !strings.Contains(string(opts[id]), PaletteFor(theme).Background) {
				t.Errorf("%s chart %q does not carry the %s background", theme, id, theme)
			}
		}
		s := DefaultClassification()
		c, _ := Classify(s)
		if opts, err = ClassificationCharts(s, c, theme); err != nil || !strings.Contains(string(opts["gradient"]), `"class 1\n(target)"`) {
			t.Errorf("classification charts = %s, %v; want the target class labelled", opts["gradient"], err)
		}
	}
}
