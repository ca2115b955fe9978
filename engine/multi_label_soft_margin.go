package engine

import (
	"math"
	"math/rand/v2"
	"slices"
)

func init() {
	Register(&Spec{
		Name:    "MultiLabelSoftMarginLoss",
		Slug:    "multi-label-soft-margin",
		Family:  FamilyClassification,
		Summary: "Each class is its own yes/no question: a logistic loss per class, averaged over the classes.",
		Formula: `\ell_n = -\frac{1}{C} \sum_{c} w_c \Big( y_{n,c} \log \sigma(x_{n,c}) + (1 - y_{n,c}) \log \sigma(-x_{n,c}) \Big)`,
		Legacy:  true,
		Params: []Param{
			clsWeightParam("Optional rescaling weight per class, broadcast against the input (normally length C); the per-sample sum is still divided by C."),
			ReductionParam(),
		},
		Inputs: []InputSpec{
			{Name: "input", Role: RolePrediction, Differentiable: true,
				Doc: "Logits, shape (C) or (N, C) (or (N, …, C)): the class dimension is the last.",
				Example: []any{
					[]any{1.5, -0.5, 0.25},
					[]any{-1.0, 2.0, 0.5},
				}},
			{Name: "target", Role: RoleTarget,
				Doc: "Labels, normally 0 or 1 per class (any real value is used as given), broadcastable to the input's shape.",
				Example: []any{
					[]any{1.0, 0.0, 1.0},
					[]any{0.0, 1.0, 0.0},
				}},
		},
		DetailFields: map[string]string{
			"sigmoid": "σ(input): the probability the model gives each class (input shape).",
		},
		Compute: computeMultiLabelSoftMargin,
		Random:  randomMultiLabelSoftMargin,
	})
}

// computeMultiLabelSoftMargin follows torch.nn.MultiLabelSoftMarginLoss:
//
//	e_c = −w_c·(y_c·log σ(x_c) + (1 − y_c)·log σ(−x_c))
//	ℓ_n = Σ_c e_c / C,  mean = Σ ℓ_n / N
//	∂ℓ/∂x_c = w_c·(σ(x_c) − y_c)/C
//
// The class dimension is the last; the per-sample loss has the input's
// shape without it. The terms are evaluated literally, so y = 0 at
// x = −Inf gives 0·(−Inf) = NaN as in PyTorch. The gradient follows the
// chain PyTorch's autograd takes through logsigmoid's backward,
// (x < 0 ? 1 − b/(1+b) : b/(1+b)) with b = exp(−|x|).
//
// PyTorch broadcasts target and weight against the input but then sums
// over dimension input.dim()−1 of the broadcast result; when that result
// is larger than the input, that is a dimension other than the classes,
// and the numbers are meaningless. Such shapes are refused.
func computeMultiLabelSoftMargin(c *Call, r *Result) error {
	x, y, w := c.Input("input"), c.Input("target"), c.Tensor("weight")
	if x.Dim() == 0 {
		return errorf("input", "expected at least 1 dimension (the classes), got a 0-d tensor")
	}
	iy, err := mlsmIndex(x, y, "target")
	if err != nil {
		return err
	}
	var iw mlsmBroadcast
	if w != nil {
		if iw, err = mlsmIndex(x, w, "params.weight"); err != nil {
			return err
		}
	}
	C := x.Shape[x.Dim()-1]
	out := x.Shape[:x.Dim()-1]
	el := r.SetElements(out...).Data
	gx := r.Grad("input", x.Shape...).Data
	// The upstream gradient of a sample, g/N for 'mean', is divided by C
	// and scaled by the weight before it meets the two logsigmoids.
	gc := 1 / float64(C)
	if c.Reduction() == ReductionMean {
		gc = 1 / float64(len(el)) / float64(C)
	}
	job := mlsmRows{x: x.Data, y: y.Data, gx: gx, el: el, iy: iy, iw: iw, C: C, gc: gc}
	if w != nil {
		job.w = w.Data
	}
	// The samples are independent: large inputs are split across the cores.
	if parts := parallelParts(len(el), C); parts == 1 {
		job.rows(0, len(el))
	} else {
		pj := job // only this copy escapes to the goroutines
		parallelSplit(parts, len(el), func(_, lo, hi int) { pj.rows(lo, hi) })
	}
	r.Reduce(c.Reduction(), float64(len(el)))
	if c.Detail {
		s := NewTensor(x.Shape...)
		for i, v := range x.Data {
			s.Data[i] = Sigmoid(v)
		}
		r.Detail["sigmoid"] = s
	}
	return nil
}

// mlsmRows is the per-sample work of MultiLabelSoftMarginLoss: samples
// [lo, hi) of the loss and their gradient, the gradient factor gc already
// scaled for the reduction and divided by C.
type mlsmRows struct {
	x, y, w, gx, el []float64
	iy, iw          mlsmBroadcast
	C               int
	gc              float64
}

func (mr *mlsmRows) rows(lo, hi int) {
	for n := lo; n < hi; n++ {
		sum := 0.0
		for j := range mr.C {
			k := n*mr.C + j
			xv, yv := mr.x[k], mr.y[mr.iy.At(k)]
			// log σ(±x) = min(±x, 0) − log1p(b) and their derivatives
			// share b = exp(−|x|), as in PyTorch's logsigmoid kernels.
			b := fastExp(-math.Abs(xv))
			l1p := fastLog1p(b)
			q := b / (1 + b)
			e := -(yv*(min(xv, 0)-l1p) + (1-yv)*(min(-xv, 0)-l1p))
			g := mr.gc
			if mr.w != nil {
				wv := mr.w[mr.iw.At(k)]
				e *= wv
				g *= wv
			}
			sum += e
			g = -g
			mr.gx[k] = (g*yv)*mlsmLogSigmoidGrad(xv, q) - (g*(1-yv))*mlsmLogSigmoidGrad(-xv, q)
		}
		mr.el[n] = sum / float64(mr.C)
	}
}

// mlsmLogSigmoidGrad is d log σ(x)/dx as PyTorch's log_sigmoid_backward
// computes it from q = b/(1 + b), b = exp(−|x|): 1 − q for x < 0, else q.
func mlsmLogSigmoidGrad(x, q float64) float64 {
	if x < 0 {
		return 1 - q
	}
	return q
}

// mlsmBroadcast maps each input element to the element of a tensor
// broadcast onto the input: the identity, a repeating suffix (a weight of
// length C), or an explicit index.
type mlsmBroadcast struct {
	mod int   // > 0: element k reads k % mod
	idx []int // otherwise, when non-nil: element k reads idx[k]
}

func (b *mlsmBroadcast) At(k int) int {
	switch {
	case b.mod > 0:
		return k % b.mod
	case b.idx != nil:
		return b.idx[k]
	}
	return k
}

// mlsmIndex returns how t broadcasts onto the input x. t must broadcast to
// exactly the input's shape.
func mlsmIndex(x, t *Tensor, field string) (mlsmBroadcast, error) {
	if slices.Equal(x.Shape, t.Shape) {
		return mlsmBroadcast{}, nil
	}
	shape, err := BroadcastShapes(x.Shape, t.Shape)
	if err != nil || !slices.Equal(shape, x.Shape) {
		return mlsmBroadcast{}, errorf(field, "shape %s must broadcast to the input's shape %s", shapeString(t.Shape), shapeString(x.Shape))
	}
	core := t.Shape
	for len(core) > 0 && core[0] == 1 {
		core = core[1:]
	}
	if len(core) > 0 && slices.Equal(core, x.Shape[len(x.Shape)-len(core):]) {
		return mlsmBroadcast{mod: t.Numel()}, nil
	}
	return mlsmBroadcast{idx: BroadcastIndex(t.Shape, x.Shape)}, nil
}

// randomMultiLabelSoftMargin returns normal logits and 0/1 labels.
func randomMultiLabelSoftMargin(rng *rand.Rand, s Scale) map[string]*Tensor {
	n, c := clsScaleShape(s)
	y := NewTensor(n, c)
	for i := range y.Data {
		y.Data[i] = float64(rng.IntN(2))
	}
	return map[string]*Tensor{"input": RandN(rng, n, c), "target": y}
}
