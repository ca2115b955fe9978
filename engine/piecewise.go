package engine

import "math"

// piecewise is the loss SmoothL1Loss and HuberLoss share, quadratic below
// a threshold t and linear above it (Huber = δ·SmoothL1(β = δ)), with
// d = x − y and z = |d|:
//
//	ℓ = ((a·z)·z)·b   if z < t
//	ℓ = s·(z − h)     otherwise
//
//	∂ℓ/∂x = clamp(k·d, −c, c)
//
// Each loss picks the factors so that it computes the expression it
// always has, operation for operation: PyTorch computes Huber directly
// (0.5·z·z, δ·(z − 0.5·δ), clamp(d, ±δ)), and δ times SmoothL1 would round
// differently (and overflow sooner). A factor of 1 where a loss has none
// is exact, NaN, ±Inf and −0 included.
type piecewise struct {
	t    float64 // where the quadratic part hands over (β or δ)
	a, b float64 // the quadratic part's factors, before and after z·z
	s, h float64 // the linear part's slope and offset
	k, c float64 // the gradient's factor and clamp
}

// term returns the loss of one element with difference d and its
// gradient, without a branch: random data would mispredict half of them.
// min and max pass a NaN through, as PyTorch does.
func (p *piecewise) term(d float64) (l, g float64) {
	z := math.Abs(d)
	return selectFloat(z < p.t, p.a*z*z*p.b, p.s*(z-p.h)), max(-p.c, min(p.c, d*p.k))
}

// kernel computes output elements [lo, hi) of a pointwise loss of input
// xs and target ys, broadcast through ia and ib (nil: same index), each
// gradient scaled by f.
// p is a value: a closure for parallelFor copies it, so a call allocates
// nothing.
func (p piecewise) kernel(xs, ys, el, gx []float64, ia, ib []int, f float64, lo, hi int) {
	if ia == nil && ib == nil {
		// Same shapes: a loop the compiler keeps free of index checks.
		xs, ys, el, gx := xs[lo:hi], ys[lo:hi], el[lo:hi], gx[lo:hi]
		ys, el, gx = ys[:len(xs)], el[:len(xs)], gx[:len(xs)]
		for k, xv := range xs {
			l, g := p.term(xv - ys[k])
			el[k], gx[k] = l, g*f
		}
		return
	}
	for k := lo; k < hi; k++ {
		i, j := k, k
		if ia != nil {
			i = ia[k]
		}
		if ib != nil {
			j = ib[k]
		}
		var g float64
		el[k], g = p.term(xs[i] - ys[j])
		if ia == nil {
			gx[k] = g * f
		} else {
			gx[i] += g * f
		}
	}
}

// piecewise32 is piecewise's loss in float32, in the order of ATen's float
// kernels: ((0.5·z)·z)/b below t, s·(z − h) above.
func piecewise32(z, t, b, s, h float32) float32 {
	l := s * (z - h)
	if z < t {
		l = 0.5 * z * z / b
	}
	return l
}
