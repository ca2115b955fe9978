package engine

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestNLLGradients(t *testing.T) {
	spec, _ := Lookup("NLLLoss")
	rng := rand.New(rand.NewPCG(11, 12))
	for _, red := range []string{"mean", "sum", "none"} {
		for _, test := range []struct {
			name   string
			params map[string]any
			input  *Tensor
			target *Tensor
		}{
			{"weight", map[string]any{"weight": clsVec(0.5, 2, 1, 1.5)}, RandN(rng, 3, 4), clsVec(1, 3, 0)},
			{"ignore-valid-class", map[string]any{"weight": clsVec(0.5, 2, 1, 1.5), "ignore_index": 3}, RandN(rng, 3, 4), clsVec(1, 3, 0)},
			{"unbatched", map[string]any{"weight": clsVec(0.5, 2, 1)}, RandN(rng, 3), Scalar(1)},
			{"4d", map[string]any{"weight": clsVec(3, 0.5)}, RandN(rng, 2, 2, 2, 2),
				&Tensor{Shape: []int{2, 2, 2}, Data: []float64{0, 1, 1, -100, 0, 0, 1, 0}}},
		} {
			t.Run(test.name+"/"+red, func(t *testing.T) {
				params := map[string]any{"reduction": red}
				for k, v := range test.params {
					params[k] = v
				}
				checkGradients(t, spec, params, map[string]*Tensor{"input": test.input, "target": test.target})
			})
		}
	}
}

func TestNLLTraps(t *testing.T) {
	x := clsMat([]float64{-0.5, -1.5, -2}, []float64{-1, -0.25, -3}, []float64{-2, -1, -0.75})
	y := clsVec(0, 1, 2)

	t.Run("weighted mean divides by the target weights", func(t *testing.T) {
		w := clsVec(1, 2, 4)
		r := mustCompute(t, "NLLLoss", map[string]any{"weight": w}, map[string]*Tensor{"input": x, "target": y})
		want := (0.5*1 + 0.25*2 + 0.75*4) / (1 + 2 + 4)
		if got := r.Loss.Data[0]; !closeTo(got, want, 1e-15, 0) {
			t.Errorf("loss = %v; want %v", got, want)
		}
		if got, want := r.Grads["input"].Data[4], -2.0/7; !closeTo(got, want, 1e-15, 0) {
			t.Errorf("grad[1][1] = %v; want −w[1]/W = %v", got, want)
		}
	})

	t.Run("all ignored: mean NaN, sum 0, gradient 0", func(t *testing.T) {
		ign := clsVec(-100, -100, -100)
		for red, want := range map[string]float64{"mean": math.NaN(), "sum": 0} {
			r := mustCompute(t, "NLLLoss", map[string]any{"reduction": red}, map[string]*Tensor{"input": x, "target": ign})
			if got := r.Loss.Data[0]; !closeTo(got, want, 0, 0) {
				t.Errorf("%s = %v; want %v", red, got, want)
			}
			for i, g := range r.Grads["input"].Data {
				if g != 0 {
					t.Errorf("%s: grad[%d] = %v; want 0", red, i, g)
				}
			}
		}
	})

	t.Run("zero weights: NaN loss and NaN at the targets", func(t *testing.T) {
		r := mustCompute(t, "NLLLoss", map[string]any{"weight": clsVec(0, 0, 0)}, map[string]*Tensor{"input": x, "target": y})
		if !math.IsNaN(r.Loss.Data[0]) {
			t.Errorf("loss = %v; want NaN", r.Loss.Data[0])
		}
		g := r.Grads["input"].Data
		for i := range g {
			if onTarget := i%4 == 0; onTarget != math.IsNaN(g[i]) {
				t.Errorf("grad[%d] = %v; want NaN exactly at the targets", i, g[i])
			}
		}
	})

	t.Run("K-dimensional equals the flattened positions", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(13, 14))
		const n, c, d = 2, 3, 4
		xk := RandN(rng, n, c, d)
		yk := NewTensor(n, d)
		for i := range yk.Data {
			yk.Data[i] = float64(rng.IntN(c))
		}
		// Move the class dimension last: (N, C, d) → (N·d, C).
		flat := NewTensor(n*d, c)
		for i := range n {
			for j := range c {
				for s := range d {
					flat.Data[(i*d+s)*c+j] = xk.Data[(i*c+j)*d+s]
				}
			}
		}
		w := clsVec(0.5, 1, 2)
		got := mustCompute(t, "NLLLoss", map[string]any{"weight": w, "reduction": "none"}, map[string]*Tensor{"input": xk, "target": yk})
		want := mustCompute(t, "NLLLoss", map[string]any{"weight": w, "reduction": "none"},
			map[string]*Tensor{"input": flat, "target": &Tensor{Shape: []int{n * d}, Data: yk.Data}})
		if !slices.Equal(got.Loss.Shape, []int{n, d}) || !slices.Equal(got.Loss.Data, want.Loss.Data) {
			t.Errorf("none = %v %v; want [%d %d] %v", got.Loss.Shape, got.Loss.Data, n, d, want.Loss.Data)
		}
	})

	t.Run("refused", func(t *testing.T) {
		for _, test := range []struct {
			name   string
			params map[string]any
			input  *Tensor
			target *Tensor
			field  string
		}{
			// PyTorch accepts a full-length target for a 1-D input and
			// silently reads only its first entry.
			{"1-D input with a target per class", nil, clsVec(-1, -2, -3), clsVec(2, 0, 0), "target"},
			{"0-d input", nil, Scalar(-1), Scalar(0), "input"},
			{"0-d target for a batch", nil, x, Scalar(0), "target"},
			{"class index out of range", nil, x, clsVec(0, 3, 1), "target"},
			{"negative index that is not ignore_index", map[string]any{"ignore_index": -1}, x, clsVec(0, -100, 1), "target"},
			{"spatial mismatch", nil, NewTensor(2, 3, 4), NewTensor(2, 3), "target"},
			{"weight of the wrong length", map[string]any{"weight": clsVec(1, 2)}, x, y, "params.weight"},
			{"2-D weight with a 2-D input", map[string]any{"weight": clsMat([]float64{1, 2, 3})}, x, y, "params.weight"},
		} {
			t.Run(test.name, func(t *testing.T) {
				clsWantError(t, "NLLLoss", test.params, map[string]*Tensor{"input": test.input, "target": test.target}, test.field)
			})
		}
	})

	t.Run("a 2-D weight is accepted for K-dimensional inputs", func(t *testing.T) {
		in := map[string]*Tensor{"input": RandN(rand.New(rand.NewPCG(1, 2)), 2, 3, 2), "target": NewTensor(2, 2)}
		got := mustCompute(t, "NLLLoss", map[string]any{"weight": clsMat([]float64{1, 2, 3})}, in).Loss.Data[0]
		want := mustCompute(t, "NLLLoss", map[string]any{"weight": clsVec(1, 2, 3)}, in).Loss.Data[0]
		if got != want {
			t.Errorf("loss with a (1, 3) weight = %v; want the (3) weight's %v", got, want)
		}
	})
}
