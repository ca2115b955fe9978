package lessons

import (
	"math"
	"testing"
)

func TestSameNumber(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		a, b float64
		want bool
	}{
		{1, 1, true},
		{0.1 + 0.2, 0.3, true},
		{1, 1.001, false},
		{0, 1e-300, false},
		{inf, inf, true},
		{inf, 3.3, false},
		{3.3, inf, false},
		{-inf, inf, false},
		{1e300, inf, false},
	}
	for _, test := range tests {
		if got := sameNumber(test.a, test.b); got != test.want {
			t.Errorf("sameNumber(%g, %g) = %v; want %v", test.a, test.b, got, test.want)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		x    float64
		want string
	}{
		{math.NaN(), "nan"},
		{math.Inf(1), "infinity"},
		{math.Inf(-1), "-infinity"},
		{0, "zero"},
		{math.Copysign(0, -1), "zero"},
		{1e-13, "zero"},
		{1e-11, "positive"},
		{-2, "negative"},
	}
	for _, test := range tests {
		if got := classify(test.x); got != test.want {
			t.Errorf("classify(%g) = %q; want %q", test.x, got, test.want)
		}
	}
}
