package engine

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestGaussianNLLGradients(t *testing.T) {
	with := func(in, tg, v []int) func(rng *rand.Rand) map[string]*Tensor {
		return func(rng *rand.Rand) map[string]*Tensor {
			return map[string]*Tensor{"input": RandN(rng, in...), "target": RandN(rng, tg...), "var": RandU(rng, 0.3, 2, v...)}
		}
	}
	regprobGrad(t, "GaussianNLLLoss", []struct {
		name   string
		params map[string]any
		inputs func(rng *rand.Rand) map[string]*Tensor
	}{
		{"full", map[string]any{"full": true}, with([]int{3, 4}, []int{3, 4}, []int{3, 4})},
		{"eps=0.1/sum", map[string]any{"eps": 0.1, "reduction": "sum"}, with([]int{3, 4}, []int{3, 4}, []int{3, 4})},
		{"var-per-row", nil, with([]int{3, 4}, []int{3, 4}, []int{3})},
		{"var-column/none", map[string]any{"reduction": "none"}, with([]int{3, 4}, []int{3, 4}, []int{3, 1})},
		{"3d-var-per-row", nil, with([]int{2, 3, 4}, []int{2, 3, 4}, []int{2, 3})},
		{"target-broadcast", nil, with([]int{3, 4}, []int{4}, []int{3})},
		{"target-larger", map[string]any{"reduction": "sum"}, with([]int{3, 4}, []int{2, 3, 4}, []int{3, 4})},
		{"input-broadcast", nil, with([]int{1, 4}, []int{3, 4}, []int{1, 1})},
		{"1d-var-0d", nil, with([]int{5}, []int{5}, nil)},
		{"0d", map[string]any{"full": true}, with(nil, nil, nil)},
	})
}

func TestGaussianNLLTraps(t *testing.T) {
	G := "GaussianNLLLoss"
	grads := func(in, v string) map[string]string { return map[string]string{"input": in, "var": v} }
	regprobRun(t, []regprobCase{
		{name: "clamp is invisible to the var gradient", loss: G,
			params: map[string]any{"eps": 0.25, "reduction": "none"},
			inputs: map[string]string{"input": "[1, 1, 3]", "target": "[0, 0, 1]", "var": "[0, 0.1, 1]"},
			want:   "[1.3068528194400546, 1.3068528194400546, 2]", grads: grads("[4, 4, 2]", "[-6, -6, -1.5]")},
		{name: "default eps at var=0", loss: G, params: map[string]any{"reduction": "none"},
			inputs: map[string]string{"input": "[1]", "target": "[0]", "var": "[0]"},
			want:   "[499993.092244721]", grads: grads("[1000000]", "[-499999500000]")},
		{name: "full adds half log 2pi", loss: G, params: map[string]any{"full": true},
			inputs: map[string]string{"input": "[1]", "target": "[1]", "var": "[1]"},
			want:   regprobFtoa(0.5 * math.Log(2*math.Pi)), grads: grads("[0]", "[0.5]")},
		{name: "var per row is summed over the row", loss: G, params: map[string]any{"reduction": "sum"},
			inputs: map[string]string{"input": "[[1, 2], [0, 0]]", "target": "[[0, 0], [0, 0]]", "var": "[2, 1]"},
			want:   regprobFtoa(math.Log(2) + 1.25), grads: grads("[[0.5, 1], [0, 0]]", "[-0.125, 1]")},
		{name: "subnormal var with eps=0 divides (1/v overflows)", loss: G,
			params: map[string]any{"eps": 0.0, "reduction": "none"},
			inputs: map[string]string{"input": "[1e-160, 1e-150, 0]", "target": "[0, 0, 0]", "var": "[1e-310, 1e-310, 1e-310]"},
			want:   "[-356.90068941402706, 4999999643.099326, -356.9006894140771]",
			grads:  grads(`["Infinity", "Infinity", "NaN"]`, `["Infinity", "NaN", "Infinity"]`)},
		{name: "infinite var", loss: G, params: map[string]any{"reduction": "none"},
			inputs: map[string]string{"input": "[1]", "target": "[0]", "var": `["Infinity"]`},
			want:   `["Infinity"]`, grads: grads("[0]", "[0]")},
		{name: "NaN var is not negative", loss: G, params: map[string]any{"reduction": "none"},
			inputs: map[string]string{"input": "[1]", "target": "[0]", "var": `["NaN"]`},
			want:   `["NaN"]`, grads: grads(`["NaN"]`, `["NaN"]`)},
		{name: "negative var", loss: G,
			inputs: map[string]string{"input": "[1, 2]", "target": "[0, 0]", "var": "[1, -0.5]"}, errWant: "var"},
		{name: "no legacy arguments", loss: G, params: map[string]any{"reduce": false},
			inputs: map[string]string{"input": "[1]", "target": "[0]", "var": "[1]"}, errWant: "params.reduce"},
		{name: "negative eps", loss: G, params: map[string]any{"eps": -1.0},
			inputs: map[string]string{"input": "[1]", "target": "[0]", "var": "[1]"}, errWant: "params.eps"},
	})
}

// TestGaussianNLLVarShapes checks which var shapes PyTorch 1.13 accepts for
// each input shape, and the shape of the 'none' output.
func TestGaussianNLLVarShapes(t *testing.T) {
	spec, _ := Lookup("GaussianNLLLoss")
	for _, test := range []struct {
		in, v []int
		out   []int // nil: var is of incorrect size
	}{
		{[]int{2, 3}, []int{2, 3}, []int{2, 3}},
		{[]int{2, 3}, []int{2}, []int{2, 3}},
		{[]int{2, 3}, []int{2, 1}, []int{2, 3}},
		{[]int{2, 3}, []int{3}, nil},
		{[]int{2, 3}, []int{1, 3}, nil},
		{[]int{2, 3}, []int{}, nil},
		{[]int{2, 3}, []int{1}, nil},
		{[]int{2, 3}, []int{2, 3, 1}, nil},
		{[]int{3}, []int{}, []int{3}},
		{[]int{3}, []int{1}, []int{3}},
		{[]int{3}, []int{1, 1}, nil},
		{[]int{3}, []int{2}, nil},
		{[]int{}, []int{}, []int{}},
		{[]int{}, []int{1}, []int{1}},
		{[]int{}, []int{2}, nil},
		{[]int{2, 2, 3}, []int{2, 2}, []int{2, 2, 3}},
		{[]int{2, 2, 3}, []int{2, 2, 1}, []int{2, 2, 3}},
		{[]int{2, 2, 3}, []int{2, 1, 1}, nil},
		{[]int{2, 2, 3}, []int{2}, nil},
		{[]int{0, 3}, []int{0}, []int{0, 3}},
		{[]int{1, 0}, []int{0}, nil},
	} {
		inputs := map[string]*Tensor{"input": NewTensor(test.in...), "target": NewTensor(test.in...), "var": NewTensor(test.v...)}
		for i := range inputs["var"].Data {
			inputs["var"].Data[i] = 1
		}
		c, err := NewCall(spec, map[string]any{"reduction": "none"}, inputs)
		if err != nil {
			t.Fatal(err)
		}
		r, err := c.Compute()
		if test.out == nil {
			var e *Error
			if !errors.As(err, &e) || e.Field != "var" {
				t.Errorf("input %v, var %v: error = %v; want var is of incorrect size", test.in, test.v, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("input %v, var %v: error = %v; want output shape %v", test.in, test.v, err, test.out)
			continue
		}
		if !slices.Equal(r.Loss.Shape, test.out) {
			t.Errorf("input %v, var %v: output shape = %v; want %v", test.in, test.v, r.Loss.Shape, test.out)
		}
		if g := r.Grads["var"]; !slices.Equal(g.Shape, test.v) {
			t.Errorf("input %v, var %v: var gradient shape = %v; want var's shape", test.in, test.v, g.Shape)
		}
	}
}

func TestGaussianNLLDetailVariance(t *testing.T) {
	r := mustCompute(t, "GaussianNLLLoss", map[string]any{"eps": 0.5}, map[string]*Tensor{
		"input": regprobTensor(t, "[1, 2, 3]"), "target": regprobTensor(t, "[0, 0, 0]"), "var": regprobTensor(t, "[0, 0.7, 2]")})
	compareTensor(t, "variance", r.Detail["variance"].(*Tensor), regprobTensor(t, "[0.5, 0.7, 2]"))
}
