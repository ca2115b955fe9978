package engine

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func TestMarginRankingTraps(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, test := range []struct {
		name         string
		x1, x2, y    []float64
		x2Shape      []int
		margin       float64
		reduction    string
		loss, g1, g2 []float64
	}{
		// z = −y(x1 − x2) + margin = 0 exactly: the clamp passes the gradient.
		{name: "kink passes the gradient", x1: []float64{1}, x2: []float64{1}, y: []float64{1},
			reduction: "none", loss: []float64{0}, g1: []float64{-1}, g2: []float64{1}},
		{name: "inactive hinge", x1: []float64{2}, x2: []float64{1}, y: []float64{1},
			reduction: "none", loss: []float64{0}, g1: []float64{0}, g2: []float64{0}},
		// y is not checked: y = 2 doubles the slope. z = −2(0.5 − 1) + 0.2 = 1.2.
		{name: "target 2 scales the hinge", x1: []float64{0.5}, x2: []float64{1}, y: []float64{2}, margin: 0.2,
			reduction: "none", loss: []float64{1.2}, g1: []float64{-2}, g2: []float64{2}},
		// The gradient is mask·(−y): 0·(−∞) = NaN even where the hinge is off.
		{name: "infinite target, inactive hinge", x1: []float64{2}, x2: []float64{1}, y: []float64{inf},
			reduction: "none", loss: []float64{0}, g1: []float64{nan}, g2: []float64{nan}},
		// x2 of size 1 broadcasts (1.13): z = −(x1 − 2) = 1, 0, −1.
		{name: "broadcast input2", x1: []float64{1, 2, 3}, x2: []float64{2}, y: []float64{1, 1, 1},
			reduction: "sum", loss: []float64{1}, g1: []float64{-1, -1, 0}, g2: []float64{2}},
		{name: "broadcast input2, mean", x1: []float64{1, 2, 3}, x2: []float64{2}, y: []float64{1, 1, 1},
			reduction: "mean", loss: []float64{1.0 / 3}, g1: []float64{-1.0 / 3, -1.0 / 3, 0}, g2: []float64{2.0 / 3}},
	} {
		t.Run(test.name, func(t *testing.T) {
			res, err := tryCompute(t, "MarginRankingLoss", map[string]any{"margin": test.margin, "reduction": test.reduction},
				map[string]*Tensor{
					"input1": marginTestTensor([]int{len(test.x1)}, test.x1...),
					"input2": marginTestTensor([]int{len(test.x2)}, test.x2...),
					"target": marginTestTensor([]int{len(test.y)}, test.y...),
				})
			if err != nil {
				t.Fatal(err)
			}
			marginTestCheck(t, "loss", res.Loss, test.loss...)
			marginTestCheck(t, "grad input1", res.Grads["input1"], test.g1...)
			marginTestCheck(t, "grad input2", res.Grads["input2"], test.g2...)
		})
	}
}

func TestMarginRankingDetail(t *testing.T) {
	res, err := tryCompute(t, "MarginRankingLoss", map[string]any{"margin": 0.5}, map[string]*Tensor{
		"input1": marginTestTensor([]int{2}, 1, 0), "input2": marginTestTensor([]int{2}, 0, 1), "target": marginTestTensor([]int{2}, 1, -1)})
	if err != nil {
		t.Fatal(err)
	}
	// −1·(1 − 0) + 0.5 and +1·(0 − 1) + 0.5.
	marginTestCheck(t, "margin_term", res.Detail["margin_term"].(*Tensor), -0.5, -0.5)
}

func TestMarginRankingErrors(t *testing.T) {
	for _, test := range []struct {
		name      string
		x1, x2, y *Tensor
		field     string
	}{
		{"input2 has another rank", NewTensor(3), NewTensor(1, 1), NewTensor(3), "input1"},
		{"target has another rank", NewTensor(1, 2), NewTensor(1, 2), NewTensor(2), "input1"},
		{"sizes do not broadcast", NewTensor(3), NewTensor(2), NewTensor(3), "input2"},
		{"target does not broadcast", NewTensor(3), NewTensor(3), NewTensor(2), "target"},
	} {
		t.Run(test.name, func(t *testing.T) {
			_, err := tryCompute(t, "MarginRankingLoss", nil, map[string]*Tensor{"input1": test.x1, "input2": test.x2, "target": test.y})
			var e *Error
			if !errors.As(err, &e) || e.Field != test.field {
				t.Errorf("error = %v; want an *Error on %s", err, test.field)
			}
		})
	}
}

func TestMarginRankingGradients(t *testing.T) {
	spec, _ := Lookup("MarginRankingLoss")
	rng := rand.New(rand.NewPCG(5, 6))
	for _, test := range []struct {
		name       string
		params     map[string]any
		s1, s2, sy []int
	}{
		{"margin 0.5", map[string]any{"margin": 0.5}, []int{6}, []int{6}, []int{6}},
		{"negative margin, sum", map[string]any{"margin": -0.3, "reduction": "sum"}, []int{6}, []int{6}, []int{6}},
		{"2-D broadcast", map[string]any{"margin": 0.2, "reduction": "none"}, []int{2, 3}, []int{2, 1}, []int{1, 3}},
		{"legacy sum", map[string]any{"size_average": false}, []int{5}, []int{1}, []int{5}},
	} {
		t.Run(test.name, func(t *testing.T) {
			y := randomSigns(rng, test.sy...)
			y.Data[0] = 2 // not checked by PyTorch
			checkGradients(t, spec, test.params, map[string]*Tensor{
				"input1": RandN(rng, test.s1...), "input2": RandN(rng, test.s2...), "target": y})
		})
	}
}
