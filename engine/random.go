package engine

import "math/rand/v2"

// Random inputs for the benchmarks and the tests, shared by the losses' Random
// functions.

// scaleShape is the benchmark shape of each scale for the element-wise
// losses, and the (N, D) of the embedding losses.
func scaleShape(s Scale) []int {
	switch s {
	case ScaleSmall:
		return []int{4, 16}
	case ScaleLarge:
		return []int{1024, 1024}
	}
	return []int{3, 4}
}

// RandN returns a tensor of standard normal samples.
func RandN(rng *rand.Rand, shape ...int) *Tensor {
	t := NewTensor(shape...)
	for i := range t.Data {
		t.Data[i] = rng.NormFloat64()
	}
	return t
}

// RandU returns a tensor of uniform samples in [lo, hi).
func RandU(rng *rand.Rand, lo, hi float64, shape ...int) *Tensor {
	t := NewTensor(shape...)
	for i := range t.Data {
		t.Data[i] = lo + (hi-lo)*rng.Float64()
	}
	return t
}

// randomSigns returns a tensor of random ±1.
func randomSigns(rng *rand.Rand, shape ...int) *Tensor {
	t := NewTensor(shape...)
	for i := range t.Data {
		t.Data[i] = 1
		if rng.IntN(2) == 0 {
			t.Data[i] = -1
		}
	}
	return t
}
