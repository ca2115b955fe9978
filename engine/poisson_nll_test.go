package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestPoissonNLLGradients(t *testing.T) {
	counts := func(rng *rand.Rand, shape ...int) *Tensor {
		y := NewTensor(shape...)
		for i := range y.Data {
			y.Data[i] = float64(rng.IntN(6))
		}
		return y
	}
	logRates := func(rng *rand.Rand) map[string]*Tensor {
		return map[string]*Tensor{"input": RandN(rng, 3, 4), "target": counts(rng, 3, 4)}
	}
	rates := func(rng *rand.Rand) map[string]*Tensor {
		return map[string]*Tensor{"input": RandU(rng, 0.2, 3, 3, 4), "target": counts(rng, 3, 4)}
	}
	regprobGrad(t, "PoissonNLLLoss", []struct {
		name   string
		params map[string]any
		inputs func(rng *rand.Rand) map[string]*Tensor
	}{
		{"full", map[string]any{"full": true}, logRates},
		{"rates", map[string]any{"log_input": false}, rates},
		{"rates-full-eps=0.1/sum", map[string]any{"log_input": false, "full": true, "eps": 0.1, "reduction": "sum"}, rates},
		{"rates-eps=0/none", map[string]any{"log_input": false, "eps": 0.0, "reduction": "none"}, rates},
		{"broadcast-input", map[string]any{"full": true}, func(rng *rand.Rand) map[string]*Tensor {
			return map[string]*Tensor{"input": RandN(rng, 3, 1), "target": counts(rng, 3, 4)}
		}},
	})
}

func TestPoissonNLLTraps(t *testing.T) {
	// ½·log(2π·2) + 2·log 2 − 2, the Stirling term at y = 2.
	stirling2 := 2*math.Log(2) - 2 + 0.5*math.Log(4*math.Pi)
	regprobRun(t, []regprobCase{
		{name: "Stirling term only where y > 1", loss: "PoissonNLLLoss",
			params: map[string]any{"full": true, "reduction": "none"},
			inputs: map[string]string{"input": "[0, 0, 0, 0, 0]", "target": `[0, 0.5, 1, 2, "NaN"]`},
			want:   `[1, 1, 1, ` + regprobFtoa(1+stirling2) + `, "NaN"]`,
			grads:  map[string]string{"input": `[1, 0.5, 0, -1, "NaN"]`}},
		{name: "no Stirling term unless full", loss: "PoissonNLLLoss",
			params: map[string]any{"reduction": "none"},
			inputs: map[string]string{"input": "[0, 1]", "target": "[2, 3]"},
			want:   "[1, " + regprobFtoa(math.E-3) + "]", grads: map[string]string{"input": "[-1, " + regprobFtoa(math.E-3) + "]"}},
		{name: "rates: eps keeps log(0) finite", loss: "PoissonNLLLoss",
			params: map[string]any{"log_input": false, "reduction": "none"},
			inputs: map[string]string{"input": "[0, 0]", "target": "[1, 0]"},
			want:   "[" + regprobFtoa(-math.Log(1e-8)) + ", 0]", grads: map[string]string{"input": "[-99999999, 1]"}},
		{name: "rates: eps=0 gives inf at a zero rate", loss: "PoissonNLLLoss",
			params: map[string]any{"log_input": false, "eps": 0.0, "reduction": "none"},
			inputs: map[string]string{"input": "[0, 0, 2]", "target": "[1, 0, 2]"},
			want:   `["Infinity", "NaN", ` + regprobFtoa(2-2*math.Log(2)) + `]`, grads: map[string]string{"input": `["-Infinity", "NaN", 0]`}},
		{name: "rates: negative rate is NaN", loss: "PoissonNLLLoss",
			params: map[string]any{"log_input": false, "reduction": "none"},
			inputs: map[string]string{"input": "[-1]", "target": "[1]"},
			want:   `["NaN"]`, grads: map[string]string{"input": "[2.00000001]"}},
		{name: "negative eps is rejected", loss: "PoissonNLLLoss", params: map[string]any{"eps": -1.0},
			inputs: map[string]string{"input": "[1]", "target": "[0]"}, errWant: "params.eps"},
		{name: "batchmean is not a reduction here", loss: "PoissonNLLLoss", params: map[string]any{"reduction": "batchmean"},
			inputs: map[string]string{"input": "[1]", "target": "[0]"}, errWant: "params.reduction"},
	})
}

func TestPoissonNLLDetailRate(t *testing.T) {
	for _, test := range []struct {
		logInput bool
		want     string
	}{
		{true, "[1, " + regprobFtoa(math.E) + "]"},
		{false, "[0, 1]"},
	} {
		r := mustCompute(t, "PoissonNLLLoss", map[string]any{"log_input": test.logInput},
			map[string]*Tensor{"input": regprobTensor(t, "[0, 1]"), "target": regprobTensor(t, "[1, 1]")})
		compareTensor(t, "rate", r.Detail["rate"].(*Tensor), regprobTensor(t, test.want))
	}
}

// regprobFtoa formats v as a JSON number for the case tables.
func regprobFtoa(v float64) string { return string(AppendFloat(nil, v)) }
