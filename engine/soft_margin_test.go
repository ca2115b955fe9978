package engine

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSoftMarginTraps(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	e709 := math.Exp(709)
	for _, test := range []struct {
		name       string
		x, y       float64
		loss, grad float64
	}{
		// exp(−y·x) overflows: log(1 + ∞) = ∞ and −y·∞/∞ = NaN.
		{"overflow to inf and a NaN gradient", -800, 1, inf, nan},
		{"overflow with y = −1", 710, -1, inf, nan},
		{"just below overflow", -709, 1, math.Log(1 + e709), -e709 / (1 + e709)},
		{"confident and right", 800, 1, 0, 0},
		// Naive: 1 + exp(−40) rounds to 1, so the loss is exactly 0 where
		// log1p would give 4.2e−18.
		{"naive log(1 + e)", 40, 1, 0, -math.Exp(-40)},
		{"y = 0 is log 2", 3, 0, math.Ln2, 0},
		{"y = 2 is used as it is", 0.5, 2, math.Log(1 + math.Exp(-1)), -2 * math.Exp(-1) / (1 + math.Exp(-1))},
		{"NaN target", 1, nan, nan, nan},
	} {
		t.Run(test.name, func(t *testing.T) {
			res, err := tryCompute(t, "SoftMarginLoss", map[string]any{"reduction": "sum"},
				map[string]*Tensor{"input": marginTestTensor([]int{1}, test.x), "target": marginTestTensor([]int{1}, test.y)})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Loss.Data[0]; !marginTestClose(got, test.loss) || (test.loss == 0 && got != 0) {
				t.Errorf("loss(x=%v, y=%v) = %v; want %v", test.x, test.y, got, test.loss)
			}
			if got := res.Grads["input"].Data[0]; !marginTestClose(got, test.grad) {
				t.Errorf("grad(x=%v, y=%v) = %v; want %v", test.x, test.y, got, test.grad)
			}
		})
	}
}

func TestSoftMarginShapes(t *testing.T) {
	t.Run("target broadcasts to the input", func(t *testing.T) {
		res, err := tryCompute(t, "SoftMarginLoss", map[string]any{"reduction": "none"}, map[string]*Tensor{
			"input": marginTestTensor([]int{2, 2}, 1, 2, 3, 4), "target": marginTestTensor([]int{2}, 1, -1)})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(res.Loss.Shape, []int{2, 2}) {
			t.Errorf("loss shape = %v; want [2 2]", res.Loss.Shape)
		}
		marginTestCheck(t, "yx", res.Detail["yx"].(*Tensor), 1, -2, 3, -4)
	})
	t.Run("target may not broadcast the input up", func(t *testing.T) {
		_, err := tryCompute(t, "SoftMarginLoss", nil, map[string]*Tensor{
			"input": marginTestTensor([]int{2}, 1, 2), "target": NewTensor(3, 2)})
		var e *Error
		if !errors.As(err, &e) || e.Field != "target" {
			t.Errorf("error = %v; want an *Error on target", err)
		}
	})
}

func TestSoftMarginGradients(t *testing.T) {
	spec, _ := Lookup("SoftMarginLoss")
	rng := rand.New(rand.NewPCG(9, 10))
	for _, test := range []struct {
		name   string
		params map[string]any
		target *Tensor
	}{
		{"broadcast target row", nil, randomSigns(rng, 4)},
		{"real-valued targets, sum", map[string]any{"reduction": "sum"}, RandN(rng, 3, 4)},
		{"legacy none", map[string]any{"reduce": false}, randomSigns(rng, 3, 4)},
	} {
		t.Run(test.name, func(t *testing.T) {
			checkGradients(t, spec, test.params, map[string]*Tensor{"input": RandN(rng, 3, 4), "target": test.target})
		})
	}
}
