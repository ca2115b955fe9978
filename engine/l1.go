package engine

import (
	"math"
	"math/rand/v2"
)

func init() {
	Register(&Spec{
		Name:    "L1Loss",
		Slug:    "l1",
		Family:  FamilyRegression,
		Summary: "Mean absolute error: every unit of error costs the same, so outliers pull no harder than small misses.",
		Formula: `\ell_i = \lvert x_i - y_i \rvert`,
		Legacy:  true,
		Params:  []Param{ReductionParam()},
		Inputs:  regressionInputs(),
		Compute: computeL1,
		Random:  randomRegression,
	})
}

// computeL1 follows torch.nn.L1Loss:
//
//	ℓ = |x − y|,  ∂ℓ/∂x = sign(x − y) with sign(0) = 0
//
// input and target broadcast; the gradient of a broadcast input is summed
// over the broadcast dimensions.
func computeL1(c *Call, r *Result) error {
	x, y := c.Input("input"), c.Input("target")
	b, err := broadcastPair(x, y, "input", "target")
	if err != nil {
		return err
	}
	el := r.SetElements(b.Shape...).Data
	gx := r.Grad("input", x.Shape...).Data
	red := c.Reduction()
	f := gradScale(red, float64(len(el)))
	xs, ys := x.Data, y.Data
	switch {
	case b.ia != nil || b.ib != nil:
		for k := range el {
			d := xs[b.A(k)] - ys[b.B(k)]
			el[k] = math.Abs(d)
			gx[b.A(k)] += signScaled(d, f)
		}
	case parallelParts(len(el), 1) == 1:
		l1Same(xs, ys, el, gx, f) // no closure: a slider event allocates nothing
	default:
		parallelFor(len(el), 1, func(lo, hi int) { l1Same(xs[lo:hi], ys[lo:hi], el[lo:hi], gx[lo:hi], f) })
	}
	r.Reduce(red, float64(len(el)))
	return nil
}

// regressionInputs are the inputs of the pointwise regression losses.
func regressionInputs() []InputSpec {
	return []InputSpec{
		{Name: "input", Role: RolePrediction, Differentiable: true, Doc: "Predictions, any shape.",
			Example: []any{[]any{0.5, -1.0, 2.0}, []any{1.5, 0.0, -0.5}}},
		{Name: "target", Role: RoleTarget, Doc: "Targets, broadcastable to the input's shape.",
			Example: []any{[]any{1.0, -1.0, 0.0}, []any{1.0, 0.5, 0.5}}},
	}
}

// randomRegression returns normal predictions and targets.
func randomRegression(rng *rand.Rand, s Scale) map[string]*Tensor {
	shape := scaleShape(s)
	return map[string]*Tensor{"input": RandN(rng, shape...), "target": RandN(rng, shape...)}
}

// l1Same is the same-shape loop, which the compiler keeps free of index
// checks.
func l1Same(xs, ys, el, gx []float64, f float64) {
	ys, el, gx = ys[:len(xs)], el[:len(xs)], gx[:len(xs)]
	for k, xv := range xs {
		d := xv - ys[k]
		el[k], gx[k] = math.Abs(d), signScaled(d, f)
	}
}

// signScaled returns f·sign(d) with sign(0) = sign(NaN) = 0, as ATen's
// sign kernel computes it: (0 < d) − (d < 0).
func signScaled(d, f float64) float64 {
	var pos, neg float64
	if d > 0 {
		pos = f
	}
	if d < 0 {
		neg = f
	}
	return pos - neg
}
