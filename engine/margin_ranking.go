package engine

import (
	"math/rand/v2"
)

func init() {
	Register(&Spec{
		Name:   "MarginRankingLoss",
		Slug:   "margin-ranking",
		Family: FamilyMargin,
		Summary: "Learns to rank: when y = 1 the first score should beat the second by the margin, " +
			"when y = −1 the other way round.",
		Formula: `\ell_i = \max\{0,\ -y_i\,(x^{(1)}_i - x^{(2)}_i) + \text{margin}\}`,
		Legacy:  true,
		Params: []Param{
			{Name: "margin", Kind: KindFloat, Default: 0.0, SliderMin: -1, SliderMax: 2, Step: 0.05,
				Doc: "How far the better-ranked score must lead before the loss is 0."},
			ReductionParam(),
		},
		Inputs: []InputSpec{
			{Name: "input1", Role: RolePrediction, Differentiable: true,
				Doc: "First scores, (N) or (); same number of dimensions as input2 and target.", Example: []any{0.8, -0.3, 1.5, 0.2}},
			{Name: "input2", Role: RolePrediction, Differentiable: true,
				Doc: "Second scores, broadcastable with input1.", Example: []any{0.5, 0.4, 1.5, -1.0}},
			{Name: "target", Role: RoleTarget,
				Doc: "1 where input1 should rank higher, −1 where input2 should (other values scale the hinge).", Example: []any{1.0, 1.0, -1.0, -1.0}},
		},
		DetailFields: map[string]string{
			"margin_term": "The hinge argument −y·(x1 − x2) + margin per element; the loss is its positive part.",
		},
		Compute: computeMarginRanking,
		Random:  randomMarginRanking,
	})
}

// computeMarginRanking follows torch.nn.MarginRankingLoss:
//
//	z = −y·(x1 − x2) + margin,  ℓ = max(0, z)
//	∂ℓ/∂x1 = −y, ∂ℓ/∂x2 = y where z ≥ 0, else 0
//
// The three inputs must have the same number of dimensions (functional.py
// checks it); their sizes then broadcast (1.13). The hinge is a
// clamp_min, so the gradient passes at z = 0 and is 0 where z is NaN; it
// is the product of that mask gradient with −y, so an infinite target
// gives a NaN gradient even where the hinge is inactive, as in PyTorch.
func computeMarginRanking(c *Call, r *Result) error {
	x1, x2, y := c.Input("input1"), c.Input("input2"), c.Input("target")
	if x1.Dim() != x2.Dim() || x1.Dim() != y.Dim() {
		return errorf("input1", "all input tensors should have the same number of dimensions, but got sizes input1: %s, input2: %s, target: %s",
			shapeString(x1.Shape), shapeString(x2.Shape), shapeString(y.Shape))
	}
	s12, err := BroadcastShapes(x1.Shape, x2.Shape)
	if err != nil {
		return errorf("input2", "shape %s does not broadcast with input1 shape %s: %v", shapeString(x2.Shape), shapeString(x1.Shape), err)
	}
	shape, err := BroadcastShapes(s12, y.Shape)
	if err != nil {
		return errorf("target", "shape %s does not broadcast with the inputs' shape %s: %v", shapeString(y.Shape), shapeString(s12), err)
	}
	i1, i2, iy := BroadcastIndex(x1.Shape, shape), BroadcastIndex(x2.Shape, shape), BroadcastIndex(y.Shape, shape)
	margin := c.Float("margin")
	el := r.SetElements(shape...).Data
	g1 := r.Grad("input1", x1.Shape...).Data
	g2 := r.Grad("input2", x2.Shape...).Data
	var zs []float64
	if c.Detail {
		t := NewTensor(shape...)
		r.Detail["margin_term"] = t
		zs = t.Data
	}
	f := gradScale(c.Reduction(), float64(len(el)))
	if i1 == nil && i2 == nil && iy == nil {
		// Same shapes: the common case, without index maps.
		x1d, x2d, yd := x1.Data[:len(el)], x2.Data[:len(el)], y.Data[:len(el)]
		for k := range el {
			z := -yd[k]*(x1d[k]-x2d[k]) + margin
			el[k] = z
			gz := f
			if z < 0 {
				el[k] = 0
			}
			if !(z >= 0) {
				gz = 0
			}
			g := gz * -yd[k]
			g1[k] = g
			g2[k] = -g
		}
	} else {
		for k := range el {
			a, b, t := marginRankingAt(i1, k), marginRankingAt(i2, k), marginRankingAt(iy, k)
			z := -y.Data[t]*(x1.Data[a]-x2.Data[b]) + margin
			el[k] = z
			gz := f
			if z < 0 {
				el[k] = 0
			}
			if !(z >= 0) {
				gz = 0
			}
			g := gz * -y.Data[t]
			g1[a] += g
			g2[b] -= g
		}
	}
	for k := range zs {
		a, b, t := marginRankingAt(i1, k), marginRankingAt(i2, k), marginRankingAt(iy, k)
		zs[k] = -y.Data[t]*(x1.Data[a]-x2.Data[b]) + margin
	}
	r.Reduce(c.Reduction(), float64(len(el)))
	return nil
}

// marginRankingAt maps element k through a broadcast index (nil = identity).
func marginRankingAt(idx []int, k int) int {
	if idx == nil {
		return k
	}
	return idx[k]
}

// randomMarginRanking returns 1-D normal scores and ±1 targets.
func randomMarginRanking(rng *rand.Rand, s Scale) map[string]*Tensor {
	n := Numel(scaleShape(s))
	return map[string]*Tensor{"input1": RandN(rng, n), "input2": RandN(rng, n), "target": randomSigns(rng, n)}
}
