package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestKLDivGradients(t *testing.T) {
	dist := func(shape ...int) func(rng *rand.Rand) map[string]*Tensor {
		return func(rng *rand.Rand) map[string]*Tensor {
			x, y := RandN(rng, shape...), RandU(rng, 0, 1, shape...)
			return map[string]*Tensor{"input": x, "target": y}
		}
	}
	regprobGrad(t, "KLDivLoss", []struct {
		name   string
		params map[string]any
		inputs func(rng *rand.Rand) map[string]*Tensor
	}{
		{"log_target", map[string]any{"log_target": true}, dist(3, 4)},
		{"log_target/batchmean", map[string]any{"log_target": true, "reduction": "batchmean"}, dist(3, 4)},
		{"batchmean/3d", map[string]any{"reduction": "batchmean"}, dist(2, 3, 4)},
		{"batchmean/0d", map[string]any{"reduction": "batchmean"}, dist()},
		{"legacy-sum", map[string]any{"size_average": false}, dist(3, 4)},
		{"broadcast-input/batchmean", map[string]any{"reduction": "batchmean"}, func(rng *rand.Rand) map[string]*Tensor {
			return map[string]*Tensor{"input": RandN(rng, 1, 4), "target": RandU(rng, 0, 1, 3, 4)}
		}},
	})
}

func TestKLDivTraps(t *testing.T) {
	K := "KLDivLoss"
	regprobRun(t, []regprobCase{
		{name: "xlogy: y=0 gives 0, y<0 gives NaN", loss: K, params: map[string]any{"reduction": "none"},
			inputs: map[string]string{"input": "[-1, -1, 2]", "target": "[0, -0.5, 0.5]"},
			want:   `[0, "NaN", ` + regprobFtoa(0.5*math.Log(0.5)-1) + `]`, grads: map[string]string{"input": "[0, 0.5, -0.5]"}},
		{name: "y=0 against an infinite input is NaN", loss: K, params: map[string]any{"reduction": "none"},
			inputs: map[string]string{"input": `["Infinity", "-Infinity"]`, "target": "[0, 0]"},
			want:   `["NaN", "NaN"]`, grads: map[string]string{"input": "[0, 0]"}},
		{name: "log_target", loss: K, params: map[string]any{"reduction": "none", "log_target": true},
			inputs: map[string]string{"input": "[-1, 0]", "target": `[0, "-Infinity"]`},
			want:   `[1, "NaN"]`, grads: map[string]string{"input": "[-1, 0]"}},
		{name: "batchmean on 0-d input is the sum", loss: K, params: map[string]any{"reduction": "batchmean"},
			inputs: map[string]string{"input": "-1", "target": "0.5"},
			want:   regprobFtoa(0.5*math.Log(0.5) + 0.5), grads: map[string]string{"input": "-0.5"}},
		{name: "batchmean on 1-d input is the mean", loss: K, params: map[string]any{"reduction": "batchmean"},
			inputs: map[string]string{"input": "[-1, -2]", "target": "[0.5, 0.5]"},
			want:   regprobFtoa((math.Log(0.5) + 1.5) / 2), grads: map[string]string{"input": "[-0.25, -0.25]"}},
		{name: "batchmean divides by input.size(0), not the broadcast batch", loss: K,
			params: map[string]any{"reduction": "batchmean"},
			inputs: map[string]string{"input": "[[-1, -2]]", "target": "[[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]]"},
			want:   regprobFtoa(3 * (math.Log(0.5) + 1.5)), grads: map[string]string{"input": "[[-1.5, -1.5]]"}},
		{name: "mean divides by every element", loss: K,
			inputs: map[string]string{"input": "[[-1, -2], [-1, -2]]", "target": "[[0.5, 0.5], [0.5, 0.5]]"},
			want:   regprobFtoa((math.Log(0.5) + 1.5) / 2), grads: map[string]string{"input": "[[-0.125, -0.125], [-0.125, -0.125]]"}},
		{name: "legacy arguments override batchmean", loss: K,
			params: map[string]any{"reduction": "batchmean", "reduce": false},
			inputs: map[string]string{"input": "[[-1, -2]]", "target": "[[0.5, 0.5]]"},
			want:   "[[" + regprobFtoa(0.5*math.Log(0.5)+0.5) + ", " + regprobFtoa(0.5*math.Log(0.5)+1) + "]]",
			grads:  map[string]string{"input": "[[-0.5, -0.5]]"}},
		{name: "unknown reduction", loss: K, params: map[string]any{"reduction": "avg"},
			inputs: map[string]string{"input": "[1]", "target": "[0]"}, errWant: "params.reduction"},
	})
}

func TestKLDivDetailDistributions(t *testing.T) {
	for _, test := range []struct {
		logTarget bool
		target    string
		want      string
	}{
		{false, "[0.25, 0.75]", "[0.25, 0.75]"},
		{true, "[0, 1]", "[1, " + regprobFtoa(math.E) + "]"},
	} {
		r := mustCompute(t, "KLDivLoss", map[string]any{"log_target": test.logTarget},
			map[string]*Tensor{"input": regprobTensor(t, "[0, -1]"), "target": regprobTensor(t, test.target)})
		compareTensor(t, "input_prob", r.Detail["input_prob"].(*Tensor), regprobTensor(t, "[1, "+regprobFtoa(math.Exp(-1))+"]"))
		compareTensor(t, "target_prob", r.Detail["target_prob"].(*Tensor), regprobTensor(t, test.want))
	}
}
