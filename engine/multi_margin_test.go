package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestMultiMarginGradients(t *testing.T) {
	spec, _ := Lookup("MultiMarginLoss")
	rng := rand.New(rand.NewPCG(15, 16))
	for _, red := range []string{"mean", "sum", "none"} {
		for _, params := range []map[string]any{
			{"p": 2},
			{"margin": 0.5, "weight": clsVec(0.5, 2, 1, 1.5)},
			{"p": 2, "margin": 2.5, "weight": clsVec(0.5, 2, 1, 1.5)},
			{"margin": -0.25},
		} {
			params["reduction"] = red
			t.Run("", func(t *testing.T) {
				checkGradients(t, spec, params, map[string]*Tensor{"input": RandN(rng, 3, 4), "target": clsVec(1, 3, 0)})
			})
		}
		t.Run("unbatched/"+red, func(t *testing.T) {
			checkGradients(t, spec, map[string]any{"reduction": red, "p": 2}, map[string]*Tensor{"input": RandN(rng, 4), "target": Scalar(2)})
		})
	}
}

// mmReference transcribes ℓ = (1/C)·Σ_{i≠y} w[y]·max(0, margin − x_y + x_i)^p.
func mmReference(x []float64, y int, w []float64, margin float64, p int) float64 {
	s := 0.0
	for i, v := range x {
		if z := margin - x[y] + v; i != y && z > 0 {
			s += w[y] * math.Pow(z, float64(p))
		}
	}
	return s / float64(len(x))
}

func TestMultiMarginTraps(t *testing.T) {
	x := clsMat([]float64{0.5, 1.25, -0.5, 0.1}, []float64{2, 0.25, 1.5, -1})
	w := []float64{0.5, 2, 1, 1.5}

	t.Run("the weight is indexed by the target class", func(t *testing.T) {
		for _, p := range []int{1, 2} {
			r := mustCompute(t, "MultiMarginLoss", map[string]any{"p": p, "weight": clsVec(w...), "reduction": "none"},
				map[string]*Tensor{"input": x, "target": clsVec(1, 3)})
			for n, y := range []int{1, 3} {
				if got, want := r.Loss.Data[n], mmReference(x.Data[n*4:n*4+4], y, w, 1, p); !closeTo(got, want, 1e-14, 0) {
					t.Errorf("p=%d row %d: loss %v; want %v", p, n, got, want)
				}
			}
		}
	})

	t.Run("strict hinge: no loss and no gradient at z = 0", func(t *testing.T) {
		// margin − x_y + x_i = 1 − 2 + 1 = 0 for class 2.
		r := mustCompute(t, "MultiMarginLoss", map[string]any{"p": 2}, map[string]*Tensor{"input": clsMat([]float64{-5, 2, 1}), "target": clsVec(1)})
		if got := r.Loss.Data[0]; got != 0 {
			t.Errorf("loss = %v; want 0", got)
		}
		for i, g := range r.Grads["input"].Data {
			if g != 0 {
				t.Errorf("grad[%d] = %v; want 0", i, g)
			}
		}
	})

	t.Run("NaN scores add nothing", func(t *testing.T) {
		r := mustCompute(t, "MultiMarginLoss", nil, map[string]*Tensor{"input": clsMat([]float64{math.NaN(), 0, 0.5}), "target": clsVec(1)})
		if got, want := r.Loss.Data[0], 1.5/3; got != want {
			t.Errorf("loss = %v; want only the finite term %v", got, want)
		}
	})

	t.Run("empty batch", func(t *testing.T) {
		in := map[string]*Tensor{"input": NewTensor(0, 3), "target": NewTensor(0)}
		r := mustCompute(t, "MultiMarginLoss", map[string]any{"reduction": "none"}, in)
		if len(r.Loss.Shape) != 1 || r.Loss.Shape[0] != 0 {
			t.Errorf("none shape = %v; want [0]", r.Loss.Shape)
		}
		// PyTorch returns uninitialised memory for these.
		clsWantError(t, "MultiMarginLoss", map[string]any{"reduction": "mean"}, in, "input")
		clsWantError(t, "MultiMarginLoss", map[string]any{"reduction": "sum"}, in, "input")
	})

	t.Run("refused", func(t *testing.T) {
		for _, test := range []struct {
			name   string
			params map[string]any
			target *Tensor
			field  string
		}{
			// PyTorch does not check the length and reads past the end.
			{"weight shorter than C", map[string]any{"weight": clsVec(1, 2, 3)}, clsVec(3, 0), "params.weight"},
			{"weight longer than C", map[string]any{"weight": clsVec(1, 2, 3, 4, 5)}, clsVec(3, 0), "params.weight"},
			{"p = 3", map[string]any{"p": 3}, clsVec(3, 0), "params.p"},
			{"target −1", nil, clsVec(-1, 0), "target"},
			{"target = C", nil, clsVec(4, 0), "target"},
			{"one target too many", nil, clsVec(0, 0, 0), "target"},
		} {
			t.Run(test.name, func(t *testing.T) {
				clsWantError(t, "MultiMarginLoss", test.params, map[string]*Tensor{"input": x, "target": test.target}, test.field)
			})
		}
	})
}
