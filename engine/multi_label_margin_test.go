package engine

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestMultiLabelMarginGradients(t *testing.T) {
	spec, _ := Lookup("MultiLabelMarginLoss")
	rng := rand.New(rand.NewPCG(17, 18))
	for _, red := range []string{"mean", "sum", "none"} {
		for _, target := range []*Tensor{
			clsMat([]float64{2, 2, -1, -1, 0}, []float64{0, 4, 1, -1, 3}), // duplicates; entries after −1
			clsMat([]float64{-1, 0, 1, 2, 3}, []float64{4, 3, 2, 1, 0}),   // no labels; all labels
			clsMat([]float64{1, 3, 4, -1, -1}, []float64{3, -1, -1, -1, -1}),
		} {
			t.Run(red, func(t *testing.T) {
				checkGradients(t, spec, map[string]any{"reduction": red}, map[string]*Tensor{"input": RandN(rng, 2, 5), "target": target})
			})
		}
	}
}

func TestMultiLabelMarginTraps(t *testing.T) {
	x := clsMat([]float64{0.5, 1, 0, 0.2})
	loss := func(t *testing.T, target *Tensor) *Result {
		t.Helper()
		return mustCompute(t, "MultiLabelMarginLoss", nil, map[string]*Tensor{"input": x, "target": target})
	}

	t.Run("a duplicate label counts twice", func(t *testing.T) {
		once, twice := loss(t, clsMat([]float64{2, -1, -1, -1})), loss(t, clsMat([]float64{2, 2, -1, -1}))
		if got, want := twice.Loss.Data[0], 2*once.Loss.Data[0]; !closeTo(got, want, 1e-15, 0) {
			t.Errorf("loss with [2 2 −1] = %v; want twice [2 −1]'s: %v", got, want)
		}
		// With labels {2}: terms 1 − 0 + x_i for i = 0, 1, 3 → (1.5 + 2 + 1.2)/4.
		if got, want := once.Loss.Data[0], (1.5+2+1.2)/4; !closeTo(got, want, 1e-15, 0) {
			t.Errorf("loss with [2 −1] = %v; want %v", got, want)
		}
	})

	t.Run("entries after −1 are ignored", func(t *testing.T) {
		a, b := loss(t, clsMat([]float64{1, -1, 0, 3})), loss(t, clsMat([]float64{1, -1, -1, -1}))
		if a.Loss.Data[0] != b.Loss.Data[0] || !slices.Equal(a.Grads["input"].Data, b.Grads["input"].Data) {
			t.Errorf("[1 −1 0 3] gives %v; want [1 −1 −1 −1]'s %v", a.Loss.Data[0], b.Loss.Data[0])
		}
	})

	t.Run("entries after −1 are still range-checked", func(t *testing.T) {
		clsWantError(t, "MultiLabelMarginLoss", nil, map[string]*Tensor{"input": x, "target": clsMat([]float64{1, -1, 4, 0})}, "target")
		clsWantError(t, "MultiLabelMarginLoss", nil, map[string]*Tensor{"input": x, "target": clsMat([]float64{1, -1, -2, 0})}, "target")
	})

	t.Run("strict hinge at x_j − x_i = 1", func(t *testing.T) {
		r := mustCompute(t, "MultiLabelMarginLoss", nil, map[string]*Tensor{"input": clsMat([]float64{0, 1, -5}), "target": clsMat([]float64{1, -1, 0})})
		if got := r.Loss.Data[0]; got != 0 {
			t.Errorf("loss = %v; want 0", got)
		}
		for i, g := range r.Grads["input"].Data {
			if g != 0 {
				t.Errorf("grad[%d] = %v; want 0", i, g)
			}
		}
	})

	t.Run("every class a label, or none: zero", func(t *testing.T) {
		for _, target := range []*Tensor{clsMat([]float64{3, 2, 1, 0}), clsMat([]float64{-1, 0, 1, 2})} {
			if got := loss(t, target).Loss.Data[0]; got != 0 {
				t.Errorf("target %v: loss = %v; want 0", target.Data, got)
			}
		}
	})

	t.Run("detail hinge terms add up to the loss", func(t *testing.T) {
		r := loss(t, clsMat([]float64{2, 0, -1, 3}))
		h := r.Detail["hinge"].(*Tensor)
		if got, want := Sum(h.Data)/4, r.Loss.Data[0]; !closeTo(got, want, 1e-15, 0) {
			t.Errorf("Σ hinge / C = %v; want the loss %v", got, want)
		}
	})

	t.Run("empty batch", func(t *testing.T) {
		in := map[string]*Tensor{"input": NewTensor(0, 3), "target": NewTensor(0, 3)}
		clsWantError(t, "MultiLabelMarginLoss", map[string]any{"reduction": "mean"}, in, "input")
		r := mustCompute(t, "MultiLabelMarginLoss", map[string]any{"reduction": "none"}, in)
		if !slices.Equal(r.Loss.Shape, []int{0}) {
			t.Errorf("none shape = %v; want [0]", r.Loss.Shape)
		}
	})
}
