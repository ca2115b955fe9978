package engine

import (
	"math/rand/v2"
)

func init() {
	Register(&Spec{
		Name:   "HingeEmbeddingLoss",
		Slug:   "hinge-embedding",
		Family: FamilyMargin,
		Summary: "For a distance x: similar pairs (y = 1) pay the distance itself, dissimilar pairs (y = −1) " +
			"pay only while closer than the margin.",
		Formula: `\ell_i = \begin{cases} x_i & y_i = 1 \\ \max\{0,\ \text{margin} - x_i\} & y_i = -1 \end{cases}`,
		Legacy:  true,
		Params: []Param{
			{Name: "margin", Kind: KindFloat, Default: 1.0, SliderMin: 0, SliderMax: 3, Step: 0.05,
				Doc: "Dissimilar pairs closer than this pay the difference (PyTorch accepts any value, negative too)."},
			ReductionParam(),
		},
		Inputs: []InputSpec{
			{Name: "input", Role: RolePrediction, Differentiable: true,
				Doc: "Distances (usually non-negative), any shape.", Example: []any{0.3, 1.2, 0.5, 2.0}},
			{Name: "target", Role: RoleTarget,
				Doc:     "1 for similar and −1 for dissimilar pairs, broadcastable with input; any other value adds both branches.",
				Example: []any{1.0, 1.0, -1.0, -1.0}},
		},
		DetailFields: map[string]string{
			"yx": "The product y·x per element of the broadcast shape.",
		},
		Compute: computeHingeEmbedding,
		Random:  randomHingeEmbedding,
	})
}

// computeHingeEmbedding follows torch.nn.HingeEmbeddingLoss (ATen's
// hinge_embedding_loss), a sum of two masked terms:
//
//	ℓ = [y ≠ 1]·max(0, margin − x) + [y ≠ −1]·x
//	∂ℓ/∂x = [y ≠ −1] − [y ≠ 1]·[margin − x ≥ 0]
//
// so y = 1 gives x, y = −1 the hinge, and any other y (0, NaN) both. The
// hinge is a clamp_min: at x = margin the gradient is −1, and where
// margin − x is NaN its gradient is 0. input and target broadcast.
func computeHingeEmbedding(c *Call, r *Result) error {
	x, y := c.Input("input"), c.Input("target")
	b, err := broadcastPair(x, y, "input", "target")
	if err != nil {
		return err
	}
	margin := c.Float("margin")
	el := r.SetElements(b.Shape...).Data
	gx := r.Grad("input", x.Shape...).Data
	f := gradScale(c.Reduction(), float64(len(el)))
	for k := range el {
		xv, yv := x.Data[b.A(k)], y.Data[b.B(k)]
		h := margin - xv
		if h < 0 {
			h = 0 // clamp_min; NaN stays NaN
		}
		var l, g float64
		if yv != 1 {
			l = h
			if margin-xv >= 0 {
				g = -f
			}
		}
		if yv != -1 {
			// where(y != 1, h, 0) + where(y != -1, x, 0)
			l += xv
			g += f
		}
		el[k] = l
		gx[b.A(k)] += g
	}
	if c.Detail {
		yx := NewTensor(b.Shape...)
		for k := range yx.Data {
			yx.Data[k] = y.Data[b.B(k)] * x.Data[b.A(k)]
		}
		r.Detail["yx"] = yx
	}
	r.Reduce(c.Reduction(), float64(len(el)))
	return nil
}

// randomHingeEmbedding returns non-negative distances and ±1 targets.
func randomHingeEmbedding(rng *rand.Rand, s Scale) map[string]*Tensor {
	shape := scaleShape(s)
	return map[string]*Tensor{"input": RandU(rng, 0, 2, shape...), "target": randomSigns(rng, shape...)}
}
