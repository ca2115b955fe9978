package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestClsExp checks the fast exp against math.Exp: a few ulps on the whole
// normal range, and the library's answer for NaN, ±Inf and the extremes.
func TestClsExp(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	worst, at := 0.0, 0.0
	for i := range 200000 {
		x := (2*rng.Float64() - 1) * 708
		if i%2 == 0 {
			x = -10 * rng.Float64() // the softmax range
		}
		got, want := clsExp(x), math.Exp(x)
		if e := math.Abs(got-want) / want; e > worst {
			worst, at = e, x
		}
	}
	if worst > 2e-15 {
		t.Errorf("clsExp(%v): relative error %g; want at most 2e-15", at, worst)
	}
	for _, x := range []float64{math.NaN(), math.Inf(-1), math.Inf(1), 0, -708, -708.1, -745, -746, 709, 710, 1e-300} {
		got, want := clsExp(x), math.Exp(x)
		if !closeTo(got, want, 2e-15, 0) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("clsExp(%v) = %v; want %v", x, got, want)
		}
	}
}

// TestClsLog1p checks the fast log1p against math.Log1p on (0, 1], the
// range of exp(−|x|), and the library's answer elsewhere.
func TestClsLog1p(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	worst, at := 0.0, 0.0
	for i := range 200000 {
		b := rng.Float64()
		if i%2 == 0 {
			b = math.Exp(-40 * rng.Float64())
		}
		got, want := clsLog1p(b), math.Log1p(b)
		if e := math.Abs(got-want) / want; e > worst {
			worst, at = e, b
		}
	}
	if worst > 2e-15 {
		t.Errorf("clsLog1p(%v): relative error %g; want at most 2e-15", at, worst)
	}
	for _, b := range []float64{0, 1, 0x1p-20, 0x1p-21, 1e-300, 0.5, 1 - 0x1p-53, math.NaN()} {
		got, want := clsLog1p(b), math.Log1p(b)
		if !closeTo(got, want, 2e-15, 0) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("clsLog1p(%v) = %v; want %v", b, got, want)
		}
	}
}
