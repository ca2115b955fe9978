package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestHuberGradients(t *testing.T) {
	same := func(rng *rand.Rand) map[string]*Tensor {
		return map[string]*Tensor{"input": RandN(rng, 3, 4), "target": RandN(rng, 3, 4)}
	}
	regprobGrad(t, "HuberLoss", []struct {
		name   string
		params map[string]any
		inputs func(rng *rand.Rand) map[string]*Tensor
	}{
		{"delta=0.3", map[string]any{"delta": 0.3}, same},
		{"delta=2.5/sum", map[string]any{"delta": 2.5, "reduction": "sum"}, same},
		{"delta=0.05/none", map[string]any{"delta": 0.05, "reduction": "none"}, same},
		{"broadcast-target", map[string]any{"delta": 0.7}, func(rng *rand.Rand) map[string]*Tensor {
			return map[string]*Tensor{"input": RandN(rng, 2, 3, 4), "target": RandN(rng, 4)}
		}},
	})
}

func TestHuberTraps(t *testing.T) {
	regprobRun(t, []regprobCase{
		{name: "quadratic inside delta, linear with slope delta outside", loss: "HuberLoss",
			params: map[string]any{"delta": 0.5, "reduction": "none"},
			inputs: map[string]string{"input": "[0, 0.3, 1, -2]", "target": "[0, 0, 0, 0]"},
			want:   "[0, 0.045, 0.375, 0.875]", grads: map[string]string{"input": "[0, 0.3, 0.5, -0.5]"}},
		{name: "gradient is ±delta at |d| = delta", loss: "HuberLoss",
			params: map[string]any{"delta": 2.0, "reduction": "none"},
			inputs: map[string]string{"input": "[2, -2]", "target": "[0, 0]"},
			want:   "[2, 2]", grads: map[string]string{"input": "[2, -2]"}},
		{name: "delta=inf is all quadratic", loss: "HuberLoss",
			params: map[string]any{"delta": Scalar(math.Inf(1)), "reduction": "none"},
			inputs: map[string]string{"input": "[1, 2]", "target": "[1, 1]"},
			want:   "[0, 0.5]", grads: map[string]string{"input": "[0, 1]"}},
		{name: "mean divides by the broadcast numel", loss: "HuberLoss",
			inputs: map[string]string{"input": "[[0], [1]]", "target": "[0, 3]"},
			want:   "1.125", grads: map[string]string{"input": "[[-0.25], [0]]"}},
		{name: "delta=0 is rejected", loss: "HuberLoss", params: map[string]any{"delta": 0.0},
			inputs: map[string]string{"input": "[1]", "target": "[0]"}, errWant: "params.delta"},
		{name: "negative delta", loss: "HuberLoss", params: map[string]any{"delta": -1.0},
			inputs: map[string]string{"input": "[1]", "target": "[0]"}, errWant: "params.delta"},
		{name: "NaN delta", loss: "HuberLoss", params: map[string]any{"delta": Scalar(math.NaN())},
			inputs: map[string]string{"input": "[1]", "target": "[0]"}, errWant: "params.delta"},
		{name: "no legacy arguments", loss: "HuberLoss", params: map[string]any{"size_average": false},
			inputs: map[string]string{"input": "[1]", "target": "[0]"}, errWant: "params.size_average"},
	})
}

// TestHuberIsDeltaTimesSmoothL1 checks PyTorch's identity
// Huber(δ) = δ·SmoothL1(β = δ), values and gradients.
func TestHuberIsDeltaTimesSmoothL1(t *testing.T) {
	huber, _ := Lookup("HuberLoss")
	smooth, _ := Lookup("SmoothL1Loss")
	rng := rand.New(rand.NewPCG(5, 8))
	for _, delta := range []float64{0.1, 0.5, 1, 3} {
		inputs := map[string]*Tensor{"input": RandN(rng, 4, 5), "target": RandN(rng, 4, 5)}
		hc, err := NewCall(huber, map[string]any{"delta": delta, "reduction": "none"}, inputs)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := NewCall(smooth, map[string]any{"beta": delta, "reduction": "none"}, inputs)
		if err != nil {
			t.Fatal(err)
		}
		h, err := hc.Compute()
		if err != nil {
			t.Fatal(err)
		}
		s, err := sc.Compute()
		if err != nil {
			t.Fatal(err)
		}
		for i := range h.Loss.Data {
			if want := delta * s.Loss.Data[i]; !closeTo(h.Loss.Data[i], want, 1e-12, 1e-15) {
				t.Errorf("delta=%g: Huber[%d] = %v; want δ·SmoothL1 = %v", delta, i, h.Loss.Data[i], want)
			}
			if want := delta * s.Grads["input"].Data[i]; !closeTo(h.Grads["input"].Data[i], want, 1e-12, 1e-15) {
				t.Errorf("delta=%g: Huber grad[%d] = %v; want δ·SmoothL1 grad = %v", delta, i, h.Grads["input"].Data[i], want)
			}
		}
	}
}

// TestPiecewiseNegativeZeroGradient checks the sign of a zero gradient
// when the target broadcasts and the input does not: PyTorch 1.13 gives
// −0 at input −0, target 0 (x.grad prints tensor([-0., 1.])) for both
// losses of the shared kernel.
func TestPiecewiseNegativeZeroGradient(t *testing.T) {
	for _, test := range []struct {
		loss   string
		params map[string]any
	}{
		{"HuberLoss", map[string]any{"delta": 1.0, "reduction": "sum"}},
		{"SmoothL1Loss", map[string]any{"beta": 1.0, "reduction": "sum"}},
	} {
		t.Run(test.loss, func(t *testing.T) {
			spec, _ := Lookup(test.loss)
			input := &Tensor{Shape: []int{2}, Data: []float64{math.Copysign(0, -1), 1}}
			target := &Tensor{Shape: []int{1}, Data: []float64{0}}
			c, err := NewCall(spec, test.params, map[string]*Tensor{"input": input, "target": target})
			if err != nil {
				t.Fatal(err)
			}
			r, err := c.Compute()
			if err != nil {
				t.Fatal(err)
			}
			if g := r.Grads["input"].Data; !math.Signbit(g[0]) || g[1] != 1 {
				t.Errorf("grad = %v (sign bit of [0]: %t); want [-0 1]", g, math.Signbit(g[0]))
			}
		})
	}
}
