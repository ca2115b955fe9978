package engine

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// clsVec returns a 1-D tensor.
func clsVec(v ...float64) *Tensor { return &Tensor{Shape: []int{len(v)}, Data: v} }

// clsMat returns a 2-D tensor with the given rows.
func clsMat(rows ...[]float64) *Tensor {
	t := &Tensor{Shape: []int{len(rows), 0}, Data: []float64{}}
	if len(rows) > 0 {
		t.Shape[1] = len(rows[0])
	}
	for _, r := range rows {
		t.Data = append(t.Data, r...)
	}
	return t
}

// clsWantError checks that a call fails with an *Error naming field.
func clsWantError(t *testing.T, name string, params map[string]any, inputs map[string]*Tensor, field string) {
	t.Helper()
	r, err := tryCompute(t, name, params, inputs)
	if err == nil {
		t.Fatalf("%s(%v) = %v; want an error on %s", name, params, r.Loss.Data, field)
	}
	e, ok := err.(*Error)
	if !ok || e.Field != field {
		t.Fatalf("%s(%v) error = %v; want an *Error on %s", name, params, err, field)
	}
}

// TestClsExamplesAndDetail runs every classification loss on its declared
// example inputs with Detail on: the example must be a valid call, and the
// detail must hold exactly the documented fields plus "elements".
func TestClsExamplesAndDetail(t *testing.T) {
	for _, name := range []string{"CrossEntropyLoss", "NLLLoss", "MultiLabelSoftMarginLoss", "MultiMarginLoss", "MultiLabelMarginLoss"} {
		t.Run(name, func(t *testing.T) {
			spec, _ := Lookup(name)
			inputs := map[string]*Tensor{}
			for _, in := range spec.Inputs {
				b, err := json.Marshal(in.Example)
				if err != nil {
					t.Fatal(err)
				}
				if inputs[in.Name], err = ParseTensor(b); err != nil {
					t.Fatalf("example %s: %v", in.Name, err)
				}
			}
			r := mustCompute(t, name, nil, inputs)
			if got, want := len(r.Detail), len(spec.DetailFields)+1; got != want {
				t.Errorf("len(Detail) = %d; want %d (%v)", got, want, spec.DetailFields)
			}
			for f := range spec.DetailFields {
				if _, ok := r.Detail[f]; !ok {
					t.Errorf("Detail[%q] missing", f)
				}
			}
			if _, err := json.Marshal(r.Detail); err != nil {
				t.Errorf("Detail does not encode: %v", err)
			}
			if math.IsNaN(r.Loss.Data[0]) || math.IsInf(r.Loss.Data[0], 0) {
				t.Errorf("example loss = %v; want a finite number", r.Loss.Data[0])
			}
		})
	}
}

// TestClsNoPanic throws random shapes, values and parameters at the
// classification losses: every call must return a result or an *Error,
// never panic.
func TestClsNoPanic(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	values := []float64{0, 1, -1, 2, 3, -100, 0.5, math.NaN(), math.Inf(1), math.Inf(-1), 1e300, -1e300, 1e20}
	randTensor := func() *Tensor {
		shape := make([]int, rng.IntN(5))
		for i := range shape {
			shape[i] = rng.IntN(4)
		}
		x := NewTensor(shape...)
		for i := range x.Data {
			x.Data[i] = values[rng.IntN(len(values))]
		}
		return x
	}
	names := []string{"CrossEntropyLoss", "NLLLoss", "MultiLabelSoftMarginLoss", "MultiMarginLoss", "MultiLabelMarginLoss"}
	for i := range 20000 {
		name := names[i%len(names)]
		spec, _ := Lookup(name)
		params := map[string]any{}
		for _, p := range spec.Params {
			if rng.IntN(2) == 0 {
				continue
			}
			switch p.Kind {
			case KindTensor:
				params[p.Name] = randTensor()
			case KindInt:
				params[p.Name] = rng.IntN(7) - 3
			case KindFloat:
				params[p.Name] = values[rng.IntN(len(values))]
			case KindEnum:
				params[p.Name] = p.Values[rng.IntN(len(p.Values))]
			case KindOptionalBool:
				params[p.Name] = rng.IntN(2) == 0
			}
		}
		inputs := map[string]*Tensor{}
		for _, in := range spec.Inputs {
			x := randTensor()
			if in.Integer {
				for j := range x.Data {
					x.Data[j] = float64(rng.IntN(6) - 2)
				}
			}
			inputs[in.Name] = x
		}
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("%s(params %v, inputs %v) panicked: %v", name, params, inputs, p)
				}
			}()
			if _, err := tryCompute(t, name, params, inputs); err != nil {
				if _, ok := err.(*Error); !ok {
					t.Fatalf("%s: error %v is a %T; want *Error", name, err, err)
				}
			}
		}()
	}
}

// TestClsLargeBatchMatchesRows checks the samples split across goroutines:
// a large batch's per-sample losses and gradient must equal each sample
// computed alone.
func TestClsLargeBatchMatchesRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	const n, c = 600, 120
	w := RandU(rng, 0.5, 2, c)
	labels := NewTensor(n, c)
	for s := range n {
		row := labels.Data[s*c : s*c+c]
		perm := rng.Perm(c)
		k := rng.IntN(5)
		for i := range row {
			row[i] = float64(perm[i])
			if i == k {
				row[i] = -1
			}
		}
	}
	classes := NewTensor(n)
	for i := range classes.Data {
		classes.Data[i] = float64(rng.IntN(c))
	}
	for _, test := range []struct {
		name   string
		params map[string]any
		target *Tensor
		row    func(s int) *Tensor // the target of sample s alone
	}{
		{"MultiMarginLoss", map[string]any{"p": 2, "weight": w}, classes, func(s int) *Tensor { return Scalar(classes.Data[s]) }},
		{"MultiLabelMarginLoss", nil, labels, func(s int) *Tensor { return clsVec(labels.Data[s*c : s*c+c]...) }},
		{"MultiLabelSoftMarginLoss", map[string]any{"weight": w}, RandU(rng, 0, 1, n, c), nil},
	} {
		t.Run(test.name, func(t *testing.T) {
			if test.row == nil {
				test.row = func(s int) *Tensor { return clsVec(test.target.Data[s*c : s*c+c]...) }
			}
			x := RandN(rng, n, c)
			params := map[string]any{"reduction": "sum"}
			for k, v := range test.params {
				params[k] = v
			}
			batch := mustCompute(t, test.name, params, map[string]*Tensor{"input": x, "target": test.target})
			for s := range n {
				one := mustCompute(t, test.name, params, map[string]*Tensor{"input": clsVec(x.Data[s*c : s*c+c]...), "target": test.row(s)})
				if got, want := batch.Elements.Data[s], one.Loss.Data[0]; got != want {
					t.Fatalf("sample %d: batch loss %v; want %v", s, got, want)
				}
				if !slices.Equal(batch.Grads["input"].Data[s*c:s*c+c], one.Grads["input"].Data) {
					t.Fatalf("sample %d: batch gradient differs from the sample alone", s)
				}
			}
		})
	}
}
