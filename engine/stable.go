package engine

import "math"

// Numerically stable building blocks shared by every loss.

// f32Eps12 is the float32 constant 1e-12 promoted to float64, the epsilon
// ATen declares as a float (BCE's backward, cosine similarity).
const f32Eps12 = 9.999999960041972e-13

// LogSumExp returns log Σ exp(x_i), subtracting the maximum first. The
// log-sum-exp of all -Inf (or of nothing) is -Inf, as in PyTorch, which
// replaces an infinite maximum by 0 before subtracting.
func LogSumExp(xs []float64) float64 {
	m := math.Inf(-1)
	for _, x := range xs {
		if x > m {
			m = x
		}
	}
	if math.IsInf(m, 0) {
		if math.IsInf(m, 1) {
			return m
		}
		return math.Inf(-1)
	}
	s := 0.0
	for _, x := range xs {
		s += math.Exp(x - m)
	}
	return m + math.Log(s)
}

// LogAddExp returns log(exp(a) + exp(b)) without overflow.
func LogAddExp(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	if math.IsInf(a, -1) {
		return a
	}
	if math.IsInf(a, 1) {
		return a
	}
	return a + math.Log1p(math.Exp(b-a))
}

// LogSigmoid returns log σ(x) = -softplus(-x), stable for large |x|:
//
//	log σ(x) = min(x, 0) - log1p(exp(-|x|))
func LogSigmoid(x float64) float64 {
	return math.Min(x, 0) - math.Log1p(math.Exp(-math.Abs(x)))
}

// Sigmoid returns 1/(1+exp(-x)) without overflow.
func Sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// Softplus returns log(1 + exp(x)) without overflow.
func Softplus(x float64) float64 {
	return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
}

// LogSoftmax writes log_softmax(x) into out (which may alias x) and
// returns the log-sum-exp.
func LogSoftmax(x, out []float64) float64 {
	lse := LogSumExp(x)
	for i, v := range x {
		out[i] = v - lse
	}
	return lse
}

// Sign returns the sign of x as ATen's sign kernel computes it,
// (0 < x) − (x < 0): Sign(0) = 0 and Sign(NaN) = 0.
func Sign(x float64) float64 {
	// Written as two conditional assignments, which compile to branch-free
	// conditional moves: the sign of random data defeats branch prediction.
	s := 0.0
	if x > 0 {
		s = 1
	}
	if x < 0 {
		s = -1
	}
	return s
}
