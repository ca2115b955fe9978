package compare

import (
	"math"
	"testing"
)

// On clean points every loss recovers the line; with one outlier, MSE is
// pulled further from the clean line than L1.
func TestFitterOutlier(t *testing.T) {
	xs := []float64{-2, -1, 0, 1, 2, 3}
	clean := make([]float64, len(xs))
	for i, x := range xs {
		clean[i] = 0.5*x + 1
	}
	fit := func(loss string, ys []float64) Line {
		f, err := NewFitter(loss, nil, xs, ys, Line{}, 0.05)
		if err != nil {
			t.Fatal(err)
		}
		for range 4000 {
			if _, err := f.Step(); err != nil {
				t.Fatal(err)
			}
		}
		return f.Line
	}
	for _, loss := range []string{"L1Loss", "MSELoss"} {
		got := fit(loss, clean)
		if math.Abs(got.Slope-0.5) > 0.02 || math.Abs(got.Intercept-1) > 0.05 {
			t.Errorf("%s fit on clean points = %+v; want slope 0.5, intercept 1", loss, got)
		}
	}
	outlier := append([]float64(nil), clean...)
	outlier[5] = 12 // the point at x = 3 moved far up
	l1, mse := fit("L1Loss", outlier), fit("MSELoss", outlier)
	if d1, d2 := math.Abs(l1.Slope-0.5), math.Abs(mse.Slope-0.5); !(d2 > 2*d1) {
		t.Errorf("slope error with an outlier: L1 %v, MSE %v; want MSE pulled at least twice as far", d1, d2)
	}
}

func TestNewFitterErrors(t *testing.T) {
	if _, err := NewFitter("NoSuchLoss", nil, []float64{1}, []float64{1}, Line{}, 0.1); err == nil {
		t.Error("unknown loss: got nil error")
	}
	if _, err := NewFitter("L1Loss", nil, []float64{1, 2}, []float64{1}, Line{}, 0.1); err == nil {
		t.Error("mismatched points: got nil error")
	}
}
