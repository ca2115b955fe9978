package engine

import (
	"math"
	"slices"
)

func init() {
	Register(&Spec{
		Name:    "CrossEntropyLoss",
		Slug:    "cross-entropy",
		Family:  FamilyClassification,
		Summary: "Softmax turns raw scores into probabilities; the loss is minus the log-probability of the true class (or the cross-entropy with a target distribution).",
		Formula: `\ell_n = -\sum_{c} w_c\, q_{n,c} \log \frac{e^{x_{n,c}}}{\sum_{k} e^{x_{n,k}}}, \qquad q_{n,c} = (1-\varepsilon)\,[c = y_n] + \frac{\varepsilon}{C}`,
		Legacy:  true,
		Params: []Param{
			clsWeightParam("Optional rescaling weight per class, a 1-D tensor of length C. With class indices the mean divides by the weights of the counted targets; with probabilities by the number of positions."),
			clsIgnoreIndexParam(),
			ReductionParam(),
			{Name: "label_smoothing", Kind: KindFloat, Default: 0.0, Max: ptr(1), SliderMin: 0, SliderMax: 1, Step: 0.01,
				Doc: "ε: the target becomes (1 − ε)·target + ε/C. Above 1 is an error; below 0 silently means no smoothing."},
		},
		Inputs: []InputSpec{
			{Name: "input", Role: RolePrediction, Differentiable: true,
				Doc: "Unnormalised logits, shape (C), (N, C) or (N, C, d1, …, dK); the class dimension is dim 1 (dim 0 for a 1-D input).",
				Example: []any{
					[]any{2.0, 0.5, -1.0},
					[]any{0.25, 1.5, 0.5},
				}},
			{Name: "target", Role: RoleTarget,
				Doc:     "Class indices in [0, C) or ignore_index, shape (), (N) or (N, d1, …, dK); or, with exactly the input's shape, class probabilities.",
				Example: []any{0.0, 1.0}},
		},
		DetailFields: map[string]string{
			"probabilities":       "softmax(input) over the class dimension (input shape).",
			"ignored":             "1 where the target equals ignore_index and the position adds nothing, else 0 (shape of the 'none' loss; all 0 with probability targets).",
			"target_distribution": "The distribution q the log-probabilities are weighed by (input shape): (1 − ε)·one-hot(target) + ε/C, zero at ignored positions; with probability targets (1 − ε)·target + ε/C.",
		},
		Compute: computeCrossEntropy,
		Random:  clsRandomIndex,
	})
}

// computeCrossEntropy follows torch.nn.CrossEntropyLoss. With lp =
// log_softmax(x) over the class dimension and s = softmax(x):
//
//	class indices:     ℓ_n = (1 − ε)·(−w[y_n]·lp[n, y_n]) + (ε/C)·(−Σ_c w_c·lp[n, c])
//	                   (0 where y_n = ignore_index), mean = Σ ℓ_n / Σ_{n not ignored} w[y_n]
//	probabilities p:   ℓ_n = −Σ_c w_c·p'[n, c]·lp[n, c],  p' = (1 − ε)·p + ε/C,
//	                   mean = Σ ℓ_n / (number of positions), whatever the weights
//	∂ℓ/∂x[n, c] = γ_c − s[n, c]·Σ_k γ_k,  γ = ∂ℓ/∂lp[n, ·]
//
// A target with the input's shape holds probabilities, as in PyTorch;
// otherwise class indices. ε < 0 silently means no smoothing and ε > 1 is
// refused (the parameter's range). The log-softmax is PyTorch's: the maximum
// is subtracted, so a +Inf or NaN logit, or a row of −Inf, makes the whole
// row NaN.
func computeCrossEntropy(c *Call, r *Result) error {
	x, y := c.Input("input"), c.Input("target")
	if x.Dim() == 0 {
		return errorf("input", "expected 1 or more dimensions (got 0): input is (C), (N, C) or (N, C, d1, …, dK)")
	}
	eps := c.Float("label_smoothing")
	if !(eps > 0) {
		// PyTorch only smooths when ε > 0: a negative ε is silently 0.
		eps = 0
	}
	if slices.Equal(x.Shape, y.Shape) {
		return ceProbabilities(c, r, eps)
	}
	return ceIndices(c, r, eps)
}

// ceIndices is CrossEntropyLoss with class-index targets: NLLLoss on the
// log-softmax, mixed with the smoothing term when ε > 0.
func ceIndices(c *Call, r *Result, eps float64) error {
	x, y, w := c.Input("input"), c.Input("target"), c.Tensor("weight")
	red := c.Reduction()
	l, err := clsIndexLayout(x, y)
	if err != nil {
		return err
	}
	if err := clsCheckIndexWeight(w, l.C, x.Dim()); err != nil {
		return err
	}
	if eps > 0 && w != nil {
		// The smoothing term views the weight along the class dimension
		// by its first size, and its mean gathers from it as a vector.
		if w.Dim() == 0 || w.Shape[0] != l.C || (red == ReductionMean && w.Dim() != 1) {
			return errorf("params.weight", "with label smoothing the weight must be a 1-D tensor of length %d, got shape %s", l.C, shapeString(w.Shape))
		}
	}
	ignore := float64(c.Int("ignore_index"))
	if err := clsCheckTargets(y, l.C, ignore); err != nil {
		return err
	}
	C, S := l.C, l.S
	el := r.SetElements(l.Out...).Data
	gx := r.Grad("input", x.Shape...).Data
	smooth := eps / float64(C)
	sumW := float64(C) // Σ_c w_c
	if w != nil {
		sumW = Sum(w.Data)
	}

	// Pass 1: the losses, and softmax(x) parked in the gradient buffer.
	total := 0.0              // W: the weight of the targets that count
	nllSum, smSum := 0.0, 0.0 // the two terms' sums, for the mean with ε > 0
	for k := range l.Positions() {
		base := l.Base(k)
		m, ls := ceSoftmax(x.Data, gx, base, S, C)
		t := y.Data[k]
		if t == ignore {
			if eps > 0 {
				// PyTorch zeroes the smoothing term by a mask and then
				// scales it by ε/C, which is NaN when C = 0.
				el[k] = (1-eps)*0 + 0*smooth
			}
			continue
		}
		ti := int(t)
		lpt := (x.Data[base+ti*S] - m) - ls
		wt := 1.0
		if w != nil {
			wt = w.Data[ti]
		}
		total += wt
		nll := -lpt * wt
		if eps == 0 {
			el[k] = nll
			continue
		}
		sm := 0.0
		for j := range C {
			lp := (x.Data[base+j*S] - m) - ls
			if w != nil {
				lp *= w.Data[j]
			}
			sm -= lp
		}
		el[k] = (1-eps)*nll + sm*smooth
		nllSum += nll
		smSum += sm
	}
	f := r.Reduce(red, total)
	if red == ReductionMean && eps > 0 {
		// PyTorch reduces the two terms separately and then mixes them:
		// with W = 0 the NLL term is 0/0 = NaN even where the smoothing
		// term alone would be ±Inf.
		r.SetScalar((1-eps)*(nllSum/total) + (smSum/total)*smooth)
	}

	if c.Detail {
		r.Detail["probabilities"] = &Tensor{Shape: slices.Clone(x.Shape), Data: slices.Clone(gx)}
		r.Detail["ignored"] = clsIgnoredMask(y, l.Out, ignore)
		q := NewTensor(x.Shape...)
		for k := range l.Positions() {
			if t := y.Data[k]; t != ignore {
				base := l.Base(k)
				for j := range C {
					q.Data[base+j*S] = smooth
				}
				q.Data[base+int(t)*S] += 1 - eps
			}
		}
		r.Detail["target_distribution"] = q
	}

	// Pass 2: γ = ∂loss/∂lp is a[t] at the target plus b·w_c from the
	// smoothing term, in PyTorch's order: the upstream gradient is scaled
	// by 1/W first, then by the weight.
	gNLL, gSmooth := -f, 0.0
	if eps > 0 {
		gNLL, gSmooth = -((1 - eps) * f), -(smooth * f)
	}
	for k := range l.Positions() {
		base := l.Base(k)
		t := y.Data[k]
		if t == ignore {
			// No gradient flows into an ignored row, but the log-softmax
			// backward still multiplies its probabilities by 0: NaN
			// logits give NaN, as in PyTorch.
			for j := range C {
				i := base + j*S
				gx[i] = 0 - gx[i]*0
			}
			continue
		}
		ti := int(t)
		at := gNLL
		if w != nil {
			at = w.Data[ti] * gNLL
		}
		if eps == 0 {
			for j := range C {
				i := base + j*S
				gx[i] = -gx[i] * at
			}
			gx[base+ti*S] += at
			continue
		}
		sum := at + gSmooth*sumW
		for j := range C {
			i := base + j*S
			b := gSmooth
			if w != nil {
				b = gSmooth * w.Data[j]
			}
			gx[i] = b - gx[i]*sum
		}
		gx[base+ti*S] += at
	}
	return nil
}

// ceProbabilities is CrossEntropyLoss with class-probability targets.
func ceProbabilities(c *Call, r *Result, eps float64) error {
	x, p, w := c.Input("input"), c.Input("target"), c.Tensor("weight")
	if ig := c.Int("ignore_index"); ig >= 0 {
		return errorf("params.ignore_index", "ignore_index %d is not supported with class-probability targets (a target of the input's shape); it must be negative", ig)
	}
	l := clsLayoutOf(x.Shape)
	C, S := l.C, l.S
	if w != nil && (w.Dim() != 1 || w.Numel() != C) {
		return errorf("params.weight", "weight tensor should be defined either for all %d classes or no classes but got weight tensor of shape: %s", C, shapeString(w.Shape))
	}
	smooth := eps / float64(C)
	el := r.SetElements(l.Out...).Data
	gx := r.Grad("input", x.Shape...).Data
	for k := range l.Positions() {
		base := l.Base(k)
		m, ls := ceSoftmax(x.Data, gx, base, S, C)
		sum := 0.0
		for j := range C {
			i := base + j*S
			q := p.Data[i]
			if eps > 0 {
				q = q*(1-eps) + smooth
			}
			v := ((x.Data[i] - m) - ls) * q
			if w != nil {
				v *= w.Data[j]
			}
			sum += v
		}
		el[k] = -sum
	}
	red := c.Reduction()
	f := r.Reduce(red, float64(l.Positions()))
	if red == ReductionMean && x.Numel() == 0 {
		// PyTorch fills the mean of an empty input with NaN, also when
		// C = 0 leaves positions without classes.
		r.SetScalar(math.NaN())
	}

	if c.Detail {
		r.Detail["probabilities"] = &Tensor{Shape: slices.Clone(x.Shape), Data: slices.Clone(gx)}
		r.Detail["ignored"] = NewTensor(l.Out...)
		q := NewTensor(x.Shape...)
		for i, v := range p.Data {
			if eps > 0 {
				v = v*(1-eps) + smooth
			}
			q.Data[i] = v
		}
		r.Detail["target_distribution"] = q
	}

	// γ_c = (−g·w_c)·p'_c, then the log-softmax backward.
	for k := range l.Positions() {
		base := l.Base(k)
		sum := 0.0
		for j := range C {
			sum += cePGrad(p.Data[base+j*S], w, j, eps, smooth, f)
		}
		for j := range C {
			i := base + j*S
			gx[i] = cePGrad(p.Data[i], w, j, eps, smooth, f) - gx[i]*sum
		}
	}
	return nil
}

// cePGrad is ∂loss/∂lp for class j of a probability target entry q, with
// the reduction factor f, in PyTorch's order of operations.
func cePGrad(q float64, w *Tensor, j int, eps, smooth, f float64) float64 {
	if eps > 0 {
		q = q*(1-eps) + smooth
	}
	g := -f
	if w != nil {
		g *= w.Data[j]
	}
	return g * q
}

// ceSoftmax writes softmax(x) of the class row at base (stride S, C
// classes) into s and returns the row maximum m and ls = log Σ exp(x − m),
// so that log_softmax(x)_c = (x_c − m) − ls. As in PyTorch's kernel, a +Inf
// maximum or a row of −Inf gives ∞ − ∞ = NaN everywhere, and so does a NaN.
func ceSoftmax(x, s []float64, base, S, C int) (m, ls float64) {
	m = math.Inf(-1)
	for j := range C {
		if v := x[base+j*S]; v > m {
			m = v
		}
	}
	sum := 0.0
	for j := range C {
		i := base + j*S
		e := math.Exp(x[i] - m)
		s[i] = e
		sum += e
	}
	inv := 1 / sum
	for j := range C {
		s[base+j*S] *= inv
	}
	return m, math.Log(sum)
}
