package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestBCEGradients(t *testing.T) {
	probs := func(shape ...int) func(rng *rand.Rand) map[string]*Tensor {
		return func(rng *rand.Rand) map[string]*Tensor {
			return map[string]*Tensor{"input": RandU(rng, 0.05, 0.95, shape...), "target": RandU(rng, 0, 1, shape...)}
		}
	}
	w := func(shape ...int) *Tensor { return RandU(rand.New(rand.NewPCG(1, 1)), 0.2, 3, shape...) }
	regprobGrad(t, "BCELoss", []struct {
		name   string
		params map[string]any
		inputs func(rng *rand.Rand) map[string]*Tensor
	}{
		{"weight-per-column", map[string]any{"weight": w(4)}, probs(3, 4)},
		{"weight-per-row/sum", map[string]any{"weight": w(3, 1), "reduction": "sum"}, probs(3, 4)},
		{"weight-full/none", map[string]any{"weight": w(3, 4), "reduction": "none"}, probs(3, 4)},
		{"weight-scalar", map[string]any{"weight": w()}, probs(3, 4)},
		{"weight-3d-general", map[string]any{"weight": w(2, 1, 4)}, probs(2, 3, 4)},
		{"legacy-none", map[string]any{"reduce": false, "weight": w(4)}, probs(3, 4)},
	})
}

func TestBCETraps(t *testing.T) {
	B := "BCELoss"
	// The backward clamps x(1 − x) at f32(1e-12), so the gradient at x = 0,
	// y = 1 is −1/f32(1e-12), finite.
	edge := regprobFtoa(1 / f32Eps12)
	regprobRun(t, []regprobCase{
		{name: "forward log clamp at -100, backward denominator clamp", loss: B,
			params: map[string]any{"reduction": "none"},
			inputs: map[string]string{"input": "[0, 1, 1e-50, 0, 1]", "target": "[1, 0, 1, 0, 1]"},
			want:   "[100, 100, 100, 0, 0]",
			grads:  map[string]string{"input": "[-" + edge + ", " + edge + ", -" + edge + ", 0, 0]"}},
		{name: "mean divides by numel, not the weight sum", loss: B,
			params: map[string]any{"weight": []any{3.0, 0.0}},
			inputs: map[string]string{"input": "[0.5, 0.5]", "target": "[1, 1]"},
			want:   regprobFtoa(1.5 * math.Log(2)), grads: map[string]string{"input": "[-3, 0]"}},
		{name: "the target is not range-checked", loss: B, params: map[string]any{"reduction": "none"},
			inputs: map[string]string{"input": "[0.5, 0.5]", "target": `[2, -1]`},
			want:   "[" + regprobFtoa(math.Log(2)) + ", " + regprobFtoa(math.Log(2)) + "]", grads: map[string]string{"input": "[-6, 6]"}},
		{name: "infinite and NaN weights", loss: B,
			params: map[string]any{"reduction": "none", "weight": regprobTensor(t, `["Infinity", "NaN", "Infinity"]`)},
			inputs: map[string]string{"input": "[0.5, 0.5, 1]", "target": "[1, 1, 1]"},
			want:   `["Infinity", "NaN", "NaN"]`, grads: map[string]string{"input": `["-Infinity", "NaN", "NaN"]`}},
		{name: "weight per row", loss: B, params: map[string]any{"reduction": "sum", "weight": []any{[]any{2.0}, []any{0.0}}},
			inputs: map[string]string{"input": "[[0.5, 0.5], [0.5, 0.5]]", "target": "[[1, 0], [1, 0]]"},
			want:   regprobFtoa(4 * math.Log(2)), grads: map[string]string{"input": "[[-4, 4], [0, 0]]"}},
		{name: "input below 0", loss: B, inputs: map[string]string{"input": "[0.5, -0.1]", "target": "[1, 0]"}, errWant: "input"},
		{name: "input above 1", loss: B, inputs: map[string]string{"input": "[1.5]", "target": "[1]"}, errWant: "input"},
		{name: "NaN input", loss: B, inputs: map[string]string{"input": `["NaN"]`, "target": "[1]"}, errWant: "input"},
		{name: "target of another size", loss: B, inputs: map[string]string{"input": "[[0.5, 0.5]]", "target": "[1, 0]"}, errWant: "target"},
		{name: "weight that does not broadcast", loss: B, params: map[string]any{"weight": []any{1.0, 2.0, 3.0}},
			inputs: map[string]string{"input": "[0.5, 0.5]", "target": "[1, 0]"}, errWant: "params.weight"},
		{name: "weight larger than the input", loss: B, params: map[string]any{"weight": []any{[]any{1.0, 2.0, 3.0, 4.0}}},
			inputs: map[string]string{"input": "[[0.5], [0.5]]", "target": "[[1], [0]]"}, errWant: "params.weight"},
		{name: "weight of shape (1) on a 0-d input", loss: B, params: map[string]any{"weight": []any{2.0}},
			inputs: map[string]string{"input": "0.5", "target": "1"}, errWant: "params.weight"},
	})
}

// TestBCEBroadcastApply checks the weight broadcasting helper against the
// engine's BroadcastIndex on every way a weight can broadcast to a shape.
func TestBCEBroadcastApply(t *testing.T) {
	shape := []int{2, 3, 4}
	rng := rand.New(rand.NewPCG(2, 3))
	for _, ws := range [][]int{{}, {1}, {4}, {1, 4}, {3, 1}, {3, 4}, {2, 1, 1}, {2, 1, 4}, {2, 3, 1}, {1, 3, 1}, {2, 3, 4}, {1, 1, 1}} {
		w := RandN(rng, ws...)
		idx := BroadcastIndex(ws, shape)
		for _, mul := range []bool{false, true} {
			dst := RandN(rng, shape...)
			want := make([]float64, len(dst.Data))
			for k := range want {
				i := k
				if idx != nil {
					i = idx[k]
				}
				want[k] = w.Data[i]
				if mul {
					want[k] *= dst.Data[k]
				}
			}
			bceBroadcastApply(dst.Data, shape, w, mul)
			for k := range want {
				if dst.Data[k] != want[k] {
					t.Errorf("weight %v, mul=%v: element %d = %v; want %v", ws, mul, k, dst.Data[k], want[k])
					break
				}
			}
		}
	}
}

func TestBCEDetail(t *testing.T) {
	r := mustCompute(t, "BCELoss", nil, map[string]*Tensor{"input": regprobTensor(t, "[0, 0.5, 1]"), "target": regprobTensor(t, "[0, 1, 1]")})
	l2 := regprobFtoa(-math.Log(2))
	compareTensor(t, "probability", r.Detail["probability"].(*Tensor), regprobTensor(t, "[0, 0.5, 1]"))
	compareTensor(t, "log_prob", r.Detail["log_prob"].(*Tensor), regprobTensor(t, "[-100, "+l2+", 0]"))
	compareTensor(t, "log_one_minus_prob", r.Detail["log_one_minus_prob"].(*Tensor), regprobTensor(t, "[0, "+l2+", -100]"))
}
