package engine

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestMultiLabelSoftMarginGradients(t *testing.T) {
	spec, _ := Lookup("MultiLabelSoftMarginLoss")
	rng := rand.New(rand.NewPCG(19, 20))
	for _, red := range []string{"mean", "sum", "none"} {
		for _, test := range []struct {
			name   string
			params map[string]any
			input  *Tensor
			target *Tensor
		}{
			{"weight", map[string]any{"weight": clsVec(0.5, 2, 1, 0)}, RandN(rng, 3, 4), RandU(rng, 0, 1, 3, 4)},
			{"weight-column", map[string]any{"weight": clsMat([]float64{2}, []float64{0.5}, []float64{1})}, RandN(rng, 3, 4), RandU(rng, 0, 1, 3, 4)},
			{"broadcast-target", nil, RandN(rng, 3, 4), clsVec(1, 0, 0.5, 1)},
			{"3d", map[string]any{"weight": clsVec(1, 2, 3)}, RandN(rng, 2, 2, 3), RandU(rng, -0.5, 1.5, 2, 2, 3)},
			{"unbatched", nil, RandN(rng, 5), RandU(rng, 0, 1, 5)},
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

func TestMultiLabelSoftMarginTraps(t *testing.T) {
	x := clsMat([]float64{1.5, -0.5, 0.25}, []float64{-1, 2, 0.5})
	y := clsMat([]float64{1, 0, 1}, []float64{0, 1, 0})

	t.Run("weights do not change the division by C", func(t *testing.T) {
		w := []float64{2, 0, 1}
		r := mustCompute(t, "MultiLabelSoftMarginLoss", map[string]any{"weight": clsVec(w...), "reduction": "none"}, map[string]*Tensor{"input": x, "target": y})
		for n := range 2 {
			want := 0.0
			for c := range 3 {
				v, l := x.Data[n*3+c], y.Data[n*3+c]
				want -= w[c] * (l*math.Log(1/(1+math.Exp(-v))) + (1-l)*math.Log(1/(1+math.Exp(v))))
			}
			want /= 3
			if got := r.Loss.Data[n]; !closeTo(got, want, 1e-14, 0) {
				t.Errorf("row %d: loss %v; want %v", n, got, want)
			}
		}
	})

	t.Run("a broadcast target equals the repeated one", func(t *testing.T) {
		row := clsVec(1, 0, 1)
		a := mustCompute(t, "MultiLabelSoftMarginLoss", nil, map[string]*Tensor{"input": x, "target": row})
		b := mustCompute(t, "MultiLabelSoftMarginLoss", nil, map[string]*Tensor{"input": x, "target": clsMat(row.Data, row.Data)})
		if a.Loss.Data[0] != b.Loss.Data[0] || !slices.Equal(a.Grads["input"].Data, b.Grads["input"].Data) {
			t.Errorf("broadcast target gives %v; want %v", a.Loss.Data[0], b.Loss.Data[0])
		}
	})

	t.Run("shapes that broadcast beyond the input are refused", func(t *testing.T) {
		// PyTorch would sum over a dimension that is not the classes.
		clsWantError(t, "MultiLabelSoftMarginLoss", nil, map[string]*Tensor{"input": clsVec(1, 2, 3), "target": y}, "target")
		clsWantError(t, "MultiLabelSoftMarginLoss", map[string]any{"weight": NewTensor(2, 1, 1)}, map[string]*Tensor{"input": x, "target": y}, "params.weight")
		clsWantError(t, "MultiLabelSoftMarginLoss", nil, map[string]*Tensor{"input": Scalar(1), "target": Scalar(1)}, "input")
	})

	t.Run("label 0 at x = −Inf is NaN, label 1 is +Inf", func(t *testing.T) {
		r := mustCompute(t, "MultiLabelSoftMarginLoss", map[string]any{"reduction": "none"},
			map[string]*Tensor{"input": clsMat([]float64{math.Inf(-1)}, []float64{math.Inf(-1)}), "target": clsMat([]float64{0}, []float64{1})})
		if !math.IsNaN(r.Loss.Data[0]) || !math.IsInf(r.Loss.Data[1], 1) {
			t.Errorf("losses = %v; want [NaN +Inf]", r.Loss.Data)
		}
	})

	t.Run("huge logits stay finite", func(t *testing.T) {
		r := mustCompute(t, "MultiLabelSoftMarginLoss", nil, map[string]*Tensor{"input": clsMat([]float64{1000, -1000}), "target": clsMat([]float64{0, 1})})
		if got, want := r.Loss.Data[0], 1000.0; !closeTo(got, want, 1e-15, 0) {
			t.Errorf("loss = %v; want %v", got, want)
		}
	})

	t.Run("detail sigmoid", func(t *testing.T) {
		r := mustCompute(t, "MultiLabelSoftMarginLoss", nil, map[string]*Tensor{"input": x, "target": y})
		s := r.Detail["sigmoid"].(*Tensor)
		for i, v := range x.Data {
			if got, want := s.Data[i], 1/(1+math.Exp(-v)); !closeTo(got, want, 1e-15, 0) {
				t.Errorf("sigmoid[%d] = %v; want %v", i, got, want)
			}
		}
	})
}
