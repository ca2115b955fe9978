package engine

import "math"

// selectFloat returns a if c, else b, without a branch: the compiler emits a
// conditional move for the mask, where a branch on random data would be
// mispredicted half of the time. NaN payloads pass unchanged.
func selectFloat(c bool, a, b float64) float64 {
	var m uint64
	if c {
		m = ^uint64(0)
	}
	bb := math.Float64bits(b)
	return math.Float64frombits(bb ^ (math.Float64bits(a)^bb)&m)
}
