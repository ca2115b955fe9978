package engine

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// Helpers shared by the tests of the regression and probabilistic losses
// (SmoothL1, Huber, PoissonNLL, GaussianNLL, KLDiv, BCE, BCEWithLogits).

// regprobTensor parses a tensor literal in the API's JSON form, e.g.
// `[[1, 2], [3, "NaN"]]` or `0.5`.
func regprobTensor(t *testing.T, s string) *Tensor {
	t.Helper()
	x, err := ParseTensor([]byte(s))
	if err != nil {
		t.Fatalf("ParseTensor(%s): %v", s, err)
	}
	return x
}

// regprobCase is one call of a loss with the loss and input gradients
// PyTorch 1.13 returns for it (written as JSON literals), or the field its
// error must name.
type regprobCase struct {
	name    string
	loss    string
	params  map[string]any
	inputs  map[string]string
	want    string            // the loss
	grads   map[string]string // gradient of loss.sum() per input
	errWant string            // the field an expected *Error names
}

// regprobRun runs each case as a subtest.
func regprobRun(t *testing.T, cases []regprobCase) {
	t.Helper()
	for _, test := range cases {
		t.Run(test.name, func(t *testing.T) {
			res, err := regprobCompute(t, test.loss, test.params, test.inputs)
			if test.errWant != "" {
				var e *Error
				if !errors.As(err, &e) || e.Field != test.errWant {
					t.Fatalf("%s(%v) error = %v; want an *Error naming %s", test.loss, test.params, err, test.errWant)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s(%v) error = %v; want loss %s", test.loss, test.params, err, test.want)
			}
			compareTensor(t, "loss", res.Loss, regprobTensor(t, test.want))
			for name, g := range test.grads {
				got, ok := res.Grads[name]
				if !ok {
					t.Fatalf("no gradient for %s", name)
				}
				compareTensor(t, "grad "+name, got, regprobTensor(t, g))
			}
		})
	}
}

// regprobCompute calls loss name with params and inputs given as literals.
func regprobCompute(t *testing.T, name string, params map[string]any, inputs map[string]string) (*Result, error) {
	t.Helper()
	spec, ok := Lookup(name)
	if !ok {
		t.Fatalf("%s is not registered", name)
	}
	in := make(map[string]*Tensor, len(inputs))
	for k, v := range inputs {
		in[k] = regprobTensor(t, v)
	}
	c, err := NewCall(spec, params, in)
	if err != nil {
		return nil, err
	}
	return c.Compute()
}

// regprobGrad checks the gradients of loss name against finite differences
// for each parameter set, on inputs drawn fresh for each.
func regprobGrad(t *testing.T, name string, cases []struct {
	name   string
	params map[string]any
	inputs func(rng *rand.Rand) map[string]*Tensor
}) {
	t.Helper()
	spec, ok := Lookup(name)
	if !ok {
		t.Fatalf("%s is not registered", name)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	for _, test := range cases {
		t.Run(test.name, func(t *testing.T) {
			checkGradients(t, spec, test.params, test.inputs(rng))
		})
	}
}

func TestSmoothL1Gradients(t *testing.T) {
	same := func(rng *rand.Rand) map[string]*Tensor {
		return map[string]*Tensor{"input": RandN(rng, 3, 4), "target": RandN(rng, 3, 4)}
	}
	regprobGrad(t, "SmoothL1Loss", []struct {
		name   string
		params map[string]any
		inputs func(rng *rand.Rand) map[string]*Tensor
	}{
		{"beta=0.5", map[string]any{"beta": 0.5}, same},
		{"beta=2/sum", map[string]any{"beta": 2.0, "reduction": "sum"}, same},
		{"beta=0.1/none", map[string]any{"beta": 0.1, "reduction": "none"}, same},
		{"legacy-sum", map[string]any{"size_average": false, "beta": 0.8}, same},
		{"broadcast-input", map[string]any{"beta": 0.7}, func(rng *rand.Rand) map[string]*Tensor {
			return map[string]*Tensor{"input": RandN(rng, 3, 1), "target": RandN(rng, 3, 4)}
		}},
	})
}

func TestSmoothL1Traps(t *testing.T) {
	regprobRun(t, []regprobCase{
		{name: "beta=0 gradient is -1 at d=0", loss: "SmoothL1Loss",
			params: map[string]any{"beta": 0.0, "reduction": "none"},
			inputs: map[string]string{"input": "[1, 2, 0, -3]", "target": "[1, 1, 1, -3]"},
			want:   "[0, 1, 1, 0]", grads: map[string]string{"input": "[-1, 1, -1, -1]"}},
		{name: "beta=0 value is L1", loss: "SmoothL1Loss",
			params: map[string]any{"beta": 0.0, "reduction": "sum"},
			inputs: map[string]string{"input": "[0.25, -2, 5]", "target": "[0, 0, 1]"},
			want:   "6.25", grads: map[string]string{"input": "[1, -1, 1]"}},
		{name: "beta>0 gradient is 0 at d=0 and ±1 at |d|=beta", loss: "SmoothL1Loss",
			params: map[string]any{"beta": 0.5, "reduction": "none"},
			inputs: map[string]string{"input": "[0, 0.5, -0.5, 0.25]", "target": "[0, 0, 0, 0]"},
			want:   "[0, 0.25, 0.25, 0.0625]", grads: map[string]string{"input": "[0, 1, -1, 0.5]"}},
		{name: "mean scales the gradient by 1/n", loss: "SmoothL1Loss",
			inputs: map[string]string{"input": "[3, 0.5]", "target": "[0, 0]"},
			want:   "1.3125", grads: map[string]string{"input": "[0.5, 0.25]"}},
		{name: "broadcast input sums its gradient", loss: "SmoothL1Loss",
			params: map[string]any{"reduction": "sum"},
			inputs: map[string]string{"input": "[[0]]", "target": "[[2, -2, 0.5]]"},
			want:   "3.125", grads: map[string]string{"input": "[[-0.5]]"}},
		{name: "subnormal beta divides (1/beta overflows)", loss: "SmoothL1Loss",
			params: map[string]any{"beta": 1e-310, "reduction": "none"},
			inputs: map[string]string{"input": "[5e-311, 1, -2e-310, 0]", "target": "[0, 0, 0, 0]"},
			want:   "[0, 1, 1.49999999999997e-310, 0]", grads: map[string]string{"input": "[0.5000000000000248, 1, -1, 0]"}},
		{name: "gradient is ±1 at |d| = beta when 1/beta is inexact", loss: "SmoothL1Loss",
			params: map[string]any{"beta": 0.3, "reduction": "none"},
			inputs: map[string]string{"input": "[0.3, -0.3, 0.1]", "target": "[0, 0, 0]"},
			want:   "[0.15, 0.15, 0.01666666666666667]", grads: map[string]string{"input": "[1, -1, 0.33333333333333337]"}},
		{name: "beta=inf is all quadratic, so 0", loss: "SmoothL1Loss",
			params: map[string]any{"beta": Scalar(math.Inf(1)), "reduction": "none"},
			inputs: map[string]string{"input": "[1, 2]", "target": "[1, 1]"},
			want:   "[0, 0]", grads: map[string]string{"input": "[0, 0]"}},
		{name: "nan and inf", loss: "SmoothL1Loss", params: map[string]any{"reduction": "none"},
			inputs: map[string]string{"input": `["NaN", "Infinity", "-Infinity", "Infinity"]`, "target": `[0, 0, 0, "Infinity"]`},
			want:   `["NaN", "Infinity", "Infinity", "NaN"]`, grads: map[string]string{"input": `["NaN", 1, -1, "NaN"]`}},
		{name: "negative beta", loss: "SmoothL1Loss", params: map[string]any{"beta": -0.1},
			inputs: map[string]string{"input": "[1]", "target": "[0]"}, errWant: "params.beta"},
		{name: "NaN beta", loss: "SmoothL1Loss", params: map[string]any{"beta": Scalar(math.NaN())},
			inputs: map[string]string{"input": "[1]", "target": "[0]"}, errWant: "params.beta"},
		{name: "shapes that do not broadcast", loss: "SmoothL1Loss",
			inputs: map[string]string{"input": "[1, 2, 3]", "target": "[1, 2]"}, errWant: "target"},
	})
}

// regprobLosses are the losses these tests cover.
var regprobLosses = []string{"SmoothL1Loss", "HuberLoss", "PoissonNLLLoss", "GaussianNLLLoss", "KLDivLoss",
	"BCELoss", "BCEWithLogitsLoss"}

// TestRegprobNoPanic feeds every loss odd shapes and extreme values: each
// call must return a result or an *Error, never panic.
func TestRegprobNoPanic(t *testing.T) {
	values := []string{"0.5", "[]", "[[]]", "[[], []]", "[0.5]", "[0.5, 0.25, 1]", "[[0.5, 0.25, 1]]",
		"[[0.5], [0.25]]", "[[[0.5, 0], [1, 0.25]]]", `["NaN", "Infinity", "-Infinity"]`, "[1e308, -1e308, 5e-324]"}
	weights := []any{nil, 2.0, []any{}, []any{0.5}, []any{1.0, 2.0}, []any{1.0, 2.0, 3.0}, []any{[]any{1.0}, []any{2.0}}}
	for _, name := range regprobLosses {
		spec, _ := Lookup(name)
		t.Run(name, func(t *testing.T) {
			var tensorParams []string
			for _, p := range spec.Params {
				if p.Kind == KindTensor {
					tensorParams = append(tensorParams, p.Name)
				}
			}
			for _, a := range values {
				for _, b := range values {
					for wi, w := range weights {
						if wi > 0 && len(tensorParams) == 0 {
							break
						}
						params := map[string]any{}
						for _, p := range tensorParams {
							params[p] = w
						}
						inputs := map[string]string{}
						for i, in := range spec.Inputs {
							inputs[in.Name] = a
							if i%2 == 1 {
								inputs[in.Name] = b
							}
						}
						func() {
							defer func() {
								if p := recover(); p != nil {
									t.Errorf("%s(%v, %v) panicked: %v", name, params, inputs, p)
								}
							}()
							_, err := regprobCompute(t, name, params, inputs)
							var e *Error
							if err != nil && !errors.As(err, &e) {
								t.Errorf("%s(%v, %v) error %v is a %T; want *Error", name, params, inputs, err, err)
							}
						}()
					}
				}
			}
		})
	}
}

// TestRegprobBufferReuse computes a large call and then a small one into
// the same Result: the small one must equal a fresh computation.
func TestRegprobBufferReuse(t *testing.T) {
	for _, name := range regprobLosses {
		spec, _ := Lookup(name)
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 5))
			big, err := NewCall(spec, map[string]any{"reduction": "none"}, spec.Random(rng, ScaleSmall))
			if err != nil {
				t.Fatal(err)
			}
			small, err := NewCall(spec, nil, spec.Random(rng, ScaleTiny))
			if err != nil {
				t.Fatal(err)
			}
			var r Result
			if err := big.ComputeInto(&r); err != nil {
				t.Fatal(err)
			}
			if err := small.ComputeInto(&r); err != nil {
				t.Fatal(err)
			}
			fresh, err := small.Compute()
			if err != nil {
				t.Fatal(err)
			}
			compareTensor(t, "loss", r.Loss, fresh.Loss)
			compareTensor(t, "elements", r.Elements, fresh.Elements)
			for k, g := range fresh.Grads {
				compareTensor(t, "grad "+k, r.Grads[k], g)
			}
		})
	}
}

// TestRegprobDetail checks that Detail holds exactly the documented fields
// (plus the framework's "elements"), each a tensor of the stated shape.
func TestRegprobDetail(t *testing.T) {
	for _, name := range regprobLosses {
		spec, _ := Lookup(name)
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 9))
			inputs := spec.Random(rng, ScaleTiny)
			r := mustCompute(t, spec.Name, nil, inputs)
			if len(r.Detail) != len(spec.DetailFields)+1 {
				t.Errorf("Detail has %d fields; want %d documented plus elements", len(r.Detail), len(spec.DetailFields))
			}
			for k := range spec.DetailFields {
				v, ok := r.Detail[k].(*Tensor)
				if !ok {
					t.Errorf("Detail[%q] = %T; want *Tensor", k, r.Detail[k])
					continue
				}
				if v.Numel() != inputs["input"].Numel() {
					t.Errorf("Detail[%q] has %d elements; want %d, one per input element", k, v.Numel(), inputs["input"].Numel())
				}
			}
			if _, err := r.AppendJSON(nil, spec); err != nil {
				t.Errorf("AppendJSON: %v", err)
			}
		})
	}
}

// TestRegprobExamples checks that the documented example inputs make a
// valid call with a finite loss, as the pages use them as defaults.
func TestRegprobExamples(t *testing.T) {
	for _, name := range regprobLosses {
		spec, _ := Lookup(name)
		t.Run(name, func(t *testing.T) {
			inputs := map[string]*Tensor{}
			for _, in := range spec.Inputs {
				b, err := json.Marshal(in.Example)
				if err != nil {
					t.Fatalf("example of %s: %v", in.Name, err)
				}
				inputs[in.Name] = regprobTensor(t, string(b))
			}
			c, err := NewCall(spec, nil, inputs)
			if err != nil {
				t.Fatal(err)
			}
			r, err := c.Compute()
			if err != nil {
				t.Fatalf("Compute on the examples: %v", err)
			}
			if l := r.Loss.Data[0]; math.IsNaN(l) || math.IsInf(l, 0) {
				t.Errorf("loss on the examples = %v; want a finite number", l)
			}
		})
	}
}

// TestRegprobParallel computes a tensor large enough to be split across
// goroutines and checks every row of it against the row computed alone.
func TestRegprobParallel(t *testing.T) {
	const n = 4*parallelGrain + 3
	for _, name := range regprobLosses {
		spec, _ := Lookup(name)
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(4, 4))
			tiny := spec.Random(rng, ScaleTiny)
			// Tile the tiny inputs out to n elements along a new first axis.
			inputs := map[string]*Tensor{}
			for k, v := range tiny {
				reps := (n + v.Numel() - 1) / v.Numel()
				big := NewTensor(append([]int{reps}, v.Shape...)...)
				for i := range big.Data {
					big.Data[i] = v.Data[i%v.Numel()] * (1 + 1e-3*float64(i/v.Numel()%7))
				}
				inputs[k] = big
			}
			c, err := NewCall(spec, map[string]any{"reduction": "none"}, inputs)
			if err != nil {
				t.Fatal(err)
			}
			whole, err := c.Compute()
			if err != nil {
				t.Fatal(err)
			}
			per := tiny["input"].Numel()
			for rep := range inputs["input"].Shape[0] {
				part := map[string]*Tensor{}
				for k, v := range inputs {
					m := v.Numel() / v.Shape[0]
					part[k] = &Tensor{Shape: append([]int{1}, v.Shape[1:]...), Data: v.Data[rep*m : (rep+1)*m]}
				}
				pc, err := NewCall(spec, map[string]any{"reduction": "none"}, part)
				if err != nil {
					t.Fatal(err)
				}
				got, err := pc.Compute()
				if err != nil {
					t.Fatal(err)
				}
				for i, want := range got.Elements.Data {
					if w := whole.Elements.Data[rep*per+i]; w != want {
						t.Errorf("row %d element %d = %v in the whole tensor; want %v as computed alone", rep, i, w, want)
					}
				}
				for k, g := range got.Grads {
					m := g.Numel()
					for i, want := range g.Data {
						if w := whole.Grads[k].Data[rep*m+i]; w != want {
							t.Errorf("row %d grad %s[%d] = %v in the whole tensor; want %v as computed alone", rep, k, i, w, want)
						}
					}
				}
			}
		})
	}
}
