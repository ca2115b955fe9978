package engine

import (
	"math"
	"math/rand/v2"
)

func init() {
	Register(&Spec{
		Name:   "PoissonNLLLoss",
		Slug:   "poisson-nll",
		Family: FamilyProbabilistic,
		Summary: "Negative log-likelihood of observed counts under a Poisson distribution " +
			"whose rate the model predicts (as a log-rate by default).",
		Formula: `\ell_i = \begin{cases} e^{x_i} - y_i x_i & \text{log\_input} \\ x_i - y_i \log(x_i + \varepsilon) & \text{otherwise} \end{cases}` +
			`\;+\; \big[\, y_i \log y_i - y_i + \tfrac12 \log(2\pi y_i) \,\big]_{\text{full},\, y_i > 1}`,
		Legacy: true,
		Params: []Param{
			{Name: "log_input", Kind: KindBool, Default: true,
				Doc: "If true the input is the log of the rate, exp(input) is the rate; if false the input is the rate itself."},
			{Name: "full", Kind: KindBool, Default: false,
				Doc: "Add the Stirling approximation of log(y!), only where the target is greater than 1."},
			{Name: "eps", Kind: KindFloat, Default: 1e-8, Min: ptr(0), SliderMin: 0, SliderMax: 0.1, Step: 1e-3,
				Doc: "Added to the rate inside the log when log_input is false, so a zero rate gives a finite loss."},
			ReductionParam(),
		},
		Inputs: []InputSpec{
			{Name: "input", Role: RolePrediction, Differentiable: true,
				Doc:     "Predicted log-rates (or rates if log_input is false), any shape.",
				Example: []any{[]any{0.5, -1.0, 1.2}, []any{0.0, 2.0, -0.3}}},
			{Name: "target", Role: RoleTarget,
				Doc:     "Observed counts, broadcastable to the input's shape.",
				Example: []any{[]any{2.0, 0.0, 3.0}, []any{1.0, 6.0, 0.0}}},
		},
		DetailFields: map[string]string{
			"rate": "The predicted Poisson rate per input element: exp(input) if log_input, else input.",
		},
		Compute: computePoissonNLL,
		Random:  randomPoissonNLL,
	})
}

// poissonTwoPi is 2π, which PyTorch's Stirling term multiplies into the
// target before taking the log: ½·log(2π·y).
const poissonTwoPi = 2 * math.Pi

// computePoissonNLL follows torch.nn.PoissonNLLLoss (ATen poisson_nll_loss):
//
//	ℓ = exp(x) − y·x              log_input
//	ℓ = x − y·log(x + eps)        otherwise
//	ℓ += y·log y − y + ½·log(2πy) full, only where y > 1
//
//	∂ℓ/∂x = exp(x) − y            log_input
//	∂ℓ/∂x = 1 − y/(x + eps)       otherwise
//
// PyTorch evaluates the Stirling term everywhere and masks it where y ≤ 1,
// so a NaN target (not ≤ 1) still adds NaN. input and target broadcast; the
// gradient of a broadcast input is summed over the broadcast dimensions.
func computePoissonNLL(c *Call, r *Result) error {
	x, y := c.Input("input"), c.Input("target")
	logInput, full, eps := c.Bool("log_input"), c.Bool("full"), c.Float("eps")
	b, err := broadcastPair(x, y, "input", "target")
	if err != nil {
		return err
	}
	el := r.SetElements(b.Shape...).Data
	gx := r.Grad("input", x.Shape...).Data
	red := c.Reduction()
	n := len(el)
	f := gradScale(red, float64(n))
	xs, ys, ia, ib := x.Data, y.Data, b.ia, b.ib
	if b.Serial() {
		poissonNLLKernel(xs, ys, el, gx, ia, ib, logInput, full, eps, f, 0, n)
	} else {
		parallelFor(n, 1, func(lo, hi int) { poissonNLLKernel(xs, ys, el, gx, ia, ib, logInput, full, eps, f, lo, hi) })
	}
	r.Reduce(red, float64(n))
	if c.Detail {
		rate := NewTensor(x.Shape...)
		for i, xv := range x.Data {
			if logInput {
				xv = fastExp(xv)
			}
			rate.Data[i] = xv
		}
		r.Detail["rate"] = rate
	}
	return nil
}

// poissonNLLKernel computes output elements [lo, hi) of computePoissonNLL.
func poissonNLLKernel(xs, ys, el, gx []float64, ia, ib []int, logInput, full bool, eps, f float64, lo, hi int) {
	for k := lo; k < hi; k++ {
		i, j := k, k
		if ia != nil {
			i = ia[k]
		}
		if ib != nil {
			j = ib[k]
		}
		xv, yv := xs[i], ys[j]
		var l, g float64
		if logInput {
			e := fastExp(xv)
			l, g = e-yv*xv, e-yv
		} else {
			l, g = xv-yv*fastLog(xv+eps), 1-yv/(xv+eps)
		}
		if full {
			// PyTorch evaluates the term everywhere, then
			// masked_fill(target <= 1, 0): a NaN target is not masked.
			st := yv*fastLog(yv) - yv + 0.5*fastLog(poissonTwoPi*yv)
			l += selectFloat(yv <= 1, 0, st)
		}
		el[k] = l
		if ia == nil {
			gx[k] = g * f
		} else {
			gx[i] += g * f
		}
	}
}

// randomPoissonNLL returns log-rates near 0 and whole counts in [0, 5).
func randomPoissonNLL(rng *rand.Rand, s Scale) map[string]*Tensor {
	shape := scaleShape(s)
	y := NewTensor(shape...)
	for i := range y.Data {
		y.Data[i] = float64(rng.IntN(5))
	}
	return map[string]*Tensor{"input": RandN(rng, shape...), "target": y}
}
