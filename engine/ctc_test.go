package engine

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
)

// ctcInputs builds CTCLoss inputs from plain slices; lengths are 1-D.
func ctcInputs(lp *Tensor, targets *Tensor, inLen, tgLen []float64) map[string]*Tensor {
	return map[string]*Tensor{
		"log_probs":      lp,
		"targets":        targets,
		"input_lengths":  &Tensor{Shape: []int{len(inLen)}, Data: inLen},
		"target_lengths": &Tensor{Shape: []int{len(tgLen)}, Data: tgLen},
	}
}

// ctcRandLogProbs returns log_softmax of normal logits times scale, (T, N, C).
func ctcRandLogProbs(rng *rand.Rand, scale float64, T, N, C int) *Tensor {
	lp := RandN(rng, T, N, C)
	for i := 0; i < len(lp.Data); i += C {
		row := lp.Data[i : i+C]
		for c := range row {
			row[c] *= scale
		}
		LogSoftmax(row, row)
	}
	return lp
}

func ctcSpec(t *testing.T) *Spec {
	t.Helper()
	spec, ok := Lookup("CTCLoss")
	if !ok {
		t.Fatal("CTCLoss is not registered")
	}
	return spec
}

// ctcCompute runs CTCLoss and fails the test on an error.
func ctcCompute(t *testing.T, params map[string]any, inputs map[string]*Tensor, detail bool) *Result {
	t.Helper()
	c, err := NewCall(ctcSpec(t), params, inputs)
	if err != nil {
		t.Fatalf("NewCall: %v", err)
	}
	c.Detail = detail
	r, err := c.Compute()
	if err != nil {
		t.Fatalf("Compute: %v", err)
	}
	return r
}

// TestCTCRefuses checks that CTCLoss returns an *Error naming the field
// for inputs PyTorch rejects or silently turns into garbage, and never
// panics on odd shapes.
func TestCTCRefuses(t *testing.T) {
	lp := ctcRandLogProbs(rand.New(rand.NewPCG(1, 2)), 1, 4, 2, 3)
	tg := func(shape []int, data ...float64) *Tensor { return &Tensor{Shape: shape, Data: data} }
	for _, test := range []struct {
		name   string
		params map[string]any
		inputs map[string]*Tensor
		field  string
	}{
		// PyTorch computes garbage (or reads out of bounds) for these.
		{"label equal to C", nil, ctcInputs(lp, tg([]int{2, 2}, 1, 3, 2, 0), []float64{4, 4}, []float64{2, 1}), "targets"},
		{"negative label", nil, ctcInputs(lp, tg([]int{2, 2}, 1, -1, 2, 0), []float64{4, 4}, []float64{2, 1}), "targets"},
		{"label equal to blank", nil, ctcInputs(lp, tg([]int{2, 2}, 1, 0, 2, 0), []float64{4, 4}, []float64{2, 1}), "targets"},
		{"label equal to non-zero blank", map[string]any{"blank": 2}, ctcInputs(lp, tg([]int{2, 2}, 1, 2, 1, 0), []float64{4, 4}, []float64{2, 1}), "targets"},
		{"concatenated label equal to blank", nil, ctcInputs(lp, tg([]int{3}, 1, 2, 0), []float64{4, 4}, []float64{2, 1}), "targets"},
		{"zero input length", nil, ctcInputs(lp, tg([]int{2, 2}, 1, 2, 2, 0), []float64{4, 0}, []float64{2, 1}), "input_lengths"},
		{"negative input length", nil, ctcInputs(lp, tg([]int{2, 2}, 1, 2, 2, 0), []float64{-1, 4}, []float64{2, 1}), "input_lengths"},
		{"negative target length", nil, ctcInputs(lp, tg([]int{2, 2}, 1, 2, 2, 0), []float64{4, 4}, []float64{2, -1}), "target_lengths"},
		// PyTorch raises for these.
		{"input length above T", nil, ctcInputs(lp, tg([]int{2, 2}, 1, 2, 2, 0), []float64{5, 4}, []float64{2, 1}), "input_lengths"},
		{"huge input length", nil, ctcInputs(lp, tg([]int{2, 2}, 1, 2, 2, 0), []float64{1e300, 4}, []float64{2, 1}), "input_lengths"},
		{"huge target length", nil, ctcInputs(lp, tg([]int{2, 2}, 1, 2, 2, 0), []float64{4, 4}, []float64{1e18, 1}), "target_lengths"},
		{"target length above padded width", nil, ctcInputs(lp, tg([]int{2, 2}, 1, 2, 2, 0), []float64{4, 4}, []float64{3, 1}), "targets"},
		{"concatenated total", nil, ctcInputs(lp, tg([]int{2}, 1, 2), []float64{4, 4}, []float64{2, 1}), "targets"},
		{"padded rows", nil, ctcInputs(lp, tg([]int{1, 2}, 1, 2), []float64{4, 4}, []float64{2, 1}), "targets"},
		{"blank equal to C", map[string]any{"blank": 3}, ctcInputs(lp, tg([]int{2, 2}, 1, 2, 2, 0), []float64{4, 4}, []float64{2, 1}), "params.blank"},
		{"negative blank", map[string]any{"blank": -1}, ctcInputs(lp, tg([]int{2, 2}, 1, 2, 2, 0), []float64{4, 4}, []float64{2, 1}), "params.blank"},
		{"input_lengths size", nil, ctcInputs(lp, tg([]int{2, 2}, 1, 2, 2, 0), []float64{4}, []float64{2, 1}), "input_lengths"},
		{"target_lengths size", nil, ctcInputs(lp, tg([]int{2, 2}, 1, 2, 2, 0), []float64{4, 4}, []float64{2, 1, 1}), "target_lengths"},
		{"0-d targets", nil, ctcInputs(lp, Scalar(1), []float64{4, 4}, []float64{1, 0}), "targets"},
		{"3-d targets", nil, ctcInputs(lp, tg([]int{2, 1, 1}, 1, 1), []float64{4, 4}, []float64{1, 1}), "targets"},
		{"0-d log_probs", nil, ctcInputs(Scalar(-1), tg([]int{1}, 1), []float64{1}, []float64{1}), "log_probs"},
		{"1-d log_probs", nil, ctcInputs(tg([]int{3}, -1, -1, -1), tg([]int{1}, 1), []float64{1}, []float64{1}), "log_probs"},
		{"4-d log_probs", nil, ctcInputs(NewTensor(4, 2, 3, 1), tg([]int{2, 1}, 1, 1), []float64{4, 4}, []float64{1, 1}), "log_probs"},
		{"no classes", nil, ctcInputs(NewTensor(4, 2, 0), tg([]int{2, 1}, 1, 1), []float64{4, 4}, []float64{1, 1}), "params.blank"},
		{"no frames", nil, ctcInputs(NewTensor(0, 2, 3), tg([]int{2, 1}, 1, 1), []float64{0, 0}, []float64{1, 1}), "input_lengths"},
		{"lattice too large", nil, ctcInputs(NewTensor(4096, 1, 3), NewTensor(1, 4096), []float64{4096}, []float64{4096}), "targets"},
	} {
		t.Run(test.name, func(t *testing.T) {
			c, err := NewCall(ctcSpec(t), test.params, test.inputs)
			if err == nil {
				var r *Result
				r, err = c.Compute()
				if err == nil {
					t.Fatalf("CTCLoss = %v; want an error for %s", r.Loss.Data, test.field)
				}
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is a %T; want *engine.Error", err, err)
			}
			if e.Field != test.field {
				t.Errorf("error field = %q (%v); want %q", e.Field, err, test.field)
			}
		})
	}
}

// TestCTCEmptyBatch checks PyTorch's results for N = 0: mean NaN (0/0),
// sum 0, none an empty tensor, and an empty gradient.
func TestCTCEmptyBatch(t *testing.T) {
	for _, test := range []struct {
		red  string
		want []float64
	}{{"mean", []float64{math.NaN()}}, {"sum", []float64{0}}, {"none", []float64{}}} {
		t.Run(test.red, func(t *testing.T) {
			r := ctcCompute(t, map[string]any{"reduction": test.red},
				ctcInputs(NewTensor(4, 0, 3), NewTensor(0, 2), []float64{}, []float64{}), false)
			if len(r.Loss.Data) != len(test.want) {
				t.Fatalf("loss = %v; want %v", r.Loss.Data, test.want)
			}
			for i, w := range test.want {
				if !closeTo(r.Loss.Data[i], w, 0, 0) {
					t.Errorf("loss = %v; want %v", r.Loss.Data, test.want)
				}
			}
			if g := r.Grads["log_probs"]; !slices.Equal(g.Shape, []int{4, 0, 3}) {
				t.Errorf("grad shape = %v; want [4 0 3]", g.Shape)
			}
		})
	}
}

// TestCTCTraps checks the quirks of spec §4 against relations that hold
// independently of the implementation.
func TestCTCTraps(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	lp := ctcRandLogProbs(rng, 1, 6, 3, 5)
	pad := &Tensor{Shape: []int{3, 3}, Data: []float64{1, 2, 3, 4, 4, 0, 2, 0, 0}}
	inLen, tgLen := []float64{6, 5, 4}, []float64{3, 2, 0}

	t.Run("mean divides each sample by max(L_b, 1)", func(t *testing.T) {
		none := ctcCompute(t, map[string]any{"reduction": "none"}, ctcInputs(lp, pad, inLen, tgLen), false).Loss.Data
		mean := ctcCompute(t, nil, ctcInputs(lp, pad, inLen, tgLen), false).Loss.Data[0]
		want := (none[0]/3 + none[1]/2 + none[2]/1) / 3
		if !closeTo(mean, want, 1e-14, 0) {
			t.Errorf("mean = %v; want %v", mean, want)
		}
	})
	t.Run("padding and concatenation", func(t *testing.T) {
		want := ctcCompute(t, map[string]any{"reduction": "none"}, ctcInputs(lp, pad, inLen, tgLen), false)
		for _, targets := range []*Tensor{
			{Shape: []int{3, 3}, Data: []float64{1, 2, 3, 4, 4, -5, 2, 99, 1e9}}, // padding is ignored
			{Shape: []int{5}, Data: []float64{1, 2, 3, 4, 4}},                    // concatenated
		} {
			got := ctcCompute(t, map[string]any{"reduction": "none"}, ctcInputs(lp, targets, inLen, tgLen), false)
			compareTensor(t, "loss", got.Loss, want.Loss)
			compareTensor(t, "grad", got.Grads["log_probs"], want.Grads["log_probs"])
		}
	})
	t.Run("frames beyond the input length get no gradient", func(t *testing.T) {
		g := ctcCompute(t, nil, ctcInputs(lp, pad, inLen, tgLen), false).Grads["log_probs"]
		for b, T := range []int{6, 5, 4} {
			for tt := T; tt < 6; tt++ {
				for c := range 5 {
					if v := g.Data[(tt*3+b)*5+c]; v != 0 {
						t.Errorf("grad[%d, %d, %d] = %v; want 0", tt, b, c, v)
					}
				}
			}
		}
	})
	t.Run("normalised log_probs give gradients summing to 0 per frame", func(t *testing.T) {
		g := ctcCompute(t, map[string]any{"reduction": "sum"}, ctcInputs(lp, pad, inLen, tgLen), false).Grads["log_probs"]
		for k := 0; k < len(g.Data); k += 5 {
			if s := Sum(g.Data[k : k+5]); math.Abs(s) > 1e-14 {
				t.Errorf("Σ_c grad[row %d] = %v; want 0", k/5, s)
			}
		}
	})
	t.Run("unnormalised log_probs are used as given", func(t *testing.T) {
		// Every alignment emits exactly once per frame, so adding k to
		// every log-prob of one frame lowers each nll_b by k.
		const k = 0.75
		base := ctcCompute(t, map[string]any{"reduction": "none"}, ctcInputs(lp, pad, inLen, tgLen), false).Loss.Data
		shifted := &Tensor{Shape: lp.Shape, Data: append([]float64{}, lp.Data...)}
		for i := 2 * 3 * 5; i < 3*3*5; i++ { // frame 2, within every input length
			shifted.Data[i] += k
		}
		got := ctcCompute(t, map[string]any{"reduction": "none"}, ctcInputs(shifted, pad, inLen, tgLen), false).Loss.Data
		for b := range base {
			if !closeTo(got[b], base[b]-k, 1e-13, 1e-13) {
				t.Errorf("nll[%d] with frame 2 shifted by %v = %v; want %v", b, k, got[b], base[b]-k)
			}
		}
	})
	t.Run("impossible alignment is +Inf with NaN gradient", func(t *testing.T) {
		// Target [4, 4] needs 3 frames (a blank between the repeats).
		r := ctcCompute(t, map[string]any{"reduction": "none"}, ctcInputs(lp, pad, []float64{6, 2, 4}, tgLen), false)
		if !math.IsInf(r.Loss.Data[1], 1) {
			t.Errorf("nll[1] = %v; want +Inf", r.Loss.Data[1])
		}
		if math.IsInf(r.Loss.Data[0], 0) || math.IsInf(r.Loss.Data[2], 0) {
			t.Errorf("nll = %v; want only sample 1 infinite", r.Loss.Data)
		}
		g := r.Grads["log_probs"].Data
		for tt := range 2 {
			for c := range 5 {
				if v := g[(tt*3+1)*5+c]; !math.IsNaN(v) {
					t.Errorf("grad[%d, 1, %d] = %v; want NaN", tt, c, v)
				}
			}
		}
	})
	t.Run("target longer than input is +Inf, not an error", func(t *testing.T) {
		r := ctcCompute(t, nil, ctcInputs(lp, pad, []float64{2, 5, 4}, tgLen), false)
		if !math.IsInf(r.Loss.Data[0], 1) {
			t.Errorf("mean loss = %v; want +Inf", r.Loss.Data[0])
		}
	})
	t.Run("zero_infinity zeroes only the infinite sample", func(t *testing.T) {
		params := map[string]any{"reduction": "sum"}
		ref := ctcCompute(t, params, ctcInputs(lp, pad, []float64{6, 2, 4}, tgLen), false)
		params["zero_infinity"] = true
		r := ctcCompute(t, params, ctcInputs(lp, pad, []float64{6, 2, 4}, tgLen), false)
		none := ctcCompute(t, map[string]any{"reduction": "none"}, ctcInputs(lp, pad, []float64{6, 2, 4}, tgLen), false).Loss.Data
		if want := none[0] + none[2]; !closeTo(r.Loss.Data[0], want, 1e-14, 0) {
			t.Errorf("sum with zero_infinity = %v; want %v", r.Loss.Data[0], want)
		}
		g, gref := r.Grads["log_probs"].Data, ref.Grads["log_probs"].Data
		for k := range g {
			if (k/5)%3 == 1 {
				if g[k] != 0 {
					t.Errorf("grad[%d] of the infinite sample = %v; want 0", k, g[k])
				}
			} else if !closeTo(g[k], gref[k], 0, 0) {
				t.Errorf("grad[%d] = %v; want %v as without zero_infinity", k, g[k], gref[k])
			}
		}
	})
	t.Run("-Inf log-prob gives NaN gradient there, finite loss", func(t *testing.T) {
		x := &Tensor{Shape: lp.Shape, Data: append([]float64{}, lp.Data...)}
		x.Data[(0*3+0)*5+4] = math.Inf(-1) // class 4 of frame 0, sample 0: not on its target
		r := ctcCompute(t, map[string]any{"reduction": "none"}, ctcInputs(x, pad, inLen, tgLen), false)
		if math.IsInf(r.Loss.Data[0], 0) || math.IsNaN(r.Loss.Data[0]) {
			t.Errorf("nll[0] = %v; want finite", r.Loss.Data[0])
		}
		if v := r.Grads["log_probs"].Data[4]; !math.IsNaN(v) {
			t.Errorf("grad[0, 0, 4] = %v; want NaN", v)
		}
	})
}

// ctcLogitsFD checks CTCLoss's gradient composed with log_softmax against
// central finite differences on the logits, and the free-input derivative
// −g_b·γ (γ from the lattice occupancy) against finite differences on
// log_probs themselves.
func ctcLogitsFD(t *testing.T, params map[string]any, logits *Tensor, targets *Tensor, inLen, tgLen []float64) {
	t.Helper()
	T, N, C := logits.Shape[0], logits.Shape[1], logits.Shape[2]
	lsm := func(z *Tensor) *Tensor {
		out := NewTensor(z.Shape...)
		for i := 0; i < len(z.Data); i += C {
			LogSoftmax(z.Data[i:i+C], out.Data[i:i+C])
		}
		return out
	}
	c, err := NewCall(ctcSpec(t), params, ctcInputs(lsm(logits), targets, inLen, tgLen))
	if err != nil {
		t.Fatal(err)
	}
	// The gradient checked is the one computed without Detail (the fast
	// path where it applies); the lattice comes from a Detail call.
	res, err := c.Compute()
	if err != nil {
		t.Fatal(err)
	}
	c.Detail = true
	detail, err := c.Compute()
	if err != nil {
		t.Fatal(err)
	}
	total := func(lp *Tensor) float64 {
		c, err := NewCall(ctcSpec(t), params, ctcInputs(lp, targets, inLen, tgLen))
		if err != nil {
			t.Fatal(err)
		}
		r, err := c.Compute()
		if err != nil {
			t.Fatal(err)
		}
		return Sum(r.Loss.Data)
	}
	if v := total(lsm(logits)); math.IsNaN(v) || math.IsInf(v, 0) {
		t.Fatalf("loss = %v; finite differences need a finite loss", v)
	}
	g := res.Grads["log_probs"].Data
	lp := lsm(logits)

	// Logits: the log_softmax backward v − softmax·Σ_c v_c.
	for i := 0; i < len(g); i += C {
		sg := Sum(g[i : i+C])
		for c := range C {
			want := g[i+c] - math.Exp(lp.Data[i+c])*sg
			orig := logits.Data[i+c]
			logits.Data[i+c] = orig + fdStep
			up := total(lsm(logits))
			logits.Data[i+c] = orig - fdStep
			down := total(lsm(logits))
			logits.Data[i+c] = orig
			if fd := (up - down) / (2 * fdStep); !closeTo(want, fd, fdRTol, fdATol) {
				t.Errorf("d loss / d logits[%d] = %v; finite differences give %v", i+c, want, fd)
			}
		}
	}

	// Free log_probs: −g_b·γ_t(c), γ summed from the occupancy of the
	// states carrying label c; PyTorch's gradient is g_b·(exp lp − γ).
	lats := detail.Detail["lattice"].([]CTCLattice)
	red := c.Reduction()
	for b := range N {
		lat := lats[b]
		gb := 1.0
		if red == ReductionMean {
			gb = 1 / float64(N) / math.Max(tgLen[b], 1)
		}
		for tt := range T {
			gamma := make([]float64, C)
			if tt < lat.InputLength {
				for s, lab := range lat.Extended {
					gamma[lab] += lat.Occupancy.Data[tt*len(lat.Extended)+s]
				}
			}
			for cl := range C {
				k := (tt*N+b)*C + cl
				free := -gb * gamma[cl]
				dropped := c.Bool("zero_infinity") && math.IsInf(float64(lat.LogLikelihood), -1)
				if tt < lat.InputLength && !dropped {
					if want := gb * (math.Exp(lp.Data[k]) - gamma[cl]); !closeTo(g[k], want, 1e-9, 1e-12) {
						t.Errorf("grad[%d, %d, %d] = %v; want g_b·(exp lp − γ) = %v", tt, b, cl, g[k], want)
					}
				}
				orig := lp.Data[k]
				lp.Data[k] = orig + fdStep
				up := total(lp)
				lp.Data[k] = orig - fdStep
				down := total(lp)
				lp.Data[k] = orig
				if fd := (up - down) / (2 * fdStep); !closeTo(free, fd, fdRTol, fdATol) {
					t.Errorf("d loss / d free log_probs[%d, %d, %d] = −g_b·γ = %v; finite differences give %v", tt, b, cl, free, fd)
				}
			}
		}
	}
}

// TestCTCGradientsFiniteDifferences is CTCLoss's replacement for the
// generic finite-difference test (which it skips: see Spec.GradientNote),
// on Random(ScaleTiny) and with non-default parameters.
func TestCTCGradientsFiniteDifferences(t *testing.T) {
	spec := ctcSpec(t)
	rng := rand.New(rand.NewPCG(3, 11))
	for _, red := range []string{"none", "mean", "sum"} {
		t.Run("random/"+red, func(t *testing.T) {
			for range 2 {
				in := spec.Random(rng, ScaleTiny)
				// Random gives log_softmax output; use it as logits (log_softmax is idempotent).
				ctcLogitsFD(t, map[string]any{"reduction": red}, in["log_probs"], in["targets"], in["input_lengths"].Data, in["target_lengths"].Data)
			}
		})
	}
	logits := RandN(rng, 7, 3, 4)
	for _, test := range []struct {
		name    string
		params  map[string]any
		targets []float64 // padded (3, 3)
		inLen   []float64
		tgLen   []float64
	}{
		{"blank=2 repeats and empty target", map[string]any{"blank": 2, "reduction": "mean"},
			[]float64{0, 0, 3, 3, 1, 0, 1, 0, 1}, []float64{7, 6, 3}, []float64{0, 2, 3}},
		{"zero_infinity with infinite sample", map[string]any{"zero_infinity": true, "reduction": "sum"},
			[]float64{1, 2, 3, 3, 1, 2, 1, 2, 1}, []float64{7, 6, 2}, []float64{2, 2, 3}},
		{"zero_infinity mean blank=3", map[string]any{"zero_infinity": true, "blank": 3},
			[]float64{1, 2, 0, 2, 2, 1, 0, 1, 2}, []float64{7, 2, 5}, []float64{1, 3, 3}},
	} {
		t.Run(test.name, func(t *testing.T) {
			tg := &Tensor{Shape: []int{3, 3}, Data: test.targets}
			ctcLogitsFD(t, test.params, logits, tg, test.inLen, test.tgLen)
		})
	}
}

// TestCTCFastPathMatchesLogSpace compares what CTCLoss returns (the
// scaled probability-space path for every sample it accepts) with ATen's
// log-space recursion run on every sample, on random problems, including
// ones that must fall back.
func TestCTCFastPathMatchesLogSpace(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, test := range []struct {
		name        string
		T, N, C, L  int
		scale       float64
		wantFast    bool
		repeatLabel bool
	}{
		{"small", 8, 3, 4, 3, 1, true, false},
		{"repeats", 12, 2, 3, 5, 1, true, true},
		{"long", 200, 2, 32, 40, 1, true, false},
		{"confident", 30, 2, 6, 6, 40, false, false},
		// scale 0: blank log-prob 0, labels −60 (p ≈ 1e-26, inside the
		// bounds), so states k labels ahead are e^(−60k) behind the row's
		// maximum and the scaled lattice must give up.
		{"scaled underflow", 60, 2, 4, 20, 0, false, false},
	} {
		t.Run(test.name, func(t *testing.T) {
			lp := ctcRandLogProbs(rng, test.scale, test.T, test.N, test.C)
			if test.scale == 0 {
				for i := range lp.Data {
					lp.Data[i] = -60 - rng.Float64()
					if i%test.C == 0 {
						lp.Data[i] = 0
					}
				}
			}
			tg := NewTensor(test.N, test.L)
			for i := range tg.Data {
				tg.Data[i] = float64(1 + rng.IntN(test.C-1))
				if test.repeatLabel && i%2 == 1 {
					tg.Data[i] = tg.Data[i-1]
				}
			}
			inLen, tgLen := make([]float64, test.N), make([]float64, test.N)
			for b := range test.N {
				inLen[b] = float64(test.T - b)
				tgLen[b] = float64(test.L - b)
			}
			inputs := ctcInputs(lp, tg, inLen, tgLen)
			for _, red := range []string{"none", "mean"} {
				params := map[string]any{"reduction": red}
				fast := ctcCompute(t, params, inputs, false)
				c, err := NewCall(ctcSpec(t), params, inputs)
				if err != nil {
					t.Fatal(err)
				}
				nll, grad := ctcLogSpace(t, c)
				compareTensorTol(t, "elements", fast.Elements, nll, 1e-12, 1e-14)
				compareTensorTol(t, "grad", fast.Grads["log_probs"], grad, 1e-10, 1e-12)
			}

			c, err := NewCall(ctcSpec(t), nil, inputs)
			if err != nil {
				t.Fatal(err)
			}
			w := new(ctcWork)
			if err := w.p.init(c); err != nil {
				t.Fatal(err)
			}
			w.prepare()
			_, ok := w.fast(0, 1, NewTensor(lp.Shape...).Data)
			if ok != test.wantFast {
				t.Errorf("fast path taken = %v; want %v", ok, test.wantFast)
			}
		})
	}
}

// ctcLogSpace runs ATen's log-space recursion (forward, backward,
// finishGrad, and zero_infinity's clearGrad) on every sample of c, the
// path computeCTC keeps for the samples its fast path refuses, and returns
// the per-sample losses and the gradient.
func ctcLogSpace(t *testing.T, c *Call) (el, grad *Tensor) {
	t.Helper()
	w := new(ctcWork)
	if err := w.p.init(c); err != nil {
		t.Fatal(err)
	}
	w.prepare()
	el = NewTensor(w.p.N)
	grad = NewTensor(c.Input("log_probs").Shape...)
	for b := range w.p.N {
		nll := w.forward(b)
		el.Data[b] = ctcZeroInfinity(nll, w.p.zeroInf)
		if w.p.zeroInf && math.IsInf(nll, 1) {
			continue // the gradient stays 0
		}
		w.backward(b, grad.Data)
		w.finishGrad(b, nll, w.p.sampleScale(b), grad.Data)
	}
	return el, grad
}

// TestCTCExample checks that the inputs the spec offers as examples make a
// valid call with a finite loss.
func TestCTCExample(t *testing.T) {
	spec := ctcSpec(t)
	inputs := map[string]*Tensor{}
	for _, in := range spec.Inputs {
		data, err := json.Marshal(in.Example)
		if err != nil {
			t.Fatal(err)
		}
		x, err := ParseTensor(data)
		if err != nil {
			t.Fatalf("%s example: %v", in.Name, err)
		}
		inputs[in.Name] = x
	}
	r := ctcCompute(t, nil, inputs, true)
	if v := r.Loss.Data[0]; math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
		t.Errorf("example loss = %v; want a finite positive loss", v)
	}
	if lats := r.Detail["lattice"].([]CTCLattice); len(lats) != 2 || len(lats[1].ViterbiPath) != 3 {
		t.Errorf("example lattices = %d, second Viterbi path %v; want 2 lattices, a 3-frame path", len(lats), lats[1].ViterbiPath)
	}
}

// TestCTCFixturesLogSpace runs the PyTorch fixtures through the exact
// log-space path on every sample (ctcLogSpace; Compute takes the fast path
// wherever it can, with or without Detail), so both paths are held to
// PyTorch's values.
func TestCTCFixturesLogSpace(t *testing.T) {
	data, err := os.ReadFile("testdata/fixtures/ctc.json")
	if err != nil {
		t.Fatal(err)
	}
	var ff fixtureFile
	if err := json.Unmarshal(data, &ff); err != nil {
		t.Fatal(err)
	}
	for _, fc := range ff.Cases {
		if fc.Error != "" {
			continue
		}
		t.Run(fc.Name, func(t *testing.T) {
			c, err := DecodeCall(ctcSpec(t), fc.Params, fc.Inputs)
			if err != nil {
				t.Fatal(err)
			}
			el, grad := ctcLogSpace(t, c)
			loss := el
			switch c.Reduction() {
			case ReductionSum:
				loss = Scalar(Sum(el.Data))
			case ReductionMean:
				// (nll / clamp_min(target_lengths, 1)).mean()
				tl, s := c.Input("target_lengths").Data, 0.0
				for b, v := range el.Data {
					s += v / max(tl[b], 1)
				}
				loss = Scalar(s / float64(len(el.Data)))
			}
			if c.Input("log_probs").Dim() == 2 {
				loss.Shape = []int{} // unbatched 'none': the one sample's 0-d loss
			}
			compareTensor(t, "loss", loss, &fc.Want.Loss)
			want := fc.Want.Grads["log_probs"]
			compareTensor(t, "grad log_probs", grad, &want)
		})
	}
}

// TestCTCNeverPanics feeds CTCLoss seeded random shapes, lengths, labels
// and log-probs (including NaN, ±Inf and huge values): every call must
// return an *Error or a result of the right shapes, never panic.
func TestCTCNeverPanics(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 17))
	values := []float64{0, -1, 1, 2, 3, 5, -0.5, 1e300, -1e300, math.NaN(), math.Inf(1), math.Inf(-1)}
	randShape := func(maxDim int) []int {
		shape := make([]int, rng.IntN(maxDim+1))
		for i := range shape {
			shape[i] = rng.IntN(4)
		}
		return shape
	}
	randTensor := func(shape []int, integer bool) *Tensor {
		x := NewTensor(shape...)
		for i := range x.Data {
			if integer {
				x.Data[i] = float64(rng.IntN(8) - 2)
			} else {
				x.Data[i] = values[rng.IntN(len(values))]
			}
		}
		return x
	}
	succeeded := 0
	for i := range 3000 {
		inputs := map[string]*Tensor{
			"log_probs":      randTensor(randShape(4), false),
			"targets":        randTensor(randShape(3), true),
			"input_lengths":  randTensor(randShape(2), true),
			"target_lengths": randTensor(randShape(2), true),
		}
		if i%2 == 0 {
			// Mostly consistent shapes, so that many calls get through
			// validation to the lattice.
			T, N, C := 1+rng.IntN(4), rng.IntN(3), 1+rng.IntN(4)
			inputs["log_probs"] = randTensor([]int{T, N, C}, false)
			inputs["targets"] = randTensor([]int{N, rng.IntN(3)}, true)
			inputs["input_lengths"] = randTensor([]int{N}, true)
			inputs["target_lengths"] = randTensor([]int{N}, true)
			for b := range N {
				inputs["input_lengths"].Data[b] = float64(1 + rng.IntN(T))
				inputs["target_lengths"].Data[b] = float64(rng.IntN(inputs["targets"].Shape[1] + 1))
			}
		}
		params := map[string]any{"blank": rng.IntN(3), "reduction": []string{"none", "mean", "sum"}[rng.IntN(3)],
			"zero_infinity": rng.IntN(2) == 0}
		func() {
			defer func() {
				if e := recover(); e != nil {
					t.Fatalf("call %d: CTCLoss(%v, %v) panicked: %v", i, params, inputs, e)
				}
			}()
			c, err := NewCall(ctcSpec(t), params, inputs)
			if err != nil {
				t.Fatalf("NewCall: %v", err)
			}
			c.Detail = rng.IntN(2) == 0
			r, err := c.Compute()
			if err != nil {
				if _, ok := err.(*Error); !ok {
					t.Fatalf("call %d: error %v is a %T; want *engine.Error", i, err, err)
				}
				return
			}
			if g := r.Grads["log_probs"]; !slices.Equal(g.Shape, inputs["log_probs"].Shape) {
				t.Errorf("call %d: grad shape = %v; want %v", i, g.Shape, inputs["log_probs"].Shape)
			}
			succeeded++
		}()
	}
	if succeeded < 300 {
		t.Errorf("only %d of 3000 random calls were valid; want at least 300 to exercise the lattice", succeeded)
	}
}
