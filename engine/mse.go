package engine

func init() {
	Register(&Spec{
		Name:    "MSELoss",
		Slug:    "mse",
		Family:  FamilyRegression,
		Summary: "Mean squared error: the cost grows with the square of the miss, so large errors dominate.",
		Formula: `\ell_i = (x_i - y_i)^2`,
		Legacy:  true,
		Params:  []Param{ReductionParam()},
		Inputs:  regressionInputs(),
		Compute: computeMSE,
		Random:  randomRegression,
	})
}

// computeMSE follows torch.nn.MSELoss:
//
//	ℓ = (x − y)·(x − y),  ∂ℓ/∂x = 2(x − y)
//
// input and target broadcast.
func computeMSE(c *Call, r *Result) error {
	x, y := c.Input("input"), c.Input("target")
	b, err := broadcastPair(x, y, "input", "target")
	if err != nil {
		return err
	}
	el := r.SetElements(b.Shape...).Data
	gx := r.Grad("input", x.Shape...).Data
	red := c.Reduction()
	f := 2 * gradScale(red, float64(len(el)))
	xs, ys := x.Data, y.Data
	switch {
	case b.ia != nil || b.ib != nil:
		for k := range el {
			d := xs[b.A(k)] - ys[b.B(k)]
			el[k] = d * d
			gx[b.A(k)] += d * f
		}
	case parallelParts(len(el), 1) == 1:
		mseSame(xs, ys, el, gx, f) // no closure: a slider event allocates nothing
	default:
		parallelFor(len(el), 1, func(lo, hi int) { mseSame(xs[lo:hi], ys[lo:hi], el[lo:hi], gx[lo:hi], f) })
	}
	r.Reduce(red, float64(len(el)))
	return nil
}

// mseSame is the same-shape loop, which the compiler keeps free of index
// checks.
func mseSame(xs, ys, el, gx []float64, f float64) {
	ys, el, gx = ys[:len(xs)], el[:len(xs)], gx[:len(xs)]
	for k, xv := range xs {
		d := xv - ys[k]
		el[k], gx[k] = d*d, d*f
	}
}
