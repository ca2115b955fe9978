package engine

import "math"

// The float32 kernels of PoissonNLLLoss, GaussianNLLLoss, KLDivLoss,
// BCELoss and BCEWithLogitsLoss, each in the operation order of ATen's
// float kernel (Loss.cpp) or of the Python function torch.nn.functional
// evaluates, so that overflow, underflow and the clamps happen where
// PyTorch's float32 has them.

func init() {
	registerFloat32("PoissonNLLLoss", poissonNLLF32)
	registerFloat32("GaussianNLLLoss", gaussianNLLF32)
	registerFloat32("KLDivLoss", klDivF32)
	registerFloat32("BCELoss", bceF32)
	registerFloat32("BCEWithLogitsLoss", bceWithLogitsF32)
}

// poissonNLLF32: exp(x) − y·x (log_input) overflows to +Inf from
// x ≈ 88.72 (float64: 709.78), and so does its gradient exp(x) − y;
// x − y·log(x + eps) with eps rounded to float32 (1e-8 stays 1e-8, 1e-50
// is 0).
func poissonNLLF32(c *Call, r *Result) {
	logInput, full := c.Bool("log_input"), c.Bool("full")
	eps := float32(c.Float("eps"))
	twoPi := float32(2 * math.Pi)
	pointwise32(c, r, float64(r.Elements.Numel()), func(x, y, s float32) (float32, float32) {
		var l, g float32
		if logInput {
			e := exp32(x)
			l, g = e-y*x, s*e-s*y
		} else {
			l, g = x-y*log32(x+eps), s+(-s*y)/(x+eps)
		}
		if full && !(y <= 1) {
			l += y*log32(y) - y + 0.5*log32(twoPi*y)
		}
		return l, g
	})
}

// klDivF32: xlogy(y, y) − y·x, or exp(y)·(y − x) with log_target, in
// float32: exp(y) overflows from y ≈ 88.72.
func klDivF32(c *Call, r *Result) {
	x := c.Input("input")
	denom := float64(r.Elements.Numel())
	if c.Reduction() == ReductionBatchMean {
		denom = 1
		if x.Dim() > 0 {
			denom = float64(x.Shape[0])
		}
	}
	logTarget := c.Bool("log_target")
	pointwise32(c, r, denom, func(x, y, s float32) (float32, float32) {
		if logTarget {
			e := exp32(y)
			return e * (y - x), -e * s
		}
		var xlogy float32
		if y != 0 {
			xlogy = y * log32(y)
		}
		return xlogy - y*x, -y * s
	})
}

// bceF32 follows ATen's float kernel:
//
//	ℓ = (y − 1)·max(log(1 − x), −100) − y·max(log x, −100)
//	∂ℓ/∂x = (x − y) / max((1 − x)·x, 1e-12)
//
// In float32 an input within 3·10⁻⁸ of 1 is exactly 1 (σ(z) is, from
// z ≈ 16.64): log(1 − x) is −Inf, clamped to −100, so the loss is 100·(1 −
// y) and the gradient (1 − y)·10¹², where float64 still has the true
// values.
func bceF32(c *Call, r *Result) {
	x, y, w := c.Input("input"), c.Input("target"), c.Tensor("weight")
	el, gx := r.Elements.Data, r.Grads["input"].Data
	iw := bceWeightIndex(w, x.Shape)
	s := gradScale32(c.Reduction(), float64(len(el)))
	for k := range el {
		xv, yv := float32(x.Data[k]), float32(y.Data[k])
		l := (yv-1)*max32(log32(1-xv), -100) - yv*max32(log32(xv), -100)
		g := s * (xv - yv) / max32((1-xv)*xv, float32(f32Eps12))
		if w != nil {
			wv := float32(w.Data[iw(k)])
			l, g = l*wv, g*wv
		}
		el[k], gx[k] = float64(l), float64(g)
	}
	r.reduce32(c.Reduction(), float64(len(el)))
}

// bceWithLogitsF32 follows ATen's float binary_cross_entropy_with_logits:
//
//	m = max(−x, 0)
//	ℓ = (1 − y)·x + m + log(exp(−m) + exp(−x − m))       (no pos_weight)
//	ℓ = (1 − y)·x + (1 + (p − 1)·y)·(log(exp(−m) + exp(−x − m)) + m)
//	∂ℓ/∂x = σ(x) − y,  or ((p·y + 1 − y)·σ(x) − p·y), then ÷ n for a mean
//
// In float32 the log term is log(1 + e) with e = exp(−|x|) < 6·10⁻⁸ lost
// from |x| ≈ 16.6, so the loss of a confident right answer is exactly 0
// and σ(x) is exactly 1 (gradient σ − y exactly 0 for y = 1); float64
// keeps both until |x| ≈ 36.7.
func bceWithLogitsF32(c *Call, r *Result) {
	x, y := c.Input("input"), c.Input("target")
	w, pw := c.Tensor("weight"), c.Tensor("pos_weight")
	el, gx := r.Elements.Data, r.Grads["input"].Data
	iw, ip := bceWeightIndex(w, x.Shape), bceWeightIndex(pw, x.Shape)
	red := c.Reduction()
	n := float32(len(el))
	for k := range el {
		xv, yv := float32(x.Data[k]), float32(y.Data[k])
		m := max32(-xv, 0)
		lg := log32(exp32(-m) + exp32(-xv-m))
		sig := sigmoid32(xv)
		var l, g float32
		if pw == nil {
			l = (1-yv)*xv + m + lg
			g = sig - yv
		} else {
			p := float32(pw.Data[ip(k)])
			l = (1-yv)*xv + ((p-1)*yv+1)*(lg+m)
			t := p * yv
			g = (t+1-yv)*sig - t
		}
		if w != nil {
			wv := float32(w.Data[iw(k)])
			l, g = l*wv, g*wv
		}
		if red == ReductionMean {
			g /= n
		}
		el[k], gx[k] = float64(l), float64(g)
	}
	r.reduce32(red, float64(len(el)))
}

// bceWeightIndex maps an element of the input to the element of a weight
// broadcast onto it (identity for nil).
func bceWeightIndex(w *Tensor, shape []int) func(k int) int {
	if w == nil {
		return func(k int) int { return k }
	}
	idx := BroadcastIndex(w.Shape, shape)
	if idx == nil {
		return func(k int) int { return k }
	}
	return func(k int) int { return idx[k] }
}

// gaussianNLLF32 follows torch.nn.functional.gaussian_nll_loss in float32:
// var.clamp_(min=eps) (eps rounded to float32, outside autograd), then
//
//	ℓ = 0.5·(log v + (x − y)²/v) [+ 0.5·log 2π]
//	∂ℓ/∂x = (0.5/v)·2(x − y),  ∂ℓ/∂v = 0.5/v − 0.5·(x − y)²/(v·v)
//
// (x − y)² overflows from |x − y| ≈ 1.84·10¹⁹, and v·v underflows to 0 below
// v ≈ 10⁻²³ (the default eps 1e-6 keeps it away), giving an infinite
// variance gradient where float64's is finite.
func gaussianNLLF32(c *Call, r *Result) {
	x, y, vr := c.Input("input"), c.Input("target"), c.Input("var")
	full := c.Bool("full")
	eps := float32(c.Float("eps"))
	vshape, _ := gaussianNLLVarShape(x.Shape, vr.Shape)
	shape := r.Elements.Shape
	ix, iy, iv := BroadcastIndex(x.Shape, shape), BroadcastIndex(y.Shape, shape), BroadcastIndex(vshape, shape)
	at := func(idx []int, k int) int {
		if idx == nil {
			return k
		}
		return idx[k]
	}
	el, gx, gv := r.Elements.Data, r.Grads["input"].Data, r.Grads["var"].Data
	clear(gx)
	clear(gv)
	h := 0.5 * gradScale32(c.Reduction(), float64(len(el)))
	add := float32(gaussianNLLHalfLog2Pi)
	for k := range el {
		i, j, m := at(ix, k), at(iy, k), at(iv, k)
		v := max32(float32(vr.Data[m]), eps)
		d := float32(x.Data[i]) - float32(y.Data[j])
		q := d * d
		l := 0.5 * (log32(v) + q/v)
		if full {
			l += add
		}
		el[k] = float64(l)
		gx[i] = float64(float32(gx[i]) + h/v*(2*d))
		gv[m] = float64(float32(gv[m]) + (h/v + -h*q/(v*v)))
	}
	r.reduce32(c.Reduction(), float64(len(el)))
}
