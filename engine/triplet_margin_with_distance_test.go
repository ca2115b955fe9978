package engine

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func TestTripletMarginWithDistanceCosine(t *testing.T) {
	t.Run("norms below eps are clamped to eps", func(t *testing.T) {
		// ‖a‖ = 2.2e−9 < 1e−8, so a/1e−8 = (0.1, 0.2); autograd sees the
		// clamped norm as the norm: ∂cos/∂a_j = (w_j − (a_j/n)·cos)/n.
		res := marginTestTriplet(t, "TripletMarginWithDistanceLoss",
			map[string]any{"distance_function": "cosine", "margin": 2.0, "reduction": "sum"},
			[]float64{1e-9, 2e-9}, []float64{3, 1}, []float64{-1, 1})
		w0, w1 := 3/math.Sqrt(10), 1/math.Sqrt(10)
		cos := 0.1*w0 + 0.2*w1
		marginTestCheck(t, "d_ap", res.Detail["d_ap"].(*Tensor), 1-cos)
		// ∂d_ap/∂a_j = −(w_j − (a_j/n)·cos)/n; PyTorch 1.13 gives
		// −93287190.9750, −28460498.9415 for it.
		dap0, dap1 := -(w0-0.1*cos)/1e-8, -(w1-0.2*cos)/1e-8
		if math.Abs(dap0+93287190.9750) > 1e-3 || math.Abs(dap1+28460498.9415) > 1e-3 {
			t.Fatalf("test formula gives %v, %v; PyTorch gave −93287190.9750, −28460498.9415", dap0, dap1)
		}
		// The hinge is active, so the anchor also gets −∂d_an/∂a, with
		// v = n/‖n‖ = (−1, 1)/√2.
		v0, v1 := -1/math.Sqrt2, 1/math.Sqrt2
		cosN := 0.1*v0 + 0.2*v1
		dan0, dan1 := -(v0-0.1*cosN)/1e-8, -(v1-0.2*cosN)/1e-8
		marginTestCheck(t, "grad anchor", res.Grads["anchor"], dap0-dan0, dap1-dan1)
		// ∂d_ap/∂p_j = −(a_j/n − w_j·cos)/‖p‖.
		np := math.Sqrt(10)
		marginTestCheck(t, "grad positive", res.Grads["positive"], -(0.1-w0*cos)/np, -(0.2-w1*cos)/np)
	})
	t.Run("1-D inputs have no dimension 1", func(t *testing.T) {
		_, err := tryCompute(t, "TripletMarginWithDistanceLoss", map[string]any{"distance_function": "cosine"},
			map[string]*Tensor{"anchor": NewTensor(3), "positive": NewTensor(3), "negative": NewTensor(3)})
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("error = %v; want an *Error", err)
		}
	})
	t.Run("a 1-D anchor broadcasts against 2-D inputs", func(t *testing.T) {
		res, err := tryCompute(t, "TripletMarginWithDistanceLoss", map[string]any{"distance_function": "cosine", "reduction": "none"},
			map[string]*Tensor{"anchor": marginTestTensor([]int{2}, 1, 0), "positive": marginTestTensor([]int{2, 2}, 1, 0, 0, 1),
				"negative": marginTestTensor([]int{2, 2}, 0, 1, 1, 0)})
		if err != nil {
			t.Fatal(err)
		}
		// Row 0: d_ap = 0, d_an = 1; row 1: d_ap = 1, d_an = 0.
		marginTestCheck(t, "loss", res.Loss, 0, 2)
	})
}

func TestTripletMarginWithDistanceNoRankCheck(t *testing.T) {
	// Unlike TripletMarginLoss, ranks need not match: a 1-D positive
	// broadcasts against the 2-D anchor.
	res, err := tryCompute(t, "TripletMarginWithDistanceLoss", map[string]any{"reduction": "none", "margin": 0.0},
		map[string]*Tensor{"anchor": marginTestTensor([]int{2, 1}, 0, 3), "positive": marginTestTensor([]int{1}, 1),
			"negative": marginTestTensor([]int{2, 1}, 2, 3)})
	if err != nil {
		t.Fatal(err)
	}
	// d = |u − v + 1e−6|: row 0: 1 − 1e−6 vs 2 − 1e−6; row 1: 2 + 1e−6 vs 1e−6.
	marginTestCheck(t, "loss", res.Loss, 0, 2)
}

func TestTripletMarginWithDistanceGradients(t *testing.T) {
	spec, _ := Lookup("TripletMarginWithDistanceLoss")
	rng := rand.New(rand.NewPCG(15, 16))
	for _, test := range []struct {
		name    string
		params  map[string]any
		a, p, n []int
	}{
		{"cosine", map[string]any{"distance_function": "cosine"}, []int{3, 4}, []int{3, 4}, []int{3, 4}},
		{"cosine, swap, none", map[string]any{"distance_function": "cosine", "swap": true, "margin": 1.5, "reduction": "none"},
			[]int{3, 4}, []int{3, 4}, []int{3, 4}},
		{"cosine 3-D", map[string]any{"distance_function": "cosine", "margin": 2.5, "reduction": "sum"}, []int{2, 3, 2}, []int{2, 3, 2}, []int{1, 3, 2}},
		{"cosine 1-D anchor", map[string]any{"distance_function": "cosine", "margin": 2.5}, []int{4}, []int{3, 4}, []int{3, 4}},
		{"pairwise, swap, margin 2", map[string]any{"swap": true, "margin": 2.0}, []int{3, 4}, []int{3, 4}, []int{3, 4}},
		{"pairwise, mixed ranks", map[string]any{"margin": 3.0}, []int{3, 4}, []int{4}, []int{1, 4}},
	} {
		t.Run(test.name, func(t *testing.T) {
			checkGradients(t, spec, test.params, map[string]*Tensor{
				"anchor": RandN(rng, test.a...), "positive": RandN(rng, test.p...), "negative": RandN(rng, test.n...)})
		})
	}
}
