package compose

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/lossplayground/playground/engine"
)

// Tolerances for agreement with PyTorch (float64), the loss API's.
const (
	rtol = 1e-6
	atol = 1e-9
)

type fixture struct {
	Name      string             `json:"name"`
	Formula   string             `json:"formula"`
	Params    map[string]float64 `json:"params"`
	Set       string             `json:"set"`
	Reduction string             `json:"reduction"`
	Input     engine.Tensor      `json:"input"`
	Target    engine.Tensor      `json:"target"`
	Loss      engine.Tensor      `json:"loss"`
	Grads     struct {
		Input  engine.Tensor `json:"input"`
		Target engine.Tensor `json:"target"`
	} `json:"grads"`
}

func loadFixtures(t testing.TB) []fixture {
	data, err := os.ReadFile("testdata/fixtures.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Fixtures []fixture `json:"fixtures"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Fixtures) == 0 {
		t.Fatal("no fixtures in testdata/fixtures.json")
	}
	return file.Fixtures
}

func reduction(s string) engine.Reduction {
	switch s {
	case "none":
		return engine.ReductionNone
	case "sum":
		return engine.ReductionSum
	}
	return engine.ReductionMean
}

// TestFixtures compares every formula with the same loss written with
// torch operations and run by PyTorch 1.13 (testdata/gen/gen.py): the loss
// and the gradients of input and target, NaN and ±Inf included, on every
// input set and reduction.
func TestFixtures(t *testing.T) {
	for _, fx := range loadFixtures(t) {
		t.Run(fx.Name+"/"+fx.Set+"/"+fx.Reduction, func(t *testing.T) {
			f, err := Parse(fx.Formula)
			if err != nil {
				t.Fatalf("Parse(%q): %v", fx.Formula, err)
			}
			p, err := f.Bind(fx.Params)
			if err != nil {
				t.Fatal(err)
			}
			var r engine.Result
			if err := f.Eval(context.Background(), &fx.Input, &fx.Target, p, reduction(fx.Reduction), &r); err != nil {
				t.Fatalf("Eval: %v", err)
			}
			compare(t, "loss", r.Loss, &fx.Loss)
			compare(t, "grad input", r.Grads["input"], &fx.Grads.Input)
			compare(t, "grad target", r.Grads["target"], &fx.Grads.Target)
		})
	}
}

func compare(t *testing.T, what string, got, want *engine.Tensor) {
	t.Helper()
	if !slices.Equal(got.Shape, want.Shape) {
		t.Errorf("%s shape = %v; want %v", what, got.Shape, want.Shape)
		return
	}
	for i := range want.Data {
		if !close(got.Data[i], want.Data[i]) {
			t.Errorf("%s[%d] = %v; want %v (all: got %v, want %v)", what, i, got.Data[i], want.Data[i], got.Data, want.Data)
			return
		}
	}
}

func close(got, want float64) bool {
	switch {
	case math.IsNaN(want) || math.IsNaN(got):
		return math.IsNaN(want) && math.IsNaN(got)
	case math.IsInf(want, 0) || math.IsInf(got, 0):
		return got == want
	}
	return math.Abs(got-want) <= atol+rtol*math.Abs(want)
}

// TestFixturesCoverLanguage fails when a function or operator of the
// language has no fixture from PyTorch.
func TestFixturesCoverLanguage(t *testing.T) {
	seen := map[op]bool{}
	for _, fx := range loadFixtures(t) {
		f, err := Parse(fx.Formula)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range f.code {
			seen[in.op] = true
		}
	}
	for o := opConst; o <= opMean; o++ {
		if !seen[o] {
			t.Errorf("op %d has no PyTorch fixture", o)
		}
	}
}

// TestGradientsFiniteDifferences checks the analytic gradient against
// central differences on seeded random inputs away from kinks, for
// formulas with broadcasting and reductions.
func TestGradientsFiniteDifferences(t *testing.T) {
	tests := []struct {
		formula string
		params  map[string]float64
		in, tg  []int
	}{
		{"(input - target)^2", nil, []int{4}, []int{4}},
		{"log(cosh(input - target))", nil, []int{2, 3}, []int{3}},
		{"sqrt((input - target)^2 + eps^2)", map[string]float64{"eps": 0.1}, []int{3}, []int{2, 1}},
		{"alpha*target*(1 - sigmoid(input))^gamma*softplus(-input) + (1 - alpha)*(1 - target)*sigmoid(input)^gamma*softplus(input)",
			map[string]float64{"alpha": 0.25, "gamma": 2}, []int{5}, []int{5}},
		{"1 - (2*sum(sigmoid(input)*target) + 1)/(sum(sigmoid(input)) + sum(target) + 1)", nil, []int{2, 2}, []int{2}},
		{"(input - mean(input))^2 * exp(target/4) / (1 + tanh(target)^2)", nil, []int{4}, []int{4}},
		{"exp(target) ^ sigmoid(input) + log1p(exp(input)) * cosh(target)", nil, []int{3}, []int{3}},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, test := range tests {
		for _, red := range []engine.Reduction{engine.ReductionMean, engine.ReductionSum, engine.ReductionNone} {
			t.Run(test.formula+"/"+red.String(), func(t *testing.T) {
				f, err := Parse(test.formula)
				if err != nil {
					t.Fatal(err)
				}
				p, err := f.Bind(test.params)
				if err != nil {
					t.Fatal(err)
				}
				x, y := randTensor(rng, test.in), randTensor(rng, test.tg)
				total := func() float64 {
					var r engine.Result
					if err := f.Eval(context.Background(), x, y, p, red, &r); err != nil {
						t.Fatal(err)
					}
					return engine.Sum(r.Loss.Data)
				}
				var r engine.Result
				if err := f.Eval(context.Background(), x, y, p, red, &r); err != nil {
					t.Fatal(err)
				}
				for _, leaf := range []struct {
					name string
					t    *engine.Tensor
				}{{"input", x}, {"target", y}} {
					for i := range leaf.t.Data {
						const h = 1e-6
						v := leaf.t.Data[i]
						leaf.t.Data[i] = v + h
						up := total()
						leaf.t.Data[i] = v - h
						down := total()
						leaf.t.Data[i] = v
						num := (up - down) / (2 * h)
						if got := r.Grads[leaf.name].Data[i]; math.Abs(got-num) > 1e-5*(1+math.Abs(num)) {
							t.Errorf("d loss / d %s[%d] = %v; central difference %v", leaf.name, i, got, num)
						}
					}
				}
			})
		}
	}
}

func randTensor(rng *rand.Rand, shape []int) *engine.Tensor {
	x := engine.NewTensor(shape...)
	for i := range x.Data {
		x.Data[i] = rng.Float64()*3 - 1.5
	}
	return x
}
