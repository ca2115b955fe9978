package engine

import (
	"errors"
	"math"
	"testing"
)

func TestParseDType(t *testing.T) {
	for _, test := range []struct {
		in      string
		want    DType
		wantErr bool
	}{
		{"float64", Float64, false},
		{"float32", Float32, false},
		{"float16", 0, true},
		{"Float32", 0, true},
		{"", 0, true},
	} {
		t.Run(test.in, func(t *testing.T) {
			got, err := ParseDType(test.in)
			if test.wantErr {
				var ee *Error
				if !errors.As(err, &ee) || ee.Field != "dtype" {
					t.Errorf("ParseDType(%q) = %v, %v; want an *Error naming dtype", test.in, got, err)
				}
				return
			}
			if err != nil || got != test.want {
				t.Errorf("ParseDType(%q) = %v, %v; want %v", test.in, got, err, test.want)
			}
		})
	}
}

// TestFloat32Inputs: a float32 computation rounds the inputs it reads,
// never the caller's tensors, and sees a caller's change between two
// computations (a chart's sweep changes one element and recomputes).
func TestFloat32Inputs(t *testing.T) {
	spec, _ := Lookup("MSELoss")
	x, y := &Tensor{Shape: []int{2}, Data: []float64{1e39, 0.1}}, &Tensor{Shape: []int{2}, Data: []float64{0, 0}}
	c, err := NewCall(spec, map[string]any{"reduction": "none"}, map[string]*Tensor{"input": x, "target": y})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetDType(Float32); err != nil {
		t.Fatal(err)
	}
	r, err := c.Compute()
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Loss.Data[0]; !math.IsInf(got, 1) {
		t.Errorf("loss[0] of input 1e39 in float32 = %v; want +Inf (1e39 is beyond float32)", got)
	}
	if got, want := r.Loss.Data[1], float64(float32(0.1)*float32(0.1)); got != want {
		t.Errorf("loss[1] = %v; want %v, float32(0.1)² in float32", got, want)
	}
	if x.Data[0] != 1e39 || x.Data[1] != 0.1 {
		t.Errorf("caller's input = %v; want it unchanged [1e39 0.1]", x.Data)
	}
	x.Data[0] = 3
	if err := c.ComputeInto(r); err != nil {
		t.Fatal(err)
	}
	if got := r.Loss.Data[0]; got != 9 {
		t.Errorf("loss[0] after the caller set input[0] = 3: %v; want 9", got)
	}
	twin, err := c.Float64Twin().Compute()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := twin.Loss.Data[1], float64(float32(0.1))*float64(float32(0.1)); got != want {
		t.Errorf("float64 twin loss[1] = %v; want %v, the float32-rounded input squared in float64", got, want)
	}
}

// TestSum32 checks sum32's edges; the long sums (10⁵ terms and more, bit
// for bit with PyTorch) are fixtures (float32_cases.json).
func TestSum32(t *testing.T) {
	for _, test := range []struct {
		name string
		xs   []float64
		want float32
	}{
		{"empty", nil, 0},
		{"few", []float64{1, 2, 3}, 6},
		{"tail after the vectors", []float64{1, 1, 1, 1, 1, 1, 1, 1, 0.5}, 8.5},
		{"ones then a large term", append(ones(4096), 1<<24), 1<<24 + 4096},
		// 2²⁴ + 1 = 2²⁴ in float32: the ones in the large term's chunk
		// of lane 0 are lost, as in PyTorch (torch.cat([tensor([2.**24]),
		// torch.ones(4096)]).sum() is 16781296).
		{"a large term then ones", append([]float64{1 << 24}, ones(4096)...), 16781296},
	} {
		t.Run(test.name, func(t *testing.T) {
			if got := sum32(test.xs); got != test.want {
				t.Errorf("sum32 = %v; want %v", got, test.want)
			}
		})
	}
}

func ones(n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = 1
	}
	return xs
}
