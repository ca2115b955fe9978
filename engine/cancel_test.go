package engine

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// longCalls are calls whose work is far beyond linear in their inputs: a
// CTC lattice of 1500 frames by 4001 states (with detail) and a
// MultiLabelMarginLoss row of 20,000 classes that lists one label 20,000
// times (4·10^8 label pairs). Uncanceled, each takes seconds.
func longCalls(t *testing.T) []struct {
	name string
	call *Call
} {
	t.Helper()
	const T, L = 1500, 2000
	lp := NewTensor(T, 2)
	for i := range lp.Data {
		lp.Data[i] = math.Log(0.5)
	}
	targets := NewTensor(L)
	for i := range targets.Data {
		targets.Data[i] = 1
	}
	ctc, _ := Lookup("CTCLoss")
	ctcCall, err := NewCall(ctc, nil, map[string]*Tensor{
		"log_probs": lp, "targets": targets,
		"input_lengths": {Data: []float64{T}}, "target_lengths": {Data: []float64{L}},
	})
	if err != nil {
		t.Fatalf("CTCLoss call: %v", err)
	}
	ctcCall.Detail = true

	const C = 20000
	x, y := NewTensor(1, C), NewTensor(1, C)
	for i := range x.Data {
		x.Data[i] = float64(i%7) / 7
	}
	for i := range y.Data {
		y.Data[i] = 3 // one label, listed C times: C·C hinge terms
	}
	mlm, _ := Lookup("MultiLabelMarginLoss")
	mlmCall, err := NewCall(mlm, nil, map[string]*Tensor{"input": x, "target": y})
	if err != nil {
		t.Fatalf("MultiLabelMarginLoss call: %v", err)
	}
	return []struct {
		name string
		call *Call
	}{{"CTCLoss", ctcCall}, {"MultiLabelMarginLoss", mlmCall}}
}

func TestComputeContextStopsLongLoops(t *testing.T) {
	for _, test := range longCalls(t) {
		t.Run(test.name+"/canceled", func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			err := test.call.ComputeContext(ctx, &Result{})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("ComputeContext(canceled) = %v; want an error wrapping context.Canceled", err)
			}
		})
		t.Run(test.name+"/deadline", func(t *testing.T) {
			// The deadline passes while the loops run: they must notice it.
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			err := test.call.ComputeContext(ctx, &Result{})
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("ComputeContext(50 ms deadline) = %v; want an error wrapping context.DeadlineExceeded", err)
			}
		})
	}
}

// TestComputeContextIsComputeInto checks that a computation that is not
// canceled gives, to the bit, what ComputeInto gives, with and without
// detail, on every loss's random inputs.
func TestComputeContextIsComputeInto(t *testing.T) {
	for _, spec := range All() {
		for _, detail := range []bool{false, true} {
			name := spec.Name
			if detail {
				name += "/detail"
			}
			t.Run(name, func(t *testing.T) {
				inputs := spec.Random(rand.New(rand.NewPCG(9, 9)), ScaleSmall)
				c, err := NewCall(spec, nil, inputs)
				if err != nil {
					t.Fatalf("NewCall: %v", err)
				}
				c.Detail = detail
				var want, got Result
				if err := c.ComputeInto(&want); err != nil {
					t.Fatalf("ComputeInto: %v", err)
				}
				if err := c.ComputeContext(context.Background(), &got); err != nil {
					t.Fatalf("ComputeContext: %v", err)
				}
				sameBits(t, "ComputeContext loss (want ComputeInto's)", got.Loss, want.Loss)
				for k, g := range want.Grads {
					sameBits(t, "ComputeContext grads."+k+" (want ComputeInto's)", got.Grads[k], g)
				}
			})
		}
	}
}
