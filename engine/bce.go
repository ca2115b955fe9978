package engine

import (
	"math"
	"math/rand/v2"
	"slices"
)

func init() {
	Register(&Spec{
		Name:   "BCELoss",
		Slug:   "bce",
		Family: FamilyClassification,
		Summary: "Binary cross-entropy between predicted probabilities and targets: " +
			"the cost of saying p when the answer is 1 is −log p, and −log(1 − p) when it is 0.",
		Formula: `\ell_i = -w_i \bigl[ y_i \max(\log x_i, -100) + (1 - y_i) \max(\log(1 - x_i), -100) \bigr]`,
		Legacy:  true,
		Params: []Param{
			{Name: "weight", Kind: KindTensor, Default: nil, PerClass: true,
				Doc: "Optional rescaling weight per element, broadcast to the input's shape (a vector weighs each column)."},
			ReductionParam(),
		},
		Inputs: []InputSpec{
			{Name: "input", Role: RolePrediction, Differentiable: true,
				Doc:     "Predicted probabilities in [0, 1], any shape.",
				Example: []any{[]any{0.9, 0.2, 0.6}, []any{0.3, 0.8, 0.5}}},
			{Name: "target", Role: RoleTarget,
				Doc:     "Targets, usually 0 or 1 (probabilities are accepted), of the input's exact shape.",
				Example: []any{[]any{1.0, 0.0, 1.0}, []any{0.0, 1.0, 1.0}}},
		},
		DetailFields: map[string]string{
			"probability":        "The predicted probability p of class 1: the input itself.",
			"log_prob":           "max(log p, −100), the log term the loss uses where the target is 1.",
			"log_one_minus_prob": "max(log(1 − p), −100), the log term the loss uses where the target is 0.",
		},
		Compute: computeBCE,
		Random:  randomBCE,
	})
}

// bceLogClamp is the floor ATen puts under each log in the BCE forward, so
// that a confident wrong prediction costs at most 100 per term.
const bceLogClamp = -100

// computeBCE follows torch.nn.BCELoss (ATen binary_cross_entropy, CPU):
//
//	ℓ = w·[(y − 1)·max(log(1 − x), −100) − y·max(log x, −100)]
//
//	∂ℓ/∂x = w·(x − y) / max((1 − x)·x, f32(1e-12))
//
// The forward clamp and the backward clamp are different safeguards: the
// gradient is finite at x ∈ {0, 1} and not zero where the log is clamped.
// Every x must lie in [0, 1] (NaN fails too); the target is not checked.
// The target must have the input's exact shape. The weight is expanded to
// the target's shape, so it may broadcast up to it but not beyond. 'mean'
// divides by the number of elements, not the sum of the weights.
func computeBCE(c *Call, r *Result) error {
	x, y, w := c.Input("input"), c.Input("target"), c.Tensor("weight")
	if !slices.Equal(x.Shape, y.Shape) {
		return errorf("target", "size %s differs from the input size %s; BCELoss needs the same size",
			shapeString(y.Shape), shapeString(x.Shape))
	}
	if err := bceCheckBroadcast(w, x.Shape, "params.weight"); err != nil {
		return err
	}
	if i := bceOutOfRange(x.Data); i >= 0 {
		return errorf("input", "all elements of input should be between 0 and 1, got input[%d] = %g", i, x.Data[i])
	}
	el := r.SetElements(x.Shape...).Data
	gx := r.Grad("input", x.Shape...).Data
	red := c.Reduction()
	f := gradScale(red, float64(len(el)))
	xs, ys := x.Data, y.Data[:len(x.Data)]
	if parallelParts(len(xs), 1) == 1 {
		bceKernel(xs, ys, el, gx, f)
	} else {
		parallelFor(len(xs), 1, func(lo, hi int) { bceKernel(xs[lo:hi], ys[lo:hi], el[lo:hi], gx[lo:hi], f) })
	}
	if w != nil {
		bceBroadcastApply(el, x.Shape, w, true)
		bceBroadcastApply(gx, x.Shape, w, true)
	}
	r.Reduce(red, float64(len(el)))
	if c.Detail {
		lp, l1p := NewTensor(x.Shape...), NewTensor(x.Shape...)
		for k, xv := range x.Data {
			lp.Data[k] = max(fastLog(xv), bceLogClamp)
			l1p.Data[k] = max(fastLog(1-xv), bceLogClamp)
		}
		r.Detail["probability"] = x
		r.Detail["log_prob"], r.Detail["log_one_minus_prob"] = lp, l1p
	}
	return nil
}

// bceOutOfRange returns the index of the first element of xs outside
// [0, 1] (NaN included), or −1. A large input is scanned on every core: on
// one, the scan is a twentieth of the loss.
func bceOutOfRange(xs []float64) int {
	parts := parallelParts(len(xs), 1)
	if parts == 1 {
		return bceFirstOutOfRange(xs)
	}
	first := make([]int, parts)
	parallelSplit(parts, len(xs), func(p, lo, hi int) {
		first[p] = -1
		if i := bceFirstOutOfRange(xs[lo:hi]); i >= 0 {
			first[p] = lo + i
		}
	})
	for _, i := range first {
		if i >= 0 {
			return i
		}
	}
	return -1
}

// bceFirstOutOfRange is bceOutOfRange on one goroutine.
func bceFirstOutOfRange(xs []float64) int {
	for i, v := range xs {
		if !(v >= 0 && v <= 1) {
			return i
		}
	}
	return -1
}

// bceKernel is computeBCE's loop over elements of the same shape, which the
// compiler keeps free of index checks.
func bceKernel(xs, ys, el, gx []float64, f float64) {
	ys, el, gx = ys[:len(xs)], el[:len(xs)], gx[:len(xs)]
	const (
		minNormal = 0x0010000000000000
		posInf    = 0x7ff0000000000000
		off       = 0x3fe6a09e667f3bcd // fastLog's
	)
	for k, xv := range xs {
		yv := ys[k]
		var lx, l1x float64
		if ux, uy := math.Float64bits(xv), math.Float64bits(1-xv); ux-minNormal >= posInf-minNormal || uy-minNormal >= posInf-minNormal {
			lx, l1x = fastLog(xv), fastLog(1-xv) // 0, 1 or subnormal
		} else {
			// fastLog's normal path by hand, for both logs at once: the
			// calls cost more than the arithmetic, and the two chains
			// overlap. Every operation is fastLog's, so are the bits.
			tx, ty := ux-off, uy-off
			kx, ky := float64(int64(tx)>>52), float64(int64(ty)>>52)
			zx, zy := math.Float64frombits(ux-tx&(0xfff<<52)), math.Float64frombits(uy-ty&(0xfff<<52))
			ex, ey := &logTable[int((zx-1)*128+38.5)], &logTable[int((zy-1)*128+38.5)]
			rx, ry := (zx-ex.c)*ex.invC, (zy-ey.c)*ey.invC
			rx2, ry2 := rx*rx, ry*ry
			px := rx + rx2*(-1.0/2+rx*(1.0/3)) + rx2*rx2*((-1.0/4+rx*(1.0/5))+rx2*(-1.0/6+rx*(1.0/7)))
			py := ry + ry2*(-1.0/2+ry*(1.0/3)) + ry2*ry2*((-1.0/4+ry*(1.0/5))+ry2*(-1.0/6+ry*(1.0/7)))
			lx = kx*ln2Hi + ex.logC + (px + kx*ln2Lo)
			l1x = ky*ln2Hi + ey.logC + (py + ky*ln2Lo)
		}
		// x ∈ [0, 1], so neither log nor the denominator is NaN.
		el[k] = (yv-1)*max(l1x, bceLogClamp) - yv*max(lx, bceLogClamp)
		gx[k] = (xv - yv) / max((1-xv)*xv, f32Eps12) * f
	}
}

// bceCheckBroadcast reports an error naming field unless t (nil for None)
// broadcasts to exactly shape: PyTorch applies BCE weights and pos_weight
// in place on a tensor of the input's shape, so they cannot enlarge it.
func bceCheckBroadcast(t *Tensor, shape []int, field string) error {
	if t == nil {
		return nil
	}
	s, err := BroadcastShapes(shape, t.Shape)
	if err != nil {
		return errorf(field, "shape %s does not broadcast with the input shape %s: %v", shapeString(t.Shape), shapeString(shape), err)
	}
	if !slices.Equal(s, shape) {
		return errorf(field, "shape %s broadcasts the input shape %s up to %s; it must not be larger than the input",
			shapeString(t.Shape), shapeString(shape), shapeString(s))
	}
	return nil
}

// bceBroadcastApply broadcasts src to shape (the shape of dst, to which
// src must broadcast) and multiplies dst by it (mul) or copies it into dst.
// It allocates nothing per element: equal sizes and trailing-dimension
// vectors (a scalar, a per-column weight) index directly, anything else
// walks the shape with an odometer.
func bceBroadcastApply(dst []float64, shape []int, src *Tensor, mul bool) {
	s := src.Data
	m := len(s)
	if m == 0 || len(dst) == 0 {
		return
	}
	if m == len(dst) {
		// Same number of elements: src can only differ by leading 1s.
		if mul {
			for k := range dst {
				dst[k] *= s[k]
			}
		} else {
			copy(dst, s)
		}
		return
	}
	// Strip src's leading 1s; if the rest is a suffix of shape, src repeats
	// every m elements.
	ss := src.Shape
	for len(ss) > 0 && ss[0] == 1 {
		ss = ss[1:]
	}
	if len(ss) <= len(shape) && slices.Equal(ss, shape[len(shape)-len(ss):]) {
		for base := 0; base < len(dst); base += m {
			row := dst[base : base+m]
			if mul {
				for j := range row {
					row[j] *= s[j]
				}
			} else {
				copy(row, s)
			}
		}
		return
	}
	// General case: stride of each output dimension in src, 0 where src is
	// broadcast, and an odometer over the output.
	n := len(shape)
	strides := make([]int, n)
	counter := make([]int, n)
	stride := 1
	for i := n - 1; i >= 0; i-- {
		j := len(src.Shape) - n + i
		if j >= 0 && src.Shape[j] != 1 {
			strides[i] = stride
		}
		if j >= 0 {
			stride *= src.Shape[j]
		}
	}
	off := 0
	for k := range dst {
		if mul {
			dst[k] *= s[off]
		} else {
			dst[k] = s[off]
		}
		for d := n - 1; d >= 0; d-- {
			counter[d]++
			off += strides[d]
			if counter[d] < shape[d] {
				break
			}
			off -= strides[d] * counter[d]
			counter[d] = 0
		}
	}
}

// randomBCE returns probabilities in [0.05, 0.95), away from the clamps,
// and soft targets in [0, 1).
func randomBCE(rng *rand.Rand, s Scale) map[string]*Tensor {
	shape := scaleShape(s)
	return map[string]*Tensor{"input": RandU(rng, 0.05, 0.95, shape...), "target": RandU(rng, 0, 1, shape...)}
}
