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
	for k := range el {
		d := x.Data[b.A(k)] - y.Data[b.B(k)]
		el[k] = d * d
		gx[b.A(k)] += 2 * d
	}
	ScaleBy(gx, r.Reduce(c.Reduction(), float64(len(el))))
	return nil
}
