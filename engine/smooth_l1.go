package engine

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
	for k := range el {
		i := b.A(k)
		d := x.Data[i] - y.Data[b.B(k)]
		z := d
		if z < 0 {
			z = -z
		}
		if z < beta {
			el[k] = 0.5 * z * z / beta
		} else {
			el[k] = z - 0.5*beta
		}
		// The branch order matters at β = 0, d = 0: the first test fires.
		switch {
		case d <= -beta:
			gx[i]--
		case d >= beta:
			gx[i]++
		default:
			gx[i] += d / beta
		}
	}
	ScaleBy(gx, r.Reduce(c.Reduction(), float64(len(el))))
	return nil
}
