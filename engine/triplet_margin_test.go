package engine

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// marginTestTriplet evaluates a triplet loss on rows of two features.
func marginTestTriplet(t *testing.T, loss string, params map[string]any, a, p, n []float64) *Result {
	t.Helper()
	shape := []int{len(a) / 2, 2}
	res, err := tryCompute(t, loss, params, map[string]*Tensor{
		"anchor": marginTestTensor(shape, a...), "positive": marginTestTensor(shape, p...), "negative": marginTestTensor(shape, n...)})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestTripletMarginTraps(t *testing.T) {
	for _, test := range []struct {
		name       string
		params     map[string]any
		a, p, n    []float64
		loss       float64
		ga, gp, gn []float64
	}{
		// margin + d_ap − d_an = 1 + 1 − 2 = 0: the clamp passes the gradient.
		{name: "hinge kink passes the gradient", params: map[string]any{"eps": 0.0},
			a: []float64{0, 0}, p: []float64{1, 0}, n: []float64{2, 0},
			loss: 0, ga: []float64{0, 0}, gp: []float64{1, 0}, gn: []float64{-1, 0}},
		// a == p, so d(a, n) == d(p, n): the min splits the gradient 50/50;
		// d(a, p) = 0 has gradient 0 (norm_backward masks r = 0).
		{name: "swap tie splits the gradient", params: map[string]any{"eps": 0.0, "swap": true, "margin": 3.0},
			a: []float64{0, 1}, p: []float64{0, 1}, n: []float64{1, 1},
			loss: 2, ga: []float64{0.5, 0}, gp: []float64{0.5, 0}, gn: []float64{-1, 0}},
		// Without swap the negative distance is d(a, n) alone.
		{name: "no swap, no split", params: map[string]any{"eps": 0.0, "margin": 3.0},
			a: []float64{0, 1}, p: []float64{0, 1}, n: []float64{1, 1},
			loss: 2, ga: []float64{1, 0}, gp: []float64{0, 0}, gn: []float64{-1, 0}},
		// The same point is eps·sqrt(D) away: 1 + 1e−6·√2 − 1e−6·√2.
		{name: "same points", params: map[string]any{},
			a: []float64{1, 2}, p: []float64{1, 2}, n: []float64{1, 2},
			loss: 1, ga: []float64{0, 0}},
		{name: "p = 1", params: map[string]any{"p": 1.0, "eps": 0.0, "margin": 5.0},
			a: []float64{1, 2}, p: []float64{0, 4}, n: []float64{3, 2},
			// 5 + (1 + 2) − (2 + 0); ∂d_ap/∂a = sign(a − p), ∂d_an/∂a = sign(a − n) with sign(0) = 0.
			loss: 6, ga: []float64{1 + 1, -1 - 0}, gp: []float64{-1, 1}, gn: []float64{-1, 0}},
		{name: "p = inf", params: map[string]any{"p": Scalar(math.Inf(1)), "eps": 0.0, "margin": 5.0},
			a: []float64{0, 0}, p: []float64{1, -3}, n: []float64{2, 0},
			loss: 5 + 3 - 2, ga: []float64{1, 1}, gp: []float64{0, -1}, gn: []float64{-1, 0}},
	} {
		t.Run(test.name, func(t *testing.T) {
			params := map[string]any{"reduction": "sum"}
			for k, v := range test.params {
				params[k] = v
			}
			res := marginTestTriplet(t, "TripletMarginLoss", params, test.a, test.p, test.n)
			marginTestCheck(t, "loss", res.Loss, test.loss)
			if test.ga != nil {
				marginTestCheck(t, "grad anchor", res.Grads["anchor"], test.ga...)
			}
			if test.gp != nil {
				marginTestCheck(t, "grad positive", res.Grads["positive"], test.gp...)
				marginTestCheck(t, "grad negative", res.Grads["negative"], test.gn...)
			}
		})
	}
}

func TestTripletMarginSwapUsesPositiveNegative(t *testing.T) {
	// With eps = 0.1 the distance is asymmetric: d(p, n) = ‖(−0.1, 0.2)‖
	// while d(n, p) would be 0.3. Swap must use d(p, n).
	res := marginTestTriplet(t, "TripletMarginLoss", map[string]any{"eps": 0.1, "swap": true, "reduction": "none"},
		[]float64{0, 0}, []float64{0.5, 0.5}, []float64{0.7, 0.4})
	dap, dan, dpn := math.Sqrt(0.32), math.Sqrt(0.45), math.Sqrt(0.05)
	marginTestCheck(t, "d_ap", res.Detail["d_ap"].(*Tensor), dap)
	marginTestCheck(t, "d_an", res.Detail["d_an"].(*Tensor), dan)
	marginTestCheck(t, "d_pn", res.Detail["d_pn"].(*Tensor), dpn)
	marginTestCheck(t, "d_neg", res.Detail["d_neg"].(*Tensor), dpn)
	marginTestCheck(t, "loss", res.Loss, 1+dap-dpn)
}

func TestTripletMarginErrors(t *testing.T) {
	for _, test := range []struct {
		name    string
		params  map[string]any
		a, p, n *Tensor
		field   string
	}{
		{"ranks differ", nil, NewTensor(2, 3), NewTensor(2, 3), NewTensor(3), "anchor"},
		{"features do not broadcast", nil, NewTensor(2, 3), NewTensor(2, 3), NewTensor(1, 2), "negative"},
		{"batch does not broadcast", nil, NewTensor(3, 2), NewTensor(2, 2), NewTensor(3, 2), "positive"},
		{"negative p", map[string]any{"p": -1.0}, NewTensor(2, 3), NewTensor(2, 3), NewTensor(2, 3), "params.p"},
	} {
		t.Run(test.name, func(t *testing.T) {
			_, err := tryCompute(t, "TripletMarginLoss", test.params, map[string]*Tensor{"anchor": test.a, "positive": test.p, "negative": test.n})
			var e *Error
			if !errors.As(err, &e) || e.Field != test.field {
				t.Errorf("error = %v; want an *Error on %s", err, test.field)
			}
		})
	}
}

func TestTripletMarginEmptyBatch(t *testing.T) {
	res, err := tryCompute(t, "TripletMarginLoss", map[string]any{"swap": true}, map[string]*Tensor{
		"anchor": NewTensor(0, 3), "positive": NewTensor(0, 3), "negative": NewTensor(1, 3)})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Loss.Data[0]; !math.IsNaN(got) {
		t.Errorf("mean over an empty batch = %v; want NaN", got)
	}
	if g := res.Grads["negative"]; !slices.Equal(g.Shape, []int{1, 3}) || g.Data[0] != 0 {
		t.Errorf("grad negative = %v; want zeros of shape [1 3]", g)
	}
}

func TestTripletMarginGradients(t *testing.T) {
	spec, _ := Lookup("TripletMarginLoss")
	rng := rand.New(rand.NewPCG(13, 14))
	for _, test := range []struct {
		name    string
		params  map[string]any
		a, p, n []int
	}{
		{"p=1", map[string]any{"p": 1.0}, []int{3, 4}, []int{3, 4}, []int{3, 4}},
		{"p=1.5, swap", map[string]any{"p": 1.5, "swap": true, "margin": 2.0}, []int{3, 4}, []int{3, 4}, []int{3, 4}},
		{"p=3, none", map[string]any{"p": 3.0, "reduction": "none"}, []int{3, 4}, []int{3, 4}, []int{3, 4}},
		{"p=0.5", map[string]any{"p": 0.5, "margin": 3.0}, []int{3, 4}, []int{3, 4}, []int{3, 4}},
		{"p=inf, swap", map[string]any{"p": Scalar(math.Inf(1)), "swap": true, "margin": 2.0}, []int{3, 4}, []int{3, 4}, []int{3, 4}},
		{"eps 0.01, margin 0.2, sum", map[string]any{"eps": 0.01, "margin": 0.2, "reduction": "sum"}, []int{3, 4}, []int{3, 4}, []int{3, 4}},
		{"broadcast negative, swap", map[string]any{"swap": true, "margin": 2.0}, []int{3, 4}, []int{3, 4}, []int{1, 4}},
		{"1-D", map[string]any{"margin": 3.0}, []int{5}, []int{5}, []int{5}},
		{"3-D, swap", map[string]any{"swap": true, "margin": 3.0, "reduction": "none"}, []int{2, 3, 4}, []int{2, 3, 4}, []int{2, 1, 4}},
		{"legacy sum", map[string]any{"size_average": false, "margin": 3.0}, []int{3, 4}, []int{3, 4}, []int{3, 4}},
	} {
		t.Run(test.name, func(t *testing.T) {
			checkGradients(t, spec, test.params, map[string]*Tensor{
				"anchor": RandN(rng, test.a...), "positive": RandN(rng, test.p...), "negative": RandN(rng, test.n...)})
		})
	}
}
