package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func TestBCEWithLogitsGradients(t *testing.T) {
	logits := func(shape ...int) func(rng *rand.Rand) map[string]*Tensor {
		return func(rng *rand.Rand) map[string]*Tensor {
			return map[string]*Tensor{"input": RandN(rng, shape...), "target": RandU(rng, 0, 1, shape...)}
		}
	}
	w := func(shape ...int) *Tensor { return RandU(rand.New(rand.NewPCG(1, 2)), 0.2, 3, shape...) }
	regprobGrad(t, "BCEWithLogitsLoss", []struct {
		name   string
		params map[string]any
		inputs func(rng *rand.Rand) map[string]*Tensor
	}{
		{"pos_weight-per-class", map[string]any{"pos_weight": w(4)}, logits(3, 4)},
		{"pos_weight-scalar/sum", map[string]any{"pos_weight": w(), "reduction": "sum"}, logits(3, 4)},
		{"pos_weight-per-row/none", map[string]any{"pos_weight": w(3, 1), "reduction": "none"}, logits(3, 4)},
		{"weight-per-row", map[string]any{"weight": w(3, 1)}, logits(3, 4)},
		{"weight-and-pos_weight", map[string]any{"weight": w(3, 4), "pos_weight": w(4)}, logits(3, 4)},
		{"3d-general", map[string]any{"weight": w(2, 1, 4), "pos_weight": w(3, 1)}, logits(2, 3, 4)},
		{"large-logits", nil, func(rng *rand.Rand) map[string]*Tensor {
			return map[string]*Tensor{"input": RandU(rng, -40, 40, 3, 4), "target": RandU(rng, 0, 1, 3, 4)}
		}},
	})
}

func TestBCEWithLogitsTraps(t *testing.T) {
	L := "BCEWithLogitsLoss"
	l2, l4 := regprobFtoa(math.Log(2)), regprobFtoa(3*math.Log(2))
	regprobRun(t, []regprobCase{
		{name: "x = -inf is NaN whatever the target", loss: L, params: map[string]any{"reduction": "none"},
			inputs: map[string]string{"input": `["-Infinity", "-Infinity", "-Infinity"]`, "target": "[0, 1, 2]"},
			want:   `["NaN", "NaN", "NaN"]`, grads: map[string]string{"input": "[0, -1, -2]"}},
		{name: "x = +inf", loss: L, params: map[string]any{"reduction": "none"},
			inputs: map[string]string{"input": `["Infinity", "Infinity"]`, "target": "[0, 1]"},
			want:   `["Infinity", "NaN"]`, grads: map[string]string{"input": "[1, 0]"}},
		{name: "large logits stay finite", loss: L, params: map[string]any{"reduction": "none", "pos_weight": 3.0},
			inputs: map[string]string{"input": "[1000, -1000, 1000]", "target": "[0, 1, 1]"},
			want:   "[1000, 3000, 0]", grads: map[string]string{"input": "[1, -3, 0]"}},
		{name: "pos_weight aligns with the last dimension", loss: L,
			params: map[string]any{"reduction": "none", "pos_weight": []any{1.0, 3.0}},
			inputs: map[string]string{"input": "[[0, 0], [0, 0]]", "target": "[[1, 1], [0, 1]]"},
			want:   "[[" + l2 + ", " + l4 + "], [" + l2 + ", " + l4 + "]]",
			grads:  map[string]string{"input": "[[-0.5, -1.5], [0.5, -1.5]]"}},
		{name: "mean divides by numel", loss: L, params: map[string]any{"weight": []any{4.0, 0.0}},
			inputs: map[string]string{"input": "[0, 0]", "target": "[1, 1]"},
			want:   regprobFtoa(2 * math.Log(2)), grads: map[string]string{"input": "[-1, 0]"}},
		{name: "infinite and NaN weights", loss: L,
			params: map[string]any{"reduction": "none", "weight": regprobTensor(t, `["Infinity", "NaN", "Infinity"]`),
				"pos_weight": regprobTensor(t, `["Infinity", 1, 2]`)},
			inputs: map[string]string{"input": "[0.5, 0.5, -1000]", "target": "[1, 1, 0]"},
			want:   `["Infinity", "NaN", "NaN"]`, grads: map[string]string{"input": `["NaN", "NaN", "NaN"]`}},
		{name: "target of another size", loss: L, inputs: map[string]string{"input": "[0, 0]", "target": "[[1, 1]]"}, errWant: "target"},
		{name: "pos_weight not along the last dimension", loss: L, params: map[string]any{"pos_weight": []any{1.0, 2.0}},
			inputs: map[string]string{"input": "[[0, 0, 0], [0, 0, 0]]", "target": "[[1, 1, 1], [0, 0, 0]]"}, errWant: "params.pos_weight"},
		{name: "pos_weight larger than the input", loss: L, params: map[string]any{"pos_weight": []any{[]any{1.0}, []any{2.0}, []any{3.0}}},
			inputs: map[string]string{"input": "[0, 0, 0]", "target": "[1, 1, 1]"}, errWant: "params.pos_weight"},
		{name: "weight larger than the input", loss: L, params: map[string]any{"weight": []any{2.0}},
			inputs: map[string]string{"input": "0", "target": "1"}, errWant: "params.weight"},
	})
}

func TestBCEWithLogitsDetail(t *testing.T) {
	r := mustCompute(t, "BCEWithLogitsLoss", nil, map[string]*Tensor{"input": regprobTensor(t, "[0, 1000, -1000]"), "target": regprobTensor(t, "[0, 1, 1]")})
	l2 := regprobFtoa(-math.Log(2))
	compareTensor(t, "probability", r.Detail["probability"].(*Tensor), regprobTensor(t, "[0.5, 1, 0]"))
	compareTensor(t, "log_prob", r.Detail["log_prob"].(*Tensor), regprobTensor(t, "["+l2+", 0, -1000]"))
	compareTensor(t, "log_one_minus_prob", r.Detail["log_one_minus_prob"].(*Tensor), regprobTensor(t, "["+l2+", -1000, 0]"))
}

// A multi-label problem with three labels, the rare third one weighed up
// with pos_weight. The numbers are PyTorch 1.13's.
func ExampleLookup_bceWithLogitsLoss() {
	spec, _ := Lookup("BCEWithLogitsLoss")
	c, err := NewCall(spec,
		map[string]any{"pos_weight": []any{1.0, 1.0, 4.0}},
		map[string]*Tensor{
			"input":  {Shape: []int{2, 3}, Data: []float64{2, -1, 0, 0.5, 1, -2}},
			"target": {Shape: []int{2, 3}, Data: []float64{1, 0, 1, 0, 1, 1}},
		})
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := c.Compute()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("loss %.4f\n", r.Loss.Data[0])
	fmt.Printf("d loss / d input %.4f\n", r.Grads["input"].Data)
	// Output:
	// loss 2.1680
	// d loss / d input [-0.0199 0.0448 -0.3333 0.1037 -0.0448 -0.5872]
}
