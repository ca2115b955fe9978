package engine

func init() {
	Register(&Spec{
		Name:   "HuberLoss",
		Slug:   "huber",
		Family: FamilyRegression,
		Summary: "Squared error for misses smaller than delta and a straight line beyond it, " +
			"so outliers pull with a constant force instead of a growing one.",
		Formula: `\ell_i = \begin{cases} \tfrac12 (x_i - y_i)^2 & \text{if } \lvert x_i - y_i \rvert < \delta \\[4pt] \delta \left( \lvert x_i - y_i \rvert - \tfrac12 \delta \right) & \text{otherwise} \end{cases}`,
		Params: []Param{
			ReductionParam(),
			{Name: "delta", Kind: KindFloat, Default: 1.0, Min: ptr(0), MinExclusive: true,
				SliderMin: 0.05, SliderMax: 3, Step: 0.05,
				Doc: "Where the quadratic part hands over to the linear part, and the slope of the linear part."},
		},
		Inputs:  regressionInputs(),
		Compute: computeHuber,
		Random:  randomRegression,
	})
}

// computeHuber follows torch.nn.HuberLoss (ATen huber_loss), with d = x − y:
//
//	ℓ = 0.5·d²         if |d| < δ
//	ℓ = δ·(|d| − 0.5δ) otherwise
//
//	∂ℓ/∂x = −δ if d ≤ −δ, +δ if d ≥ δ, d otherwise
//
// It equals δ·SmoothL1(β = δ), and shares SmoothL1's kernel (piecewise.go)
// with factors that compute the formula above as written. δ ≤ 0 (and NaN)
// is rejected, as PyTorch rejects it. input and target broadcast; the
// gradient of a broadcast input is summed over the broadcast dimensions.
func computeHuber(c *Call, r *Result) error {
	x, y := c.Input("input"), c.Input("target")
	delta := c.Float("delta")
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
	// The three gradient branches are a clamp of d to [−δ, δ].
	p := piecewise{t: delta, a: 0.5, b: 1, s: delta, h: 0.5 * delta, k: 1, c: delta}
	if b.Serial() {
		p.kernel(xs, ys, el, gx, ia, ib, f, 0, n)
	} else {
		parallelFor(n, 1, func(lo, hi int) { p.kernel(xs, ys, el, gx, ia, ib, f, lo, hi) })
	}
	r.Reduce(red, float64(n))
	return nil
}
