package engine

import (
	"math"
	"math/rand/v2"
	"slices"
)

func init() {
	Register(&Spec{
		Name:   "GaussianNLLLoss",
		Slug:   "gaussian-nll",
		Family: FamilyProbabilistic,
		Summary: "Negative log-likelihood of the target under a normal distribution whose mean and variance " +
			"the model predicts, so it can say how unsure it is.",
		Formula: `\ell_i = \tfrac12 \biggl( \log \max(\sigma_i^2, \varepsilon) + \frac{(x_i - y_i)^2}{\max(\sigma_i^2, \varepsilon)} \biggr) \;\big[ + \tfrac12 \log 2\pi \big]_{\text{full}}`,
		Params: []Param{
			{Name: "full", Kind: KindBool, Default: false,
				Doc: "Add the constant ½·log(2π), giving the exact Gaussian negative log-likelihood."},
			{Name: "eps", Kind: KindFloat, Default: 1e-6, Min: ptr(0), SliderMin: 0, SliderMax: 0.5, Step: 0.01,
				Doc: "Variances below eps are raised to eps in the loss (the gradient ignores this clamp)."},
			ReductionParam(),
		},
		Inputs: []InputSpec{
			{Name: "input", Role: RolePrediction, Differentiable: true,
				Doc:     "Predicted means, shape (N, *) or (*).",
				Example: []any{[]any{0.5, -1.0, 2.0}, []any{1.5, 0.0, -0.5}}},
			{Name: "target", Role: RoleTarget,
				Doc:     "Observed values, broadcastable to the input's shape.",
				Example: []any{[]any{1.0, -1.0, 0.0}, []any{1.0, 0.5, 0.5}}},
			{Name: "var", Role: RoleVariance, Differentiable: true,
				Doc: "Predicted variances, ≥ 0: the input's shape, or that shape without its last dimension " +
					"(one variance per row), or with the last dimension 1.",
				Example: []any{[]any{0.5, 1.0, 2.0}, []any{1.0, 0.25, 4.0}}},
		},
		DetailFields: map[string]string{
			"variance": "The variance the loss used, max(var, eps), in var's shape.",
		},
		Compute: computeGaussianNLL,
		Random:  randomGaussianNLL,
	})
}

// gaussianNLLHalfLog2Pi is ½·log(2π), the constant full adds, computed as
// PyTorch's 0.5 * math.log(2 * math.pi).
var gaussianNLLHalfLog2Pi = 0.5 * math.Log(2*math.Pi)

// computeGaussianNLL follows torch.nn.GaussianNLLLoss (1.13, Python), with
// v = max(var, eps):
//
//	ℓ = ½·(log v + (x − y)²/v)  [+ ½·log 2π if full]
//
//	∂ℓ/∂x   = (x − y)/v
//	∂ℓ/∂var = ½·(1/v − (x − y)²/v²)
//
// PyTorch clamps a clone of var under torch.no_grad(), so the clamp is
// invisible to autograd: the gradient flows to var as if v were var, even
// where var < eps. var must have the input's shape, or the input's shape
// without its last dimension (it is then unsqueezed), or that shape with a
// last dimension of 1; any negative entry is an error. The target is not
// checked and broadcasts.
// gaussianNLLElems computes elements [lo, hi) of computeGaussianNLL with one
// variance per element and no broadcasting.
func gaussianNLLElems(xs, ys, vs, el, gx, gv []float64, eps, h, add float64, lo, hi int) {
	for k := lo; k < hi; k++ {
		el[k], gx[k], gv[k] = gaussianNLLTerm(xs[k]-ys[k], vs[k], eps, h, add)
	}
}

// gaussianNLLRows computes rows [lo, hi) of computeGaussianNLL with one
// variance per row of d elements and no other broadcasting.
func gaussianNLLRows(xs, ys, vs, el, gx, gv []float64, eps, h, add float64, d, lo, hi int) {
	for row := lo; row < hi; row++ {
		var g float64
		for k := row * d; k < (row+1)*d; k++ {
			var gk float64
			el[k], gx[k], gk = gaussianNLLTerm(xs[k]-ys[k], vs[row], eps, h, add)
			g += gk
		}
		gv[row] = g
	}
}

func computeGaussianNLL(c *Call, r *Result) error {
	x, y, vr := c.Input("input"), c.Input("target"), c.Input("var")
	full, eps := c.Bool("full"), c.Float("eps")
	vshape, err := gaussianNLLVarShape(x.Shape, vr.Shape)
	if err != nil {
		return err
	}
	for i, v := range vr.Data {
		if v < 0 {
			return errorf("var", "has a negative entry (var[%d] = %g); variances must be at least 0", i, v)
		}
	}
	xy, err := BroadcastShapes(x.Shape, y.Shape)
	if err != nil {
		return errorf("target", "shape %s does not broadcast with input shape %s: %v", shapeString(y.Shape), shapeString(x.Shape), err)
	}
	shape, err := BroadcastShapes(xy, vshape)
	if err != nil {
		// Unreachable under the var-shape rules, kept so no shape can panic.
		return errorf("var", "shape %s does not broadcast with %s: %v", shapeString(vr.Shape), shapeString(xy), err)
	}
	el := r.SetElements(shape...).Data
	gx := r.Grad("input", x.Shape...).Data
	gv := r.Grad("var", vr.Shape...).Data // vshape has the same elements in the same order
	n := len(el)

	// h is the upstream gradient of the bracket log v + (x − y)²/v: ½ times
	// that of ℓ, which is 1 for 'sum' and 'none' and 1/n for 'mean'.
	red := c.Reduction()
	h := 0.5
	if red == ReductionMean {
		h = 0.5 / float64(n)
	}
	add := 0.0
	if full {
		add = gaussianNLLHalfLog2Pi
	}

	ix, iy := BroadcastIndex(x.Shape, shape), BroadcastIndex(y.Shape, shape)
	xs, ys, vs := x.Data, y.Data, vr.Data
	switch {
	case ix == nil && iy == nil && slices.Equal(vshape, shape):
		// Heteroscedastic: one variance per element.
		if parallelParts(n, 1) == 1 {
			gaussianNLLElems(xs, ys, vs, el, gx, gv, eps, h, add, 0, n)
		} else {
			parallelFor(n, 1, func(lo, hi int) { gaussianNLLElems(xs, ys, vs, el, gx, gv, eps, h, add, lo, hi) })
		}
	case ix == nil && iy == nil && len(shape) > 0 && vshape[len(vshape)-1] == 1 && len(vs)*shape[len(shape)-1] == n:
		// Homoscedastic rows: var has shape (*, 1) against (*, D).
		d := shape[len(shape)-1]
		if parallelParts(len(vs), d) == 1 {
			gaussianNLLRows(xs, ys, vs, el, gx, gv, eps, h, add, d, 0, len(vs))
		} else {
			parallelFor(len(vs), d, func(lo, hi int) { gaussianNLLRows(xs, ys, vs, el, gx, gv, eps, h, add, d, lo, hi) })
		}
	default:
		// Broadcast inputs accumulate their gradients: one goroutine.
		iv := BroadcastIndex(vshape, shape)
		for k := range el {
			i, j, m := k, k, k
			if ix != nil {
				i = ix[k]
			}
			if iy != nil {
				j = iy[k]
			}
			if iv != nil {
				m = iv[k]
			}
			var g, gk float64
			el[k], g, gk = gaussianNLLTerm(xs[i]-ys[j], vs[m], eps, h, add)
			gx[i] += g
			gv[m] += gk
		}
	}
	r.Reduce(red, float64(n))
	if c.Detail {
		v := NewTensor(vr.Shape...)
		for i, vv := range vr.Data {
			v.Data[i] = max(vv, eps)
		}
		r.Detail["variance"] = v
	}
	return nil
}

// gaussianNLLTerm returns, for one element with difference d = x − y and
// unclamped variance vr, the loss ℓ and the gradients of h·(log v + d²/v)
// with respect to x and var, in PyTorch's autograd order: pow backward
// (h/v)·(2d), log backward h/v, div backward −h·((d²/v)/v).
func gaussianNLLTerm(d, vr, eps, h, add float64) (l, gx, gv float64) {
	// torch.clamp_(min=eps) under no_grad; a NaN var stays NaN.
	v := max(vr, eps)
	q := d * d
	// One division instead of three: multiplying by 1/v is within 2 ulp of
	// dividing, but where 1/v overflows (v below 2⁻¹⁰²⁰, which needs an eps
	// that small too) only the divisions give PyTorch's results.
	var qv, hv, qvv float64
	if v >= 0x1p-1020 {
		inv := 1 / v
		qv, hv = q*inv, h*inv
		qvv = qv * inv
	} else {
		qv, hv = q/v, h/v
		qvv = qv / v
	}
	return 0.5*(fastLog(v)+qv) + add, hv * (2 * d), hv - h*qvv
}

// gaussianNLLVarShape returns the shape var takes in the loss under
// PyTorch 1.13's rules, or an error naming var.
func gaussianNLLVarShape(in, v []int) ([]int, error) {
	if slices.Equal(v, in) {
		return v, nil
	}
	head := in[:max(len(in)-1, 0)]
	if slices.Equal(head, v) {
		// One variance per row: unsqueeze(-1) so that it broadcasts.
		return append(slices.Clone(v), 1), nil
	}
	if len(v) > 0 && slices.Equal(head, v[:len(v)-1]) && v[len(v)-1] == 1 {
		return v, nil
	}
	return nil, errorf("var", "is of incorrect size %s for input shape %s: it must be %s (one variance per element), or %s or %s (one per row)",
		shapeString(v), shapeString(in), shapeString(in), shapeString(head), shapeString(append(slices.Clone(head), 1)))
}

// randomGaussianNLL returns normal means and targets and one variance per
// element in [0.5, 2).
func randomGaussianNLL(rng *rand.Rand, s Scale) map[string]*Tensor {
	shape := scaleShape(s)
	return map[string]*Tensor{
		"input":  RandN(rng, shape...),
		"target": RandN(rng, shape...),
		"var":    RandU(rng, 0.5, 2, shape...),
	}
}
