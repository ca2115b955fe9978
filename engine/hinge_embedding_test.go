package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestHingeEmbeddingTraps(t *testing.T) {
	nan := math.NaN()
	for _, test := range []struct {
		name       string
		x, y       float64
		margin     float64
		loss, grad float64
	}{
		{"y=1 is the distance", 0.3, 1, 1, 0.3, 1},
		{"y=−1 inside the margin", 0.3, -1, 1, 0.7, -1},
		{"y=−1 beyond the margin", 1.5, -1, 1, 0, 0},
		// The clamp passes the gradient at margin − x = 0.
		{"y=−1 at x = margin", 1, -1, 1, 0, -1},
		// Any other target sums both branches: (1 − 0.3) + 0.3, gradients −1 + 1.
		{"y=0 sums both branches", 0.3, 0, 1, 1, 0},
		{"y=2 sums both branches", 1.5, 2, 1, 1.5, 1},
		{"y=NaN sums both branches", 0.3, nan, 1, 1, 0},
		{"negative margin", -1, -1, -0.5, 0.5, -1},
		// clamp_min(NaN) is NaN and its gradient 0.
		{"NaN input, y=−1", nan, -1, 1, nan, 0},
		{"NaN input, y=1", nan, 1, 1, nan, 1},
	} {
		t.Run(test.name, func(t *testing.T) {
			res, err := tryCompute(t, "HingeEmbeddingLoss", map[string]any{"margin": test.margin, "reduction": "sum"},
				map[string]*Tensor{"input": marginTestTensor([]int{1}, test.x), "target": marginTestTensor([]int{1}, test.y)})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Loss.Data[0]; !marginTestClose(got, test.loss) {
				t.Errorf("loss(x=%v, y=%v, margin=%v) = %v; want %v", test.x, test.y, test.margin, got, test.loss)
			}
			if got := res.Grads["input"].Data[0]; !marginTestClose(got, test.grad) {
				t.Errorf("grad(x=%v, y=%v, margin=%v) = %v; want %v", test.x, test.y, test.margin, got, test.grad)
			}
		})
	}
}

func TestHingeEmbeddingBroadcast(t *testing.T) {
	// A (2, 1) input against a (3) target: the 'none' loss is (2, 3) and the
	// gradient sums over the broadcast row.
	res, err := tryCompute(t, "HingeEmbeddingLoss", map[string]any{"reduction": "none"}, map[string]*Tensor{
		"input": marginTestTensor([]int{2, 1}, 0.5, 2), "target": marginTestTensor([]int{3}, 1, -1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	marginTestCheck(t, "loss", res.Loss, 0.5, 0.5, 1, 2, 0, 2)
	marginTestCheck(t, "grad", res.Grads["input"], 0, 2) // row 0: +1 (y=1), −1 (y=−1, inside the margin), 0 (y=0); row 1: +1, 0, +1
	marginTestCheck(t, "yx", res.Detail["yx"].(*Tensor), 0.5, -0.5, 0, 2, -2, 0)
}

func TestHingeEmbeddingGradients(t *testing.T) {
	spec, _ := Lookup("HingeEmbeddingLoss")
	rng := rand.New(rand.NewPCG(7, 8))
	for _, test := range []struct {
		name   string
		params map[string]any
	}{
		{"margin 2", map[string]any{"margin": 2.0}},
		{"margin 0.5, none", map[string]any{"margin": 0.5, "reduction": "none"}},
		{"negative margin, sum", map[string]any{"margin": -0.5, "reduction": "sum"}},
	} {
		t.Run(test.name, func(t *testing.T) {
			y := randomSigns(rng, 3, 4)
			y.Data[1], y.Data[5] = 0, 3 // both branches
			checkGradients(t, spec, test.params, map[string]*Tensor{"input": RandU(rng, -1, 3, 3, 4), "target": y})
		})
	}
}
