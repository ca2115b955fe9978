package engine

import (
	"math/rand/v2"
	"slices"
)

func init() {
	Register(&Spec{
		Name:   "SoftMarginLoss",
		Slug:   "soft-margin",
		Family: FamilyMargin,
		Summary: "Logistic loss for ±1 labels: a smooth hinge that keeps rewarding " +
			"a more confident correct sign, ever more gently.",
		Formula: `\ell_i = \log\bigl(1 + e^{-y_i x_i}\bigr)`,
		Legacy:  true,
		Params:  []Param{ReductionParam()},
		Inputs: []InputSpec{
			{Name: "input", Role: RolePrediction, Differentiable: true,
				Doc: "Scores, any shape.", Example: []any{[]any{0.8, -1.5, 2.0}, []any{-0.3, 0.5, 0.0}}},
			{Name: "target", Role: RoleTarget,
				Doc:     "Labels ±1 (other values are used as they are), broadcastable to the input's shape.",
				Example: []any{[]any{1.0, -1.0, 1.0}, []any{1.0, -1.0, -1.0}}},
		},
		DetailFields: map[string]string{
			"yx": "The margin y·x per element, in the input's shape.",
		},
		Compute: computeSoftMargin,
		Random:  randomSoftMargin,
	})
}

// computeSoftMargin follows torch.nn.SoftMarginLoss (ATen's
// soft_margin_loss), computed naively as ATen does, not with log1p or a
// stable softplus:
//
//	e = exp(−y·x),  ℓ = log(1 + e),  ∂ℓ/∂x = −y·e/(1 + e)
//
// so −y·x ≳ 709.8 overflows: ℓ = +Inf and the gradient Inf/Inf = NaN, as in
// PyTorch. The output has the input's shape: the target must broadcast to
// it, not the other way round. exp and log are fastExp and fastLog,
// within a few ulp of math.Exp and math.Log at half their cost.
func computeSoftMargin(c *Call, r *Result) error {
	x, y := c.Input("input"), c.Input("target")
	b, err := broadcastPair(x, y, "input", "target")
	if err != nil {
		return err
	}
	if !slices.Equal(b.Shape, x.Shape) {
		return errorf("target", "shape %s broadcasts with input shape %s to %s, but the output must have the input's shape",
			shapeString(y.Shape), shapeString(x.Shape), shapeString(b.Shape))
	}
	el := r.SetElements(x.Shape...).Data
	gx := r.Grad("input", x.Shape...).Data
	// ATen's backward scales by 1/numel for 'mean', first.
	norm := gradScale(c.Reduction(), float64(len(el)))
	if b.ib == nil {
		xs, ys := x.Data[:len(el)], y.Data[:len(el)]
		if parallelParts(len(el), 1) == 1 {
			// Called directly: the closure below would be allocated even
			// when parallelFor runs it inline.
			softMarginKernel(xs, ys, el, gx, norm)
		} else {
			parallelFor(len(el), 1, func(lo, hi int) { softMarginKernel(xs[lo:hi], ys[lo:hi], el[lo:hi], gx[lo:hi], norm) })
		}
	} else {
		for k := range el {
			yv := y.Data[b.B(k)]
			e := fastExp(-x.Data[k] * yv)
			q := 1 + e
			el[k] = fastLog(q)
			gx[k] = yv * e * -norm / q
		}
	}
	if c.Detail {
		yx := NewTensor(x.Shape...)
		for k := range yx.Data {
			yx.Data[k] = y.Data[b.B(k)] * x.Data[k]
		}
		r.Detail["yx"] = yx
	}
	r.Reduce(c.Reduction(), float64(len(el)))
	return nil
}

// softMarginKernel computes the same-shape case: the loss into el and the
// gradient, scaled by norm, into gx. It works in blocks that stay in L1,
// with exp and log in separate passes (e is parked in gx): two short
// dependency chains overlap across elements better than one long one,
// which saves a quarter of the time.
func softMarginKernel(x, y, el, gx []float64, norm float64) {
	const block = 256
	for lo := 0; lo < len(x); lo += block {
		hi := min(lo+block, len(x))
		xb := x[lo:hi]
		yb, eb, gb := y[lo:hi:hi][:len(xb)], el[lo:hi:hi][:len(xb)], gx[lo:hi:hi][:len(xb)]
		for k, xv := range xb {
			gb[k] = fastExp(-xv * yb[k])
		}
		for k, e := range gb {
			q := 1 + e
			eb[k] = fastLog(q)
			gb[k] = yb[k] * e * -norm / q
		}
	}
}

// randomSoftMargin returns normal scores and ±1 targets.
func randomSoftMargin(rng *rand.Rand, s Scale) map[string]*Tensor {
	shape := scaleShape(s)
	return map[string]*Tensor{"input": RandN(rng, shape...), "target": randomSigns(rng, shape...)}
}
