package engine

import (
	"math"
	"slices"
	"testing"
)

func TestBroadcastShapes(t *testing.T) {
	tests := []struct {
		a, b, want []int
		ok         bool
	}{
		{[]int{2, 3}, []int{2, 3}, []int{2, 3}, true},
		{[]int{2, 3}, []int{3}, []int{2, 3}, true},
		{[]int{2, 1}, []int{1, 4}, []int{2, 4}, true},
		{[]int{}, []int{5}, []int{5}, true},
		{[]int{3}, []int{2}, nil, false},
		{[]int{2, 3}, []int{3, 3}, nil, false},
		{[]int{0}, []int{1}, []int{0}, true},
	}
	for _, test := range tests {
		got, err := BroadcastShapes(test.a, test.b)
		if (err == nil) != test.ok {
			t.Errorf("BroadcastShapes(%v, %v) error = %v; want ok=%v", test.a, test.b, err, test.ok)
			continue
		}
		if test.ok && !slices.Equal(got, test.want) {
			t.Errorf("BroadcastShapes(%v, %v) = %v; want %v", test.a, test.b, got, test.want)
		}
	}
}

func TestBroadcastIndex(t *testing.T) {
	tests := []struct {
		in, out, want []int
	}{
		{[]int{2, 3}, []int{2, 3}, nil},
		{[]int{3}, []int{2, 3}, []int{0, 1, 2, 0, 1, 2}},
		{[]int{2, 1}, []int{2, 3}, []int{0, 0, 0, 1, 1, 1}},
		{[]int{}, []int{2, 2}, []int{0, 0, 0, 0}},
		{[]int{1, 2}, []int{3, 2}, []int{0, 1, 0, 1, 0, 1}},
	}
	for _, test := range tests {
		if got := BroadcastIndex(test.in, test.out); !slices.Equal(got, test.want) {
			t.Errorf("BroadcastIndex(%v, %v) = %v; want %v", test.in, test.out, got, test.want)
		}
	}
}

func TestShapeString(t *testing.T) {
	if got, want := shapeString([]int{2, 3}), "[2, 3]"; got != want {
		t.Errorf("shapeString = %q; want %q", got, want)
	}
}

func TestReuseKeepsStorage(t *testing.T) {
	a := NewTensor(4, 4)
	a.Data[3] = 7
	p := &a.Data[0]
	b := a.Reuse(2, 3)
	if &b.Data[0] != p {
		t.Errorf("Reuse reallocated a large enough buffer")
	}
	if b.Data[3] != 0 {
		t.Errorf("Reuse left data[3] = %v; want 0", b.Data[3])
	}
	if !slices.Equal(b.Shape, []int{2, 3}) {
		t.Errorf("Reuse shape = %v; want [2 3]", b.Shape)
	}
}

func TestSumIsPairwiseAccurate(t *testing.T) {
	// 1e6 copies of 0.1: a running total drifts by ~1e-6; pairwise stays exact to ~1e-10.
	xs := make([]float64, 1_000_000)
	for i := range xs {
		xs[i] = 0.1
	}
	if got, want := Sum(xs), 100000.0; math.Abs(got-want) > 1e-8 {
		t.Errorf("Sum = %.12f; want %.12f", got, want)
	}
}
