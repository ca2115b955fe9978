package engine

import (
	"math"
	"math/rand/v2"
)

func init() {
	Register(&Spec{
		Name:   "KLDivLoss",
		Slug:   "kl-div",
		Family: FamilyProbabilistic,
		Summary: "Kullback-Leibler divergence: how much information is lost when the predicted distribution " +
			"(given as log-probabilities) stands in for the target distribution.",
		Formula: `\ell_i = \begin{cases} y_i \log y_i - y_i\, x_i & \text{(with } 0 \log 0 = 0\text{)} \\ e^{y_i} (y_i - x_i) & \text{log\_target} \end{cases}`,
		Legacy:  true,
		Params: []Param{
			{Name: "reduction", Kind: KindEnum, Default: "mean", Values: []string{"none", "batchmean", "sum", "mean"},
				Doc: "How per-element terms become the result: 'batchmean' sums and divides by the batch size " +
					"(the true KL divergence per sample), 'mean' divides by the number of elements."},
			{Name: "log_target", Kind: KindBool, Default: false,
				Doc: "If true the target is given as log-probabilities, like the input."},
		},
		Inputs: []InputSpec{
			{Name: "input", Role: RolePrediction, Differentiable: true,
				Doc: "Predicted log-probabilities, any shape (usually (N, C), from log_softmax).",
				Example: []any{
					[]any{-1.2039728043259361, -0.916290731874155, -1.2039728043259361},
					[]any{-0.35667494393873245, -1.6094379124341003, -2.302585092994046}}},
			{Name: "target", Role: RoleTarget,
				Doc:     "Target probabilities (log-probabilities if log_target), broadcastable to the input's shape.",
				Example: []any{[]any{0.2, 0.5, 0.3}, []any{0.6, 0.3, 0.1}}},
		},
		DetailFields: map[string]string{
			"input_prob":  "The predicted distribution exp(input), in the input's shape.",
			"target_prob": "The target distribution as probabilities: target, or exp(target) if log_target; in the target's shape.",
		},
		Compute: computeKLDiv,
		Random:  randomKLDiv,
	})
}

// computeKLDiv follows torch.nn.KLDivLoss (1.13, ATen kl_div):
//
//	ℓ = xlogy(y, y) − y·x   ∂ℓ/∂x = −y
//	ℓ = exp(y)·(y − x)      ∂ℓ/∂x = −exp(y)   log_target
//
// xlogy(y, y) is 0 where y = 0 and NaN where y < 0 (older PyTorch gave 0
// for negative targets; 1.13 does not). 'mean' divides by the number of
// elements; 'batchmean' divides the sum by input.size(0), the input's own
// first dimension even when the target broadcasts it larger, and is the
// plain sum for a 0-d input. input and target broadcast; the gradient of a
// broadcast input is summed over the broadcast dimensions.
func computeKLDiv(c *Call, r *Result) error {
	x, y := c.Input("input"), c.Input("target")
	logTarget := c.Bool("log_target")
	b, err := broadcastPair(x, y, "input", "target")
	if err != nil {
		return err
	}
	el := r.SetElements(b.Shape...).Data
	gx := r.Grad("input", x.Shape...).Data
	red := c.Reduction()
	denom := float64(len(el))
	if red == ReductionBatchMean {
		denom = 1 // a 0-d input: batchmean is the sum
		if x.Dim() > 0 {
			denom = float64(x.Shape[0])
		}
	}
	f := gradScale(red, denom)
	xs, ys, ia, ib := x.Data, y.Data, b.ia, b.ib
	if n := len(el); b.Serial() {
		klDivKernel(xs, ys, el, gx, ia, ib, logTarget, f, 0, n)
	} else {
		parallelFor(n, 1, func(lo, hi int) { klDivKernel(xs, ys, el, gx, ia, ib, logTarget, f, lo, hi) })
	}
	r.Reduce(red, denom)
	if c.Detail {
		p := NewTensor(x.Shape...)
		for i, xv := range x.Data {
			p.Data[i] = fastExp(xv)
		}
		q := NewTensor(y.Shape...)
		for i, yv := range y.Data {
			if logTarget {
				yv = fastExp(yv)
			}
			q.Data[i] = yv
		}
		r.Detail["input_prob"], r.Detail["target_prob"] = p, q
	}
	return nil
}

// klDivKernel computes output elements [lo, hi) of computeKLDiv.
func klDivKernel(xs, ys, el, gx []float64, ia, ib []int, logTarget bool, f float64, lo, hi int) {
	for k := lo; k < hi; k++ {
		i, j := k, k
		if ia != nil {
			i = ia[k]
		}
		if ib != nil {
			j = ib[k]
		}
		xv, yv := xs[i], ys[j]
		var g float64
		if logTarget {
			e := fastExp(yv)
			el[k], g = e*(yv-xv), -e
		} else {
			el[k], g = klDivXlogy(yv)-yv*xv, -yv
		}
		if ia == nil {
			gx[k] = g * f
		} else {
			gx[i] += g * f
		}
	}
}

// klDivXlogy is ATen's xlogy(y, y): 0 where y = 0 (so 0·log 0 = 0), else
// y·log y, which is NaN for NaN and negative y.
func klDivXlogy(y float64) float64 {
	return selectFloat(y == 0, 0, y*fastLog(y))
}

// randomKLDiv returns rows of log-probabilities and rows of target
// probabilities, both from softmax of normal logits.
func randomKLDiv(rng *rand.Rand, s Scale) map[string]*Tensor {
	shape := scaleShape(s)
	x, y := RandN(rng, shape...), RandN(rng, shape...)
	d := shape[len(shape)-1]
	for i := 0; i < len(x.Data); i += d {
		LogSoftmax(x.Data[i:i+d], x.Data[i:i+d])
		row := y.Data[i : i+d]
		LogSoftmax(row, row)
		for j, v := range row {
			row[j] = math.Exp(v)
		}
	}
	return map[string]*Tensor{"input": x, "target": y}
}
