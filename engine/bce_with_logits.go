package engine

import (
	"math"
	"math/rand/v2"
	"slices"
)

func init() {
	Register(&Spec{
		Name:   "BCEWithLogitsLoss",
		Slug:   "bce-with-logits",
		Family: FamilyClassification,
		Summary: "Binary cross-entropy on raw scores: a sigmoid and BCE in one numerically stable step, " +
			"with an optional extra weight on the positive class.",
		Formula: `\ell_{n,c} = -w_{n,c} \Bigl[ p_c\, y_{n,c} \log \sigma(x_{n,c}) + (1 - y_{n,c}) \log\big(1 - \sigma(x_{n,c})\big) \Bigr], \quad \sigma(x) = \frac{1}{1 + e^{-x}}`,
		Legacy:  true,
		Params: []Param{
			{Name: "weight", Kind: KindTensor, Default: nil, PerClass: true,
				Doc: "Optional rescaling weight per element, broadcast to the input's shape (a vector weighs each column)."},
			ReductionParam(),
			{Name: "pos_weight", Kind: KindTensor, Default: nil, PerClass: true,
				Doc: "Optional weight p_c of the positive term for class c, broadcast along the last dimension (the class dimension); p_c > 1 favours recall of class c."},
		},
		Inputs: []InputSpec{
			{Name: "input", Role: RolePrediction, Differentiable: true,
				Doc:     "Raw scores (logits), any shape; σ(input) is the predicted probability.",
				Example: []any{[]any{2.0, -1.5, 0.5}, []any{-0.5, 1.0, 0.0}}},
			{Name: "target", Role: RoleTarget,
				Doc:     "Targets, usually 0 or 1 (probabilities are accepted), of the input's exact shape.",
				Example: []any{[]any{1.0, 0.0, 1.0}, []any{0.0, 1.0, 1.0}}},
		},
		DetailFields: map[string]string{
			"probability":        "The predicted probability σ(input) of class 1.",
			"log_prob":           "log σ(input), the log term weighed by the target (and pos_weight).",
			"log_one_minus_prob": "log(1 − σ(input)) = log σ(−input), the log term weighed by 1 − target.",
		},
		Compute: computeBCEWithLogits,
		Random:  randomBCEWithLogits,
	})
}

// computeBCEWithLogits follows torch.nn.BCEWithLogitsLoss (ATen
// binary_cross_entropy_with_logits), with m = max(−x, 0) and
// s = log(exp(−m) + exp(−x − m)), so that m + s = log(1 + exp(−x)):
//
//	ℓ = (1 − y)·x + m + s                       no pos_weight
//	ℓ = (1 − y)·x + ((p − 1)·y + 1)·(s + m)     pos_weight p
//	ℓ ← w·ℓ                                     weight w
//
//	∂ℓ/∂x = w·((p·y + 1 − y)·σ(x) − p·y)
//
// exp(−m) + exp(−x − m) is 1 + exp(−|x|) for every finite x, which saves
// an exp. The target must have the input's exact shape; weight and
// pos_weight broadcast to it (pos_weight, a per-class vector, along the
// last dimension) but may not enlarge it. 'mean' divides by the number of
// elements.
func computeBCEWithLogits(c *Call, r *Result) error {
	x, y := c.Input("input"), c.Input("target")
	w, pw := c.Tensor("weight"), c.Tensor("pos_weight")
	if !slices.Equal(x.Shape, y.Shape) {
		return errorf("target", "size %s must be the same as the input size %s",
			shapeString(y.Shape), shapeString(x.Shape))
	}
	if err := bceCheckBroadcast(w, x.Shape, "params.weight"); err != nil {
		return err
	}
	if err := bceCheckBroadcast(pw, x.Shape, "params.pos_weight"); err != nil {
		return err
	}
	el := r.SetElements(x.Shape...).Data
	gx := r.Grad("input", x.Shape...).Data
	red := c.Reduction()
	f := gradScale(red, float64(len(el)))
	xs, ys := x.Data, y.Data[:len(x.Data)]
	if pw != nil {
		// gx holds pos_weight broadcast to the input until the loop
		// overwrites each element with its gradient.
		bceBroadcastApply(gx, x.Shape, pw, false)
	}
	hasPW := pw != nil
	if parallelParts(len(xs), 1) == 1 {
		bceWithLogitsKernel(xs, ys, el, gx, f, hasPW)
	} else {
		parallelFor(len(xs), 1, func(lo, hi int) { bceWithLogitsKernel(xs[lo:hi], ys[lo:hi], el[lo:hi], gx[lo:hi], f, hasPW) })
	}
	if w != nil {
		bceBroadcastApply(el, x.Shape, w, true)
		bceBroadcastApply(gx, x.Shape, w, true)
	}
	r.Reduce(red, float64(len(el)))
	if c.Detail {
		p, lp, l1p := NewTensor(x.Shape...), NewTensor(x.Shape...), NewTensor(x.Shape...)
		for k, xv := range x.Data {
			p.Data[k] = Sigmoid(xv)
			lp.Data[k] = LogSigmoid(xv)
			l1p.Data[k] = LogSigmoid(-xv)
		}
		r.Detail["probability"], r.Detail["log_prob"], r.Detail["log_one_minus_prob"] = p, lp, l1p
	}
	return nil
}

// bceWithLogitsKernel is computeBCEWithLogits's loop over elements of the
// same shape, which the compiler keeps free of index checks. With
// pos_weight, gx holds it on entry.
func bceWithLogitsKernel(xs, ys, el, gx []float64, f float64, hasPW bool) {
	ys, el, gx = ys[:len(xs)], el[:len(xs)], gx[:len(xs)]
	nan := math.NaN()
	for k, xv := range xs {
		yv := ys[k]
		// e = exp(−|x|) gives both 1 + e = exp(−m) + exp(−x − m) and
		// σ(x), 1/(1 + e) for x ≥ 0 and e/(1 + e) below, without
		// overflow.
		e := fastExp(-math.Abs(xv))
		m := max(-xv, 0)
		s := fastLog(1 + e)
		sig := selectFloat(xv >= 0, 1, e) / (1 + e)
		var l, g float64
		if !hasPW {
			l, g = (1-yv)*xv+m+s, sig-yv
		} else {
			p := gx[k]
			t := p * yv
			l, g = (1-yv)*xv+((p-1)*yv+1)*(s+m), (t+1-yv)*sig-t
		}
		// At x = −∞, PyTorch's exp(−x − m) is exp(∞ − ∞) = NaN, so the
		// loss is NaN whatever the target; 1 + exp(−|x|) alone would
		// not give that. The gradient stays finite.
		el[k] = selectFloat(xv < -math.MaxFloat64, nan, l)
		gx[k] = g * f
	}
}

// randomBCEWithLogits returns normal logits and soft targets in [0, 1).
func randomBCEWithLogits(rng *rand.Rand, s Scale) map[string]*Tensor {
	shape := scaleShape(s)
	return map[string]*Tensor{"input": RandN(rng, shape...), "target": RandU(rng, 0, 1, shape...)}
}
