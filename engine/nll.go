package engine

import (
	"math"
	"math/rand/v2"
)

func init() {
	Register(&Spec{
		Name:    "NLLLoss",
		Slug:    "nll",
		Family:  FamilyClassification,
		Summary: "Negative log-likelihood: minus the log-probability the model gave the true class, so a confident wrong answer costs most.",
		Formula: `\ell_n = -w_{y_n}\, x_{n,y_n}, \qquad \text{mean} = \frac{\sum_n \ell_n}{\sum_{n:\, y_n \ne \text{ignore}} w_{y_n}}`,
		Legacy:  true,
		Params: []Param{
			clsWeightParam("Optional rescaling weight per class, a 1-D tensor of length C; the mean divides by the weights of the counted targets."),
			clsIgnoreIndexParam(),
			ReductionParam(),
		},
		Inputs: []InputSpec{
			{Name: "input", Role: RolePrediction, Differentiable: true,
				Doc: "Log-probabilities, shape (C), (N, C) or (N, C, d1, …, dK); used as given (not normalised).",
				Example: []any{
					[]any{-0.25, -1.75, -2.75},
					[]any{-1.5, -0.5, -1.5},
				}},
			{Name: "target", Role: RoleTarget, Integer: true,
				Doc:     "Class indices in [0, C) or ignore_index, shape (), (N) or (N, d1, …, dK).",
				Example: []any{0.0, 2.0}},
		},
		DetailFields: map[string]string{
			"probabilities": "exp(input): the probability each log-probability stands for (input shape).",
			"ignored":       "1 where the target equals ignore_index and the position adds nothing, else 0 (shape of the 'none' loss).",
		},
		Compute: computeNLL,
		Random:  randomNLL,
	})
}

// computeNLL follows torch.nn.NLLLoss:
//
//	ℓ_n = −w[y_n]·x[n, y_n]   (0 where y_n = ignore_index)
//	mean = Σ ℓ_n / W,  W = Σ_{n not ignored} w[y_n]
//	∂ℓ/∂x[n, y_n] = −w[y_n]·(g/W)   (g/1 for 'sum' and 'none')
//
// with w ≡ 1 without a weight, so that W counts the targets that are not
// ignored. The gradient is zero except at the target entries. Every target
// ignored gives a mean of 0/0 = NaN and a zero gradient; zero weights give
// W = 0 and NaN both in the mean and at the targets' gradients, as in
// PyTorch.
func computeNLL(c *Call, r *Result) error {
	x, y, w := c.Input("input"), c.Input("target"), c.Tensor("weight")
	l, err := clsIndexLayout(x, y)
	if err != nil {
		return err
	}
	if err := clsCheckIndexWeight(w, l.C, x.Dim()); err != nil {
		return err
	}
	ignore := float64(c.Int("ignore_index"))
	if err := clsCheckTargets(y, l.C, ignore); err != nil {
		return err
	}
	el := r.SetElements(l.Out...).Data
	gx := r.Grad("input", x.Shape...).Data
	total := 0.0 // W: the weight of the targets that count
	for k := range l.Positions() {
		t := y.Data[k]
		if t == ignore {
			// Ignored: no loss, no weight in W, no gradient.
			continue
		}
		i := l.Index(k, int(t))
		if w == nil {
			el[k] = -x.Data[i]
			total++
			continue
		}
		wt := w.Data[int(t)]
		el[k] = -x.Data[i] * wt
		total += wt
	}
	// PyTorch's gradient is w[t]·(−g/W) with g/W computed first, so W = 0
	// gives NaN (0·∞) at zero-weight targets and ±Inf at the others.
	g := -r.Reduce(c.Reduction(), total)
	for k := range l.Positions() {
		t := y.Data[k]
		if t == ignore {
			continue
		}
		i := l.Index(k, int(t))
		if w == nil {
			gx[i] = g
		} else {
			gx[i] = w.Data[int(t)] * g
		}
	}
	if c.Detail {
		p := NewTensor(x.Shape...)
		for i, v := range x.Data {
			p.Data[i] = math.Exp(v)
		}
		r.Detail["probabilities"] = p
		r.Detail["ignored"] = clsIgnoredMask(y, l.Out, ignore)
	}
	return nil
}

// randomNLL returns log-softmax rows of random logits and class indices.
func randomNLL(rng *rand.Rand, s Scale) map[string]*Tensor {
	in := clsRandomIndex(rng, s)
	x := in["input"]
	c := x.Shape[1]
	for row := 0; row < len(x.Data); row += c {
		v := x.Data[row : row+c]
		LogSoftmax(v, v)
	}
	return in
}
