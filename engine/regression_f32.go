package engine

import "math"

// The float32 kernels of the regression losses. Each follows ATen's float
// kernel (Loss.cpp, cpu/PointwiseOpsKernel.cpp) operation by operation.

func init() {
	registerFloat32("L1Loss", l1F32)
	registerFloat32("MSELoss", mseF32)
	registerFloat32("SmoothL1Loss", smoothL1F32)
	registerFloat32("HuberLoss", huberF32)
}

// l1F32: |x − y| in float32; it parts from float64 only where x − y
// rounds (to 0 for neighbours, to ±Inf past 3.4·10³⁸) and in the sum.
func l1F32(c *Call, r *Result) {
	pointwise32(c, r, float64(r.Elements.Numel()), func(x, y, s float32) (float32, float32) {
		d := x - y
		return abs32(d), s * sign32(d)
	})
}

// mseF32: (x − y)² overflows to +Inf once |x − y| passes
// √MaxFloat32 ≈ 1.84·10¹⁹ (float64 goes to 1.3·10¹⁵⁴); the gradient,
// (x − y)·(2/n), stays finite. ATen rounds the factor 2/n to float first.
func mseF32(c *Call, r *Result) {
	n := float64(r.Elements.Numel())
	norm := float32(2)
	if c.Reduction() == ReductionMean {
		norm = float32(2 / n)
	}
	pointwise32(c, r, n, func(x, y, _ float32) (float32, float32) {
		d := x - y
		return d * d, d * norm
	})
}

// smoothL1F32: ATen's float kernel, 0.5·z·z/β below β and z − 0.5·β
// above, with β rounded to float32; z·z overflows as in MSE. The backward
// compares with β and divides by it in double, which PyTorch shows with a
// β below float32's range (1e-300): the gradient at x − y = 0 is ±0, not
// ±1 as it would be with β rounded to 0.
func smoothL1F32(c *Call, r *Result) {
	betaD := c.Float("beta")
	beta := float32(betaD)
	halfBeta := 0.5 * beta
	clamp := betaD > 0 && !math.IsInf(betaD, 1)
	pointwise32(c, r, float64(r.Elements.Numel()), func(x, y, s float32) (float32, float32) {
		d := x - y
		l := piecewise32(abs32(d), beta, beta, 1, halfBeta)
		var g float32
		switch {
		case clamp:
			g = max32(-1, min32(1, float32(float64(d)/betaD)))
		case d <= -beta:
			g = -1
		case d >= beta:
			g = 1
		default:
			g = d / beta
		}
		return l, g * s
	})
}

// huberF32: 0.5·z² below δ, δ·(z − 0.5·δ) above, in float32: SmoothL1's
// loss (piecewise32) with no division and a slope of δ.
func huberF32(c *Call, r *Result) {
	delta := float32(c.Float("delta"))
	halfDelta := 0.5 * delta
	pointwise32(c, r, float64(r.Elements.Numel()), func(x, y, s float32) (float32, float32) {
		d := x - y
		l := piecewise32(abs32(d), delta, 1, delta, halfDelta)
		return l, max32(-delta, min32(delta, d)) * s
	})
}

func isInf32(x float32) bool { return x > maxFloat32 || x < -maxFloat32 }

const maxFloat32 = 3.40282346638528859811704183484516925440e+38
