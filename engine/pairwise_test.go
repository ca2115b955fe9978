package engine

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// Helpers shared by the tests of the margin and embedding losses.

// marginTestTensor returns a tensor of the given shape holding data.
func marginTestTensor(shape []int, data ...float64) *Tensor {
	if len(data) != Numel(shape) {
		panic("marginTestTensor: wrong number of elements")
	}
	return &Tensor{Shape: shape, Data: data}
}

// marginTestClose reports whether got and want agree to 1e-12, NaN
// matching NaN.
func marginTestClose(got, want float64) bool {
	return closeTo(got, want, 1e-12, 1e-15)
}

// marginTestCheck compares a tensor with the expected values.
func marginTestCheck(t *testing.T, what string, got *Tensor, want ...float64) {
	t.Helper()
	if got == nil || len(got.Data) != len(want) {
		t.Errorf("%s = %v; want %v", what, got, want)
		return
	}
	for i := range want {
		if !marginTestClose(got.Data[i], want[i]) {
			t.Errorf("%s = %v; want %v", what, got.Data, want)
			return
		}
	}
}

func TestPairwiseDistance(t *testing.T) {
	for _, test := range []struct {
		name   string
		u, v   []float64
		p, eps float64
		want   float64
	}{
		// eps is added to every component of the difference.
		{"same point is eps·sqrt(D)", []float64{1, 2}, []float64{1, 2}, 2, 1e-6, 1e-6 * math.Sqrt2},
		{"u−v+eps", []float64{0, 0}, []float64{0.5, 0.5}, 2, 0.1, math.Sqrt(2 * 0.4 * 0.4)},
		{"v−u+eps differs", []float64{0.5, 0.5}, []float64{0, 0}, 2, 0.1, math.Sqrt(2 * 0.6 * 0.6)},
		{"p=1", []float64{1, -2}, []float64{0, 0}, 1, 0, 3},
		{"p=3", []float64{1, -2}, []float64{0, 0}, 3, 0, math.Cbrt(9)},
		{"p=inf", []float64{1, -2}, []float64{0, 0}, math.Inf(1), 0, 2},
		{"p=0 counts non-zero", []float64{1, 0, -2}, []float64{0, 0, 0}, 0, 0, 2},
	} {
		t.Run(test.name, func(t *testing.T) {
			u := marginTestTensor([]int{len(test.u)}, test.u...)
			v := marginTestTensor([]int{len(test.v)}, test.v...)
			g, err := pairwiseGeometry(u, v, "u", "v", -1)
			if err != nil {
				t.Fatal(err)
			}
			d := make([]float64, 1)
			pairwiseDistance(&g, u.Data, v.Data, test.p, test.eps, d)
			if !marginTestClose(d[0], test.want) {
				t.Errorf("d(%v, %v; p=%v, eps=%v) = %v; want %v", test.u, test.v, test.p, test.eps, d[0], test.want)
			}
		})
	}
}

// TestMarginLossesNeverPanic feeds every shape combination of a few ranks
// and sizes to each loss: each call must give a result or an *Error.
func TestMarginLossesNeverPanic(t *testing.T) {
	shapes := [][]int{{}, {0}, {1}, {3}, {0, 3}, {2, 0}, {1, 3}, {2, 3}, {2, 1}, {2, 3, 2}}
	rng := rand.New(rand.NewPCG(3, 4))
	losses := []struct {
		name   string
		params map[string]any
	}{
		{"MarginRankingLoss", nil},
		{"HingeEmbeddingLoss", nil},
		{"SoftMarginLoss", nil},
		{"CosineEmbeddingLoss", nil},
		{"TripletMarginLoss", map[string]any{"swap": true, "p": 1.5}},
		{"TripletMarginWithDistanceLoss", map[string]any{"swap": true}},
		{"TripletMarginWithDistanceLoss", map[string]any{"distance_function": "cosine", "swap": true}},
	}
	for _, l := range losses {
		spec, _ := Lookup(l.name)
		n := len(spec.Inputs)
		idx := make([]int, n)
		for {
			inputs := map[string]*Tensor{}
			for i, in := range spec.Inputs {
				inputs[in.Name] = RandN(rng, shapes[idx[i]]...)
			}
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Errorf("%s %v on shapes %v: panic %v", l.name, l.params, idx, p)
					}
				}()
				_, err := tryCompute(t, l.name, l.params, inputs)
				var e *Error
				if err != nil && !errors.As(err, &e) {
					t.Errorf("%s: error %v is a %T; want *Error", l.name, err, err)
				}
			}()
			// Next combination.
			i := 0
			for i < n {
				idx[i]++
				if idx[i] < len(shapes) {
					break
				}
				idx[i] = 0
				i++
			}
			if i == n {
				break
			}
		}
	}
}

// marginTestLosses are the losses of this family of tests.
var marginTestLosses = []string{"MarginRankingLoss", "HingeEmbeddingLoss", "SoftMarginLoss",
	"CosineEmbeddingLoss", "TripletMarginLoss", "TripletMarginWithDistanceLoss"}

// TestMarginLossesExamples checks that each loss's example inputs make a
// valid call with default parameters and with swap, and that its detail
// holds exactly the fields documented in DetailFields.
func TestMarginLossesExamples(t *testing.T) {
	for _, name := range marginTestLosses {
		spec, ok := Lookup(name)
		if !ok {
			t.Fatalf("%s is not registered", name)
		}
		inputs := map[string]json.RawMessage{}
		for _, in := range spec.Inputs {
			b, err := json.Marshal(in.Example)
			if err != nil {
				t.Fatalf("%s: example %s: %v", name, in.Name, err)
			}
			inputs[in.Name] = b
		}
		params := []map[string]json.RawMessage{{}}
		if spec.Param("swap") != nil {
			params = append(params, map[string]json.RawMessage{"swap": json.RawMessage("true")})
		}
		for _, p := range params {
			c, err := DecodeCall(spec, p, inputs)
			if err != nil {
				t.Fatalf("%s: example inputs: %v", name, err)
			}
			c.Detail = true
			res, err := c.Compute()
			if err != nil {
				t.Fatalf("%s: example inputs: %v", name, err)
			}
			for k := range res.Detail {
				if _, ok := spec.DetailFields[k]; !ok && k != "elements" {
					t.Errorf("%s: detail %q is not documented in DetailFields", name, k)
				}
			}
			// Every documented field is there; d_pn needs swap.
			for k, doc := range spec.DetailFields {
				if _, ok := res.Detail[k]; !ok && (p["swap"] != nil || !strings.HasPrefix(doc, "With swap only")) {
					t.Errorf("%s (params %s): detail %q missing", name, p["swap"], k)
				}
			}
		}
	}
}
