package cost

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/lossplayground/playground/engine"
)

// filled returns a tensor of shape holding v.
func filled(v float64, shape ...int) *engine.Tensor {
	t := engine.NewTensor(shape...)
	for i := range t.Data {
		t.Data[i] = v
	}
	return t
}

func call(t testing.TB, loss string, params map[string]any, inputs map[string]*engine.Tensor) *engine.Call {
	t.Helper()
	spec, ok := engine.Lookup(loss)
	if !ok {
		t.Fatalf("no loss %s", loss)
	}
	c, err := engine.NewCall(spec, params, inputs)
	if err != nil {
		t.Fatalf("%s: NewCall = %v", loss, err)
	}
	return c
}

// ctcCall is CTCLoss with T frames, C classes and one target of length L.
func ctcCall(t testing.TB, T, C, L int) *engine.Call {
	return call(t, "CTCLoss", nil, map[string]*engine.Tensor{
		"log_probs":     filled(math.Log(1/float64(C)), T, C),
		"targets":       filled(1, L),
		"input_lengths": {Data: []float64{float64(T)}}, "target_lengths": {Data: []float64{float64(L)}},
	})
}

// mlmCall is MultiLabelMarginLoss over (N, C), each row listing labels
// labels (duplicates of class 1) then −1.
func mlmCall(t testing.TB, N, C, labels int) *engine.Call {
	y := filled(-1, N, C)
	for r := range N {
		for j := range labels {
			y.Data[r*C+j] = 1
		}
	}
	return call(t, "MultiLabelMarginLoss", nil, map[string]*engine.Tensor{"input": filled(0.5, N, C), "target": y})
}

// TestTeachingShapesFit checks that shapes a person would type on a page
// (with detail and charts, as a page asks) stay inside the default
// budget.
func TestTeachingShapesFit(t *testing.T) {
	for _, test := range []struct {
		name string
		call *engine.Call
	}{
		{"MSELoss 100×100", call(t, "MSELoss", nil, map[string]*engine.Tensor{"input": filled(1, 100, 100), "target": filled(0, 100, 100)})},
		{"BCELoss 128×128", call(t, "BCELoss", nil, map[string]*engine.Tensor{"input": filled(0.5, 128, 128), "target": filled(1, 128, 128)})},
		{"CrossEntropyLoss 64×10", call(t, "CrossEntropyLoss", nil, map[string]*engine.Tensor{"input": filled(0.1, 64, 10), "target": filled(3, 64)})},
		{"CTCLoss T=100, C=10, L=30", ctcCall(t, 100, 10, 30)},
		{"CTCLoss T=200, C=28, L=50", ctcCall(t, 200, 28, 50)},
		{"MultiLabelMarginLoss 16×50, 5 labels", mlmCall(t, 16, 50, 5)},
		{"MultiLabelMarginLoss 4×200, every class listed", mlmCall(t, 4, 200, 200)},
	} {
		for _, dtype := range []engine.DType{engine.Float64, engine.Float32} {
			t.Run(test.name+"/"+dtype.String(), func(t *testing.T) {
				if err := test.call.SetDType(dtype); err != nil {
					t.Fatal(err)
				}
				e := Of(test.call, true, true)
				if err := Default.Check(e); err != nil {
					t.Errorf("Check(%+v) = %v; want nil", e, err)
				}
			})
		}
	}
}

// TestFloat32Work checks that a float32 call is budgeted at a multiple
// of the same call in float64.
func TestFloat32Work(t *testing.T) {
	for _, test := range []struct {
		name   string
		call   *engine.Call
		factor int64
	}{
		{"MSELoss", call(t, "MSELoss", nil, map[string]*engine.Tensor{"input": filled(1, 100, 100), "target": filled(0, 100, 100)}), 4},
		{"CTCLoss", ctcCall(t, 100, 10, 30), 6},
		{"MultiLabelMarginLoss", mlmCall(t, 16, 50, 5), 1},
	} {
		t.Run(test.name, func(t *testing.T) {
			w64 := Of(test.call, false, false).Work
			if err := test.call.SetDType(engine.Float32); err != nil {
				t.Fatal(err)
			}
			if got, want := Of(test.call, false, false).Work, w64*test.factor; got != want {
				t.Errorf("float32 work = %d; want %d (float64's %d × %d)", got, want, w64, test.factor)
			}
		})
	}
}

// TestOverBudget checks that calls over a budget are refused naming the
// field that drives the cost, the cost and the limit.
func TestOverBudget(t *testing.T) {
	for _, test := range []struct {
		name        string
		call        *engine.Call
		detail      bool
		field, want string
	}{
		{"CTC lattice of the issue", ctcCall(t, 1673, 2, 5013), true, "targets", "67,108,864"},
		{"CTC of many frames, short target", ctcCall(t, 300000, 2, 2), false, "log_probs", "16,777,216"},
		{"MultiLabelMargin, one label 40,000 times", mlmCall(t, 1, 40000, 40000), false, "target", "label pairs"},
		{"broadcast [3000, 1] × [1, 3000]", call(t, "MSELoss", nil, map[string]*engine.Tensor{"input": filled(1, 3000, 1), "target": filled(0, 1, 3000)}),
			false, "target", "shape [3000, 3000]"},
		{"an answer over 16 MiB", call(t, "MSELoss", map[string]any{"reduction": "none"}, map[string]*engine.Tensor{"input": filled(1, 500000), "target": filled(0, 500000)}),
			true, "input", "16,777,216"},
	} {
		t.Run(test.name, func(t *testing.T) {
			err := Default.Check(Of(test.call, test.detail, false))
			var ee *engine.Error
			if !errors.As(err, &ee) {
				t.Fatalf("Check = %v; want an *engine.Error", err)
			}
			if ee.Field != test.field || !strings.Contains(ee.Msg, test.want) {
				t.Errorf("Check = %v; want field %q and a message containing %q", err, test.field, test.want)
			}
		})
	}
}

// TestCTCStates checks the lattice bound T·(2·numel(targets)+N) against
// Σ_b T_b·(2·L_b+1) on padded and concatenated targets.
func TestCTCStates(t *testing.T) {
	padded := call(t, "CTCLoss", nil, map[string]*engine.Tensor{
		"log_probs": filled(math.Log(0.25), 10, 3, 4), "targets": filled(1, 3, 5),
		"input_lengths": filled(10, 3), "target_lengths": filled(5, 3),
	})
	concatenated := call(t, "CTCLoss", nil, map[string]*engine.Tensor{
		"log_probs": filled(math.Log(0.25), 10, 3, 4), "targets": filled(1, 9),
		"input_lengths": filled(10, 3), "target_lengths": {Shape: []int{3}, Data: []float64{2, 3, 4}},
	})
	for _, test := range []struct {
		name        string
		call        *engine.Call
		states, one int64
	}{
		{"padded (N=3, S=5)", padded, 10 * 3 * 11, 10 * 11},
		{"concatenated (lengths 2, 3, 4)", concatenated, 10 * (2*9 + 3), 10 * 19},
	} {
		t.Run(test.name, func(t *testing.T) {
			if got := ctcStates(test.call); got != test.states {
				t.Errorf("ctcStates = %d; want %d", got, test.states)
			}
			if got := ctcSampleStates(test.call); got != test.one {
				t.Errorf("ctcSampleStates = %d; want %d", got, test.one)
			}
		})
	}
}

// BenchmarkAtBudget computes the most expensive call of each kind the
// default budget allows, to check the budget against the time it buys
// (about a second at most).
func BenchmarkAtBudget(b *testing.B) {
	for _, bench := range []struct {
		name   string
		call   *engine.Call
		detail bool
	}{
		{"MultiLabelMarginLoss 1×4000 one label, detail", mlmCall(b, 1, 4000, 4000), true},
		{"MultiLabelMarginLoss 1×5600 one label", mlmCall(b, 1, 5600, 5600), false},
		{"CTCLoss T=400 L=200, detail", ctcCall(b, 400, 2, 200), true},
		{"CTCLoss T=1000 L=4000", ctcCall(b, 1000, 2, 4000), false},
		{"BCEWithLogitsLoss 200k", call(b, "BCEWithLogitsLoss", nil, map[string]*engine.Tensor{"input": filled(0.5, 200000), "target": filled(1, 200000)}), false},
	} {
		e := Of(bench.call, bench.detail, false)
		if err := Default.Check(e); err != nil {
			b.Fatalf("%s: %v", bench.name, err)
		}
		if e.Work < Default.Work/3 && e.Bytes < Default.Bytes/3 {
			b.Fatalf("%s: work %d and %d bytes are not near the budgets %d and %d", bench.name, e.Work, e.Bytes, Default.Work, Default.Bytes)
		}
		b.Run(bench.name, func(b *testing.B) {
			bench.call.Detail = bench.detail
			var r engine.Result
			for b.Loop() {
				if err := bench.call.ComputeInto(&r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
