package engine

import (
	"math"
	"math/bits"
	"slices"
)

// DType is the floating-point type a computation runs in, as PyTorch's
// torch.float64 and torch.float32.
type DType uint8

// The dtypes. Float64 is the zero value: a Call computes in float64 unless
// told otherwise.
const (
	Float64 DType = iota
	Float32
)

// DTypeNames lists the dtypes in the order the pages offer them.
var DTypeNames = []string{"float64", "float32"}

func (d DType) String() string { return DTypeNames[d] }

// ParseDType parses "float64" or "float32". Anything else is an *Error
// naming the field dtype.
func ParseDType(s string) (DType, error) {
	switch s {
	case "float64":
		return Float64, nil
	case "float32":
		return Float32, nil
	}
	return 0, errorf("dtype", "%q is not a valid value (expected one of %s)", excerpt(s), quoteAll(DTypeNames))
}

// kernels32 holds each loss's float32 kernel, by class name. A kernel runs
// after the loss's float64 Compute has validated the call and shaped the
// Result's buffers, and overwrites every number in them (Loss, Elements,
// Grads) with what PyTorch computes in float32. Keeping the kernels apart
// from Spec.Compute leaves each loss's validation in one place.
var kernels32 = map[string]func(c *Call, r *Result){}

// registerFloat32 adds the float32 kernel of the loss named name.
func registerFloat32(name string, k func(c *Call, r *Result)) {
	if _, dup := kernels32[name]; dup {
		panic("engine: duplicate float32 kernel for " + name)
	}
	kernels32[name] = k
}

// DTypes returns the dtypes the loss computes in.
func (s *Spec) DTypes() []string {
	if _, ok := kernels32[s.Name]; ok {
		return DTypeNames
	}
	return DTypeNames[:1]
}

// DType returns the dtype the call computes in.
func (c *Call) DType() DType { return c.dtype }

// SetDType makes the call compute in d. In Float32 every computation
// first rounds each floating input and tensor parameter to float32, as
// torch.tensor(values, dtype=torch.float32) does (a value beyond float32's
// range becomes ±Inf); integer inputs (class indices, lengths) are kept.
// The caller's tensors are never modified, and a caller that changes them
// between computations (a chart's sweep) is seen. It returns an *Error for
// a dtype the loss has no kernel for.
func (c *Call) SetDType(d DType) error {
	if d == Float32 {
		if _, ok := kernels32[c.Spec.Name]; !ok {
			return errorf("dtype", "%s computes in float64 only", c.Spec.Name)
		}
	}
	c.dtype = d
	return nil
}

// useRounded32 swaps the call's floating inputs and tensor parameters for
// float32-rounded copies (in buffers the call keeps), and returns the
// function that swaps the originals back.
func (c *Call) useRounded32() (restore func()) {
	c.saved32.inputs = append(c.saved32.inputs[:0], c.inputs...)
	c.saved32.params = append(c.saved32.params[:0], c.params...)
	if c.buf32 == nil {
		c.buf32 = make([]*Tensor, len(c.inputs)+len(c.params))
	}
	for i := range c.Spec.Inputs {
		if !c.Spec.Inputs[i].Integer {
			c.buf32[i] = roundTensor32(c.buf32[i], c.inputs[i])
			c.inputs[i] = c.buf32[i]
		}
	}
	for i := range c.params {
		if t := c.params[i].tensor; t != nil {
			j := len(c.inputs) + i
			c.buf32[j] = roundTensor32(c.buf32[j], t)
			c.params[i].tensor = c.buf32[j]
		}
	}
	return c.restore32
}

// restore32 puts back what useRounded32 saved. A method value, not a
// closure: a slider event allocates nothing for it.
func (c *Call) restore32() {
	copy(c.inputs, c.saved32.inputs)
	copy(c.params, c.saved32.params)
}

// roundTensor32 returns t with every element rounded to float32, in buf's
// storage when it is large enough.
func roundTensor32(buf, t *Tensor) *Tensor {
	buf = buf.Reuse(t.Shape...)
	for i, v := range t.Data {
		buf.Data[i] = float64(float32(v))
	}
	return buf
}

// compute32 runs the float32 kernel after the float64 pass, and rounds the
// detail the float64 pass left (probabilities, margins) to float32 so that
// everything a page shows is in one dtype.
func (c *Call) compute32(r *Result) {
	kernels32[c.Spec.Name](c, r)
	for k, v := range r.Detail {
		switch v := v.(type) {
		case *Tensor:
			for i, x := range v.Data {
				v.Data[i] = float64(float32(x))
			}
		case Float:
			r.Detail[k] = Float(float32(v))
		case float64:
			r.Detail[k] = float64(float32(v))
		}
	}
}

// Float32 arithmetic. Go's float32 operations are IEEE single precision,
// as ATen's float kernels are; the transcendental functions are evaluated
// in float64 (fastmath.go's, within 1e-15 of the true value) and rounded
// once, which is within an ulp of ATen's (SLEEF's
// or libm's) float versions and, above all, overflows and underflows
// where they do: exp32 is +Inf from 88.72284, where float64's exp is
// still 3.4·10³⁸.

func exp32(x float32) float32 { return float32(fastExp(float64(x))) }
func log32(x float32) float32 { return float32(fastLog(float64(x))) }

func log1p32(x float32) float32 {
	if x >= 0 {
		return float32(fastLog1p(float64(x)))
	}
	return float32(math.Log1p(float64(x)))
}
func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }
func abs32(x float32) float32  { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }
func pow32(x, y float32) float32 {
	return float32(math.Pow(float64(x), float64(y)))
}
func isNaN32(x float32) bool { return x != x }

// max32 and min32 propagate NaN, as torch.max/min and clamp do.
func max32(a, b float32) float32 {
	if isNaN32(a) || a > b {
		return a
	}
	return b
}

func min32(a, b float32) float32 {
	if isNaN32(a) || a < b {
		return a
	}
	return b
}

// sign32 is ATen's sign: (0 < x) − (x < 0).
func sign32(x float32) float32 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// sigmoid32 is ATen's float sigmoid, 1/(1 + exp(−x)): from x ≈ 16.64 it
// rounds to exactly 1.
func sigmoid32(x float32) float32 { return 1 / (1 + exp32(-x)) }

// vecLanes is the width of ATen's Vectorized<float> in the CPU build the
// fixtures come from (AVX2: 8 floats), which fixes the order of its sums.
const vecLanes = 8

// sum32 adds float32 values (held in float64) in the order ATen's CPU sum
// kernel (SumKernel.cpp, vectorized_inner_sum) uses for a contiguous
// float tensor: the elements of each of vecLanes lanes and of 4
// interleaved vectors are summed in a 4-level cascade of float32
// accumulators, then the 4 vectors are added, then the leftover scalars
// from the left, then the lanes in order. A running float32 total loses
// small terms once it grows large (a million ones sum to 16777216); the
// cascade does not.
func sum32(xs []float64) float32 {
	const ilp = 4
	vecSize := len(xs) / vecLanes
	sizeILP := vecSize / ilp
	var partial [ilp][vecLanes]float32
	if sizeILP > 0 {
		partial = multiRowSum32(xs, sizeILP)
	}
	for v := sizeILP * ilp; v < vecSize; v++ {
		for l := range vecLanes {
			partial[0][l] += float32(xs[v*vecLanes+l])
		}
	}
	for k := 1; k < ilp; k++ {
		for l := range vecLanes {
			partial[0][l] += partial[k][l]
		}
	}
	var acc float32
	for _, x := range xs[vecSize*vecLanes:] {
		acc += float32(x)
	}
	for l := range vecLanes {
		acc += partial[0][l]
	}
	return acc
}

// multiRowSum32 is ATen's multi_row_sum over rows of 4 vectors: row i
// holds vectors 4i … 4i+3.
func multiRowSum32(xs []float64, size int) [4][vecLanes]float32 {
	const (
		ilp       = 4
		numLevels = 4
	)
	levelPower := max(4, ceilLog2(size)/numLevels)
	levelStep := 1 << levelPower
	levelMask := levelStep - 1
	var acc [numLevels][ilp][vecLanes]float32
	load := func(i int) {
		base := i * ilp * vecLanes
		for k := range ilp {
			for l := range vecLanes {
				acc[0][k][l] += float32(xs[base+k*vecLanes+l])
			}
		}
	}
	i := 0
	for i+levelStep <= size {
		for range levelStep {
			load(i)
			i++
		}
		for j := 1; j < numLevels; j++ {
			for k := range ilp {
				for l := range vecLanes {
					acc[j][k][l] += acc[j-1][k][l]
					acc[j-1][k][l] = 0
				}
			}
			if i&(levelMask<<(j*levelPower)) != 0 {
				break
			}
		}
	}
	for ; i < size; i++ {
		load(i)
	}
	for j := 1; j < numLevels; j++ {
		for k := range ilp {
			for l := range vecLanes {
				acc[0][k][l] += acc[j][k][l]
			}
		}
	}
	return acc[0]
}

// ceilLog2 is ATen's utils::CeilLog2.
func ceilLog2(x int) int {
	if x <= 2 {
		return 1
	}
	return bits.Len64(uint64(x - 1))
}

// reduce32 is Result.Reduce in float32: the sum in ATen's order, and the
// mean as that sum divided by denom in float32 (ATen's CPU mean is
// sum().div_(n)). It returns the float32 gradient factor, 1/denom for a
// mean, as autograd's mean backward computes it.
func (r *Result) reduce32(red Reduction, denom float64) float32 {
	el := r.Elements
	switch red {
	case ReductionNone:
		copy(r.SetLoss(el.Shape...).Data, el.Data)
		return 1
	case ReductionSum:
		r.SetScalar(float64(sum32(el.Data)))
		return 1
	}
	r.SetScalar(float64(sum32(el.Data) / float32(denom)))
	return 1 / float32(denom)
}

// gradScale32 is gradScale in float32.
func gradScale32(red Reduction, denom float64) float32 {
	if red == ReductionMean || red == ReductionBatchMean {
		return 1 / float32(denom)
	}
	return 1
}

// pointwise32 is the float32 loop of the elementwise losses of input and
// target: term gets one broadcast pair and the reduction's gradient factor
// s, and returns the element's loss and its gradient with respect to the
// input; a broadcast input's gradient is summed in float32, as autograd's
// sum_to does. It then reduces with denominator denom.
func pointwise32(c *Call, r *Result, denom float64, term func(x, y, s float32) (l, g float32)) {
	x, y := c.Input("input"), c.Input("target")
	b, _ := broadcastPair(x, y, "input", "target") // the float64 pass checked it
	el := r.Elements.Data
	gx := r.Grads["input"].Data
	clear(gx)
	s := gradScale32(c.Reduction(), denom)
	for k := range el {
		i, j := b.A(k), b.B(k)
		l, g := term(float32(x.Data[i]), float32(y.Data[j]), s)
		el[k] = float64(l)
		gx[i] = float64(float32(gx[i]) + g)
	}
	r.reduce32(c.Reduction(), denom)
}

// rounded32 is the float32 kernel of a loss whose float64 result, computed
// from the float32-rounded inputs and rounded to float32, is what ATen's
// float kernel gives within float32 rounding (the fixtures check it, NaN
// and infinities included; rounded_f32.go says per loss why): nothing in
// these losses overflows, cancels or saturates in float32 that does not in
// float64 once the inputs are float32.
func rounded32(c *Call, r *Result) {
	for _, t := range []*Tensor{r.Elements} {
		for i, v := range t.Data {
			t.Data[i] = float64(float32(v))
		}
	}
	for _, g := range r.Grads {
		for i, v := range g.Data {
			g.Data[i] = float64(float32(v))
		}
	}
	for i, v := range r.Loss.Data {
		r.Loss.Data[i] = float64(float32(v))
	}
}

// Float64Twin returns the call computed in float64 on the call's inputs
// rounded to float32: what a float32 result is compared with to see where
// float32 parts from float64 (an overflow, a clamp reached by rounding, a
// cancellation), with the rounding of the inputs themselves left out. For
// a float64 call it returns c.
func (c *Call) Float64Twin() *Call {
	if c.dtype != Float32 {
		return c
	}
	t := &Call{Spec: c.Spec, Detail: false, params: slices.Clone(c.params), inputs: make([]*Tensor, len(c.inputs))}
	for i, in := range c.inputs {
		if c.Spec.Inputs[i].Integer {
			t.inputs[i] = in
		} else {
			t.inputs[i] = roundTensor32(nil, in)
		}
	}
	for i := range t.params {
		if pt := t.params[i].tensor; pt != nil {
			t.params[i].tensor = roundTensor32(nil, pt)
		}
	}
	return t
}
