package engine

import (
	"math"
)

func init() {
	Register(&Spec{
		Name:   "SmoothL1Loss",
		Slug:   "smooth-l1",
		Family: FamilyRegression,
		Summary: "Squared error for small misses and absolute error for large ones, " +
			"so it is gentle near the target but not thrown off by outliers.",
		Formula: `\ell_i = \begin{cases} \dfrac{(x_i - y_i)^2}{2\beta} & \text{if } \lvert x_i - y_i \rvert < \beta \\[4pt] \lvert x_i - y_i \rvert - \dfrac{\beta}{2} & \text{otherwise} \end{cases}`,
		Legacy:  true,
		Params: []Param{
			ReductionParam(),
			{Name: "beta", Kind: KindFloat, Default: 1.0, Min: ptr(0), SliderMin: 0, SliderMax: 3, Step: 0.05,
				Doc: "Where the quadratic part hands over to the linear part; 0 makes it exactly L1 in value."},
		},
		Inputs:  regressionInputs(),
		Compute: computeSmoothL1,
		Random:  randomRegression,
	})
}

// computeSmoothL1 follows torch.nn.SmoothL1Loss (ATen smooth_l1_loss), with
// d = x − y:
//
//	ℓ = 0.5·d²/β   if |d| < β
//	ℓ = |d| − 0.5β otherwise
//
//	∂ℓ/∂x = −1 if d ≤ −β, +1 if d ≥ β, d/β otherwise
//
// The gradient tests d ≤ −β first, so with β = 0 it is −1 at d = 0, where
// L1 would give 0; PyTorch does the same. β < 0 (and NaN) is rejected, as
// PyTorch rejects it. input and target broadcast; the gradient of a
// broadcast input is summed over the broadcast dimensions.
func computeSmoothL1(c *Call, r *Result) error {
	x, y := c.Input("input"), c.Input("target")
	beta := c.Float("beta")
	b, err := broadcastPair(x, y, "input", "target")
	if err != nil {
		return err
	}
	el := r.SetElements(b.Shape...).Data
	gx := r.Grad("input", x.Shape...).Data
	red := c.Reduction()
	n := len(el)
	f := gradScale(red, float64(n))
	xs, ys, ia, ib := x.Data, y.Data, b.ia, b.ib
	halfBeta := 0.5 * beta
	// Multiplying by 1/β instead of dividing by β is 2 ulp at worst, and
	// much faster; a β so small that 1/β overflows needs the division.
	// β = 0 (1/β = ∞) needs neither: the quadratic branch is never taken
	// and the gradient is always ±1.
	inv := 1 / beta
	halfInv := 0.5 * inv
	exact := beta > 0 && math.IsInf(inv, 1)
	// For 0 < β < ∞ the three gradient branches are a clamp of d/β to
	// [−1, 1]; β = 0 (d = 0 gives −1, not NaN) and β = ∞ (d = ±∞ gives ±1,
	// not NaN) take the branches themselves.
	clamp := beta > 0 && !math.IsInf(beta, 1)
	switch {
	case clamp && !exact:
		// The common case, shared with Huber (piecewise.go): same shapes
		// multiply z·z by 0.5/β, broadcast ones 0.5·z·z by 1/β, as they
		// always have (the two differ only where z·z overflows).
		a, qb := 1.0, halfInv
		if ia != nil || ib != nil {
			a, qb = 0.5, inv
		}
		p := piecewise{t: beta, a: a, b: qb, s: 1, h: halfBeta, k: inv, c: 1}
		if b.Serial() {
			p.kernel(xs, ys, el, gx, ia, ib, f, 0, n)
		} else {
			parallelFor(n, 1, func(lo, hi int) { p.kernel(xs, ys, el, gx, ia, ib, f, lo, hi) })
		}
	case b.Serial():
		smoothL1Edge(xs, ys, el, gx, ia, ib, beta, halfBeta, inv, f, clamp, exact, 0, n)
	default:
		parallelFor(n, 1, func(lo, hi int) {
			smoothL1Edge(xs, ys, el, gx, ia, ib, beta, halfBeta, inv, f, clamp, exact, lo, hi)
		})
	}
	r.Reduce(red, float64(n))
	return nil
}

// smoothL1Edge computes output elements [lo, hi) of computeSmoothL1 for
// the βs piecewise does not cover: β = 0, β = ∞, and a β so small that 1/β
// overflows.
func smoothL1Edge(xs, ys, el, gx []float64, ia, ib []int, beta, halfBeta, inv, f float64, clamp, exact bool, lo, hi int) {
	// Both branches are computed and one is selected without a jump:
	// random data would mispredict half of the branches.
	for k := lo; k < hi; k++ {
		i, j := k, k
		if ia != nil {
			i = ia[k]
		}
		if ib != nil {
			j = ib[k]
		}
		d := xs[i] - ys[j]
		z := math.Abs(d)
		q, t := 0.5*z*z*inv, d*inv
		if exact {
			q, t = 0.5*z*z/beta, d/beta
		}
		el[k] = selectFloat(z < beta, q, z-halfBeta)
		var g float64
		if clamp {
			g = max(-1, min(1, t)) * f
		} else {
			// The branch order matters at β = 0, d = 0: d ≤ −β wins.
			g = selectFloat(d <= -beta, -1, selectFloat(d >= beta, 1, t)) * f
		}
		if ia == nil {
			gx[k] = g
		} else {
			gx[i] += g
		}
	}
}
