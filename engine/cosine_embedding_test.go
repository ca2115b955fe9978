package engine

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func TestCosineEmbeddingTraps(t *testing.T) {
	const eps = f32Eps12 // added to each squared norm
	for _, test := range []struct {
		name      string
		x1, x2    []float64
		y, margin float64
		loss      float64
		g1, g2    []float64 // nil: not checked
	}{
		// cos = 1e−12 / (1e−12 + ε) ≈ 0.5, not 1: ε is added to each squared norm.
		{name: "eps added to each squared norm", x1: []float64{1e-6, 0}, x2: []float64{1e-6, 0}, y: 1,
			loss: 1 - 1e-12/(1e-12+eps)},
		// A zero vector has cos = 0; its gradient is x2/sqrt(ε·(Σx2² + ε)), huge but finite.
		{name: "zero vector", x1: []float64{0, 0, 0}, x2: []float64{1, 1, 1}, y: 1, loss: 1,
			g1: []float64{-1 / math.Sqrt(eps*(3+eps)), -1 / math.Sqrt(eps*(3+eps)), -1 / math.Sqrt(eps*(3+eps))},
			g2: []float64{0, 0, 0}},
		{name: "y = 0 gives 0", x1: []float64{1, 2}, x2: []float64{2, 1}, y: 0, loss: 0,
			g1: []float64{0, 0}, g2: []float64{0, 0}},
		{name: "y = 2 gives 0", x1: []float64{1, 2}, x2: []float64{2, 1}, y: 2, loss: 0,
			g1: []float64{0, 0}, g2: []float64{0, 0}},
		// Orthogonal with margin 0: cos − margin = 0 and the clamp passes
		// ∂cos/∂x1 = x2/sqrt(AB) − cos·x1/A = x2/(1 + ε).
		{name: "hinge edge passes the gradient", x1: []float64{1, 0}, x2: []float64{0, 1}, y: -1, loss: 0,
			g1: []float64{0, 1 / (1 + eps)}, g2: []float64{1 / (1 + eps), 0}},
		{name: "y = −1 below the margin", x1: []float64{1, 0}, x2: []float64{1, 1}, y: -1, margin: 0.8, loss: 0,
			g1: []float64{0, 0}, g2: []float64{0, 0}},
		{name: "y = −1 above the margin", x1: []float64{3, 0}, x2: []float64{1, 1}, y: -1, margin: 0.5,
			loss: 3/math.Sqrt((9+eps)*(2+eps)) - 0.5},
	} {
		t.Run(test.name, func(t *testing.T) {
			res, err := tryCompute(t, "CosineEmbeddingLoss", map[string]any{"margin": test.margin, "reduction": "sum"},
				map[string]*Tensor{
					"input1": marginTestTensor([]int{len(test.x1)}, test.x1...),
					"input2": marginTestTensor([]int{len(test.x2)}, test.x2...),
					"target": Scalar(test.y),
				})
			if err != nil {
				t.Fatal(err)
			}
			marginTestCheck(t, "loss", res.Loss, test.loss)
			if test.g1 != nil {
				marginTestCheck(t, "grad input1", res.Grads["input1"], test.g1...)
				marginTestCheck(t, "grad input2", res.Grads["input2"], test.g2...)
			}
		})
	}
}

func TestCosineEmbeddingBroadcast(t *testing.T) {
	// input2 of shape (1, 1) against (1, 3): the product sums over the
	// broadcast features, but Σ x2² over input2's single feature, so the
	// "cosine" is 12/sqrt(14·4) > 1, as in PyTorch.
	res, err := tryCompute(t, "CosineEmbeddingLoss", map[string]any{"reduction": "none"}, map[string]*Tensor{
		"input1": marginTestTensor([]int{1, 3}, 1, 2, 3),
		"input2": marginTestTensor([]int{1, 1}, 2),
		"target": marginTestTensor([]int{2}, 1, -1),
	})
	if err != nil {
		t.Fatal(err)
	}
	cos := 12 / math.Sqrt((14+f32Eps12)*(4+f32Eps12))
	marginTestCheck(t, "loss", res.Loss, 1-cos, cos)
	marginTestCheck(t, "cos", res.Detail["cos"].(*Tensor), cos, cos)
}

func TestCosineEmbeddingErrors(t *testing.T) {
	for _, test := range []struct {
		name      string
		x1, x2, y *Tensor
		field     string
	}{
		{"2-D target", NewTensor(2, 3), NewTensor(2, 3), NewTensor(2, 1), "target"},
		{"1-D target with 1-D inputs", NewTensor(3), NewTensor(3), NewTensor(1), "input1"},
		{"0-D target with 2-D inputs", NewTensor(2, 3), NewTensor(2, 3), Scalar(1), "input1"},
		{"feature mismatch", NewTensor(2, 3), NewTensor(2, 2), NewTensor(2), "input2"},
		{"target length mismatch", NewTensor(2, 3), NewTensor(2, 3), NewTensor(3), "target"},
	} {
		t.Run(test.name, func(t *testing.T) {
			_, err := tryCompute(t, "CosineEmbeddingLoss", nil, map[string]*Tensor{"input1": test.x1, "input2": test.x2, "target": test.y})
			var e *Error
			if !errors.As(err, &e) || e.Field != test.field {
				t.Errorf("error = %v; want an *Error on %s", err, test.field)
			}
		})
	}
}

func TestCosineEmbeddingEmptyBatch(t *testing.T) {
	res, err := tryCompute(t, "CosineEmbeddingLoss", nil, map[string]*Tensor{
		"input1": NewTensor(0, 3), "input2": NewTensor(0, 3), "target": NewTensor(0)})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Loss.Data[0]; !math.IsNaN(got) {
		t.Errorf("mean over an empty batch = %v; want NaN", got)
	}
}

func TestCosineEmbeddingGradients(t *testing.T) {
	spec, _ := Lookup("CosineEmbeddingLoss")
	rng := rand.New(rand.NewPCG(11, 12))
	for _, test := range []struct {
		name       string
		params     map[string]any
		s1, s2, sy []int
	}{
		{"margin −0.3", map[string]any{"margin": -0.3}, []int{4, 3}, []int{4, 3}, []int{4}},
		{"negative margin, sum", map[string]any{"margin": -0.5, "reduction": "sum"}, []int{4, 3}, []int{4, 3}, []int{4}},
		{"broadcast input2 row", map[string]any{"margin": -0.2, "reduction": "none"}, []int{3, 4}, []int{1, 4}, []int{3}},
		{"broadcast target", map[string]any{"margin": -1.0}, []int{3, 4}, []int{3, 4}, []int{1}},
		{"broadcast pairs by target", map[string]any{"margin": -1.0}, []int{1, 4}, []int{1, 4}, []int{3}},
		{"broadcast features", map[string]any{"margin": -1.0, "reduction": "none"}, []int{3, 4}, []int{3, 1}, []int{3}},
		{"1-D", map[string]any{"margin": -1.0}, []int{5}, []int{5}, []int{}},
	} {
		t.Run(test.name, func(t *testing.T) {
			checkGradients(t, spec, test.params, map[string]*Tensor{
				"input1": RandN(rng, test.s1...), "input2": RandN(rng, test.s2...), "target": randomSigns(rng, test.sy...)})
		})
	}
}
