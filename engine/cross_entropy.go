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

	// W, the weight of the targets that count, is known before the rows:
	// the mean's gradient factor 1/W can be applied in the same pass.
	total := 0.0
	for _, t := range y.Data {
		switch {
		case t == ignore:
		case w == nil:
			total++
		default:
			total += w.Data[int(t)]
		}
	}
	f := gradScale(red, total)
	// γ = ∂loss/∂lp is a[t] at the target plus b·w_c from the smoothing
	// term, in PyTorch's order: the upstream gradient is scaled by 1/W
	// first, then by the weight.
	gNLL, gSmooth := -f, 0.0
	if eps > 0 {
		gNLL, gSmooth = -((1 - eps) * f), -(smooth * f)
	}
	job := ceIndexRows{x: x.Data, y: y.Data, gx: gx, el: el, l: l, ignore: ignore,
		eps: eps, smooth: smooth, gNLL: gNLL, gSmooth: gSmooth, sumW: sumW}
	if w != nil {
		job.w = w.Data
	}
	// The rows are independent: large inputs are split across the cores.
	var nllSum, smSum float64 // the two terms' sums, for the mean with ε > 0
	if parts := parallelParts(l.Positions(), C); parts == 1 {
		nllSum, smSum = job.rows(0, l.Positions())
	} else {
		sums := make([][2]float64, parts)
		pj := &ceIndexRows{}
		*pj = job // only this copy escapes to the goroutines
		parallelSplit(parts, l.Positions(), func(p, lo, hi int) { sums[p][0], sums[p][1] = pj.rows(lo, hi) })
		for _, s := range sums {
			nllSum += s[0]
			smSum += s[1]
		}
	}
	r.Reduce(red, total)
	if red == ReductionMean && eps > 0 {
		// PyTorch reduces the two terms separately and then mixes them:
		// with W = 0 the NLL term is 0/0 = NaN even where the smoothing
		// term alone would be ±Inf.
		r.SetScalar((1-eps)*(nllSum/total) + (smSum/total)*smooth)
	}
	if c.Detail {
		r.Detail["probabilities"] = ceSoftmaxTensor(x, &l)
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
	return nil
}

// ceIndexRows is the per-row work of class-index CrossEntropyLoss: the
// losses of positions [lo, hi) and their gradient, given the gradient
// factors already scaled for the reduction.
type ceIndexRows struct {
	x, y, w, gx, el []float64
	l               clsLayout
	ignore, eps     float64
	smooth, sumW    float64
	gNLL, gSmooth   float64
}

// rows computes positions [lo, hi) and returns the sums of their NLL and
// smoothing terms.
func (cr *ceIndexRows) rows(lo, hi int) (nllSum, smSum float64) {
	C, S := cr.l.C, cr.l.S
	for k := lo; k < hi; k++ {
		base := cr.l.Base(k)
		// exp(x − m) goes into the gradient buffer; s = exp(x − m)/Σ.
		m, ls, inv := ceExpRow(cr.x, cr.gx, base, S, C)
		t := cr.y[k]
		if t == cr.ignore {
			if cr.eps > 0 {
				// PyTorch zeroes the smoothing term by a mask and then
				// scales it by ε/C, which is NaN when C = 0.
				cr.el[k] = (1-cr.eps)*0 + 0*cr.smooth
			}
			// No gradient flows into an ignored row, but the log-softmax
			// backward still multiplies its probabilities by 0: NaN
			// logits give NaN, as in PyTorch.
			for j := range C {
				i := base + j*S
				cr.gx[i] = 0 - cr.gx[i]*inv*0
			}
			continue
		}
		ti := int(t)
		lpt := (cr.x[base+ti*S] - m) - ls
		wt := 1.0
		if cr.w != nil {
			wt = cr.w[ti]
		}
		nll := -lpt * wt
		at := cr.gNLL * wt
		if cr.eps == 0 {
			cr.el[k] = nll
			// γ is at at the target only: ∂/∂x_c = [c = t]·at − s_c·at.
			sc := -at * inv
			if S == 1 {
				row := cr.gx[base : base+C]
				for j := range row {
					row[j] *= sc
				}
			} else {
				for j := range C {
					cr.gx[base+j*S] *= sc
				}
			}
			cr.gx[base+ti*S] += at
			continue
		}
		sm := 0.0
		for j := range C {
			lp := (cr.x[base+j*S] - m) - ls
			if cr.w != nil {
				lp *= cr.w[j]
			}
			sm -= lp
		}
		cr.el[k] = (1-cr.eps)*nll + sm*cr.smooth
		nllSum += nll
		smSum += sm
		sum := at + cr.gSmooth*cr.sumW
		for j := range C {
			i := base + j*S
			b := cr.gSmooth
			if cr.w != nil {
				b = cr.gSmooth * cr.w[j]
			}
			cr.gx[i] = b - cr.gx[i]*inv*sum
		}
		cr.gx[base+ti*S] += at
	}
	return nllSum, smSum
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
	red := c.Reduction()
	f := gradScale(red, float64(l.Positions()))
	for k := range l.Positions() {
		base := l.Base(k)
		m, ls, inv := ceExpRow(x.Data, gx, base, S, C)
		sum, gsum := 0.0, 0.0
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
			gsum += cePGrad(p.Data[i], w, j, eps, smooth, f)
		}
		el[k] = -sum
		// γ_c = (−f·w_c)·p'_c, then the log-softmax backward.
		for j := range C {
			i := base + j*S
			gx[i] = cePGrad(p.Data[i], w, j, eps, smooth, f) - gx[i]*inv*gsum
		}
	}
	r.Reduce(red, float64(l.Positions()))
	if red == ReductionMean && x.Numel() == 0 {
		// PyTorch fills the mean of an empty input with NaN, also when
		// C = 0 leaves positions without classes.
		r.SetScalar(math.NaN())
	}
	if c.Detail {
		r.Detail["probabilities"] = ceSoftmaxTensor(x, &l)
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

// ceExpRow writes exp(x − m) of the class row at base (stride S, C
// classes) into e and returns the row maximum m, ls = log Σ exp(x − m) and
// inv = 1/Σ exp(x − m), so that log_softmax(x)_c = (x_c − m) − ls and
// softmax(x)_c = e_c·inv. As in PyTorch's kernel, a +Inf maximum or a row of
// −Inf gives ∞ − ∞ = NaN everywhere, and so does a NaN.
func ceExpRow(x, e []float64, base, S, C int) (m, ls, inv float64) {
	m = math.Inf(-1)
	sum := 0.0
	if S == 1 {
		row, out := x[base:base+C], e[base:base+C]
		for _, v := range row {
			if v > m {
				m = v
			}
		}
		for j, v := range row {
			// fastExp(v − m), inlined by hand (it is too large for the
			// compiler to inline): this loop is most of the cost of the
			// loss. Keep it in step with fastExp.
			d := v - m
			if !(d >= -700 && d < 709.79) {
				out[j] = math.Exp(d)
				sum += out[j]
				continue
			}
			kf := d*(256/math.Ln2) + expShifter
			kf -= expShifter
			k := int64(kf)
			r := (d - kf*(ln2Hi/256)) - kf*(ln2Lo/256)
			p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24))))
			// fastExp's final factor 2 is folded into the scale: with
			// d ≤ 0 nothing overflows, and with d ≥ −700 nothing is
			// subnormal, so doubling earlier rounds the same.
			ev := math.Float64frombits(uint64(k>>8+1023)<<52) * expTable[k&255] * p
			out[j] = ev
			sum += ev
		}
	} else {
		for j := range C {
			if v := x[base+j*S]; v > m {
				m = v
			}
		}
		for j := range C {
			i := base + j*S
			ev := fastExp(x[i] - m)
			e[i] = ev
			sum += ev
		}
	}
	return m, math.Log(sum), 1 / sum
}

// ceSoftmaxTensor returns softmax(x) over the class dimension.
func ceSoftmaxTensor(x *Tensor, l *clsLayout) *Tensor {
	s := NewTensor(x.Shape...)
	for k := range l.Positions() {
		base := l.Base(k)
		_, _, inv := ceExpRow(x.Data, s.Data, base, l.S, l.C)
		for j := range l.C {
			s.Data[base+j*l.S] *= inv
		}
	}
	return s
}
