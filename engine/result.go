package engine

import (
	"context"
	"fmt"
)

// Reduction is PyTorch's reduction argument.
type Reduction uint8

// Reductions.
const (
	ReductionMean Reduction = iota
	ReductionSum
	ReductionNone
	ReductionBatchMean // KLDivLoss only
)

func (r Reduction) String() string {
	return [...]string{"mean", "sum", "none", "batchmean"}[r]
}

func parseReduction(s string) (Reduction, bool) {
	switch s {
	case "mean":
		return ReductionMean, true
	case "sum":
		return ReductionSum, true
	case "none":
		return ReductionNone, true
	case "batchmean":
		return ReductionBatchMean, true
	}
	return 0, false
}

// ReductionParam is the reduction argument most losses take.
func ReductionParam() Param {
	return Param{Name: "reduction", Kind: KindEnum, Default: "mean", Values: []string{"none", "mean", "sum"},
		Doc: "How per-element losses become the result: 'none' keeps them, 'sum' adds them, 'mean' averages them."}
}

// Result is the output of a loss: the loss (0-d unless reduction is
// 'none'), the gradient of loss.sum() with respect to every differentiable
// input, and optional detail for the pages. A Result may be passed to
// Compute again: its buffers are reused.
type Result struct {
	Loss *Tensor
	// Elements is what reduction 'none' returns: the per-element (or
	// per-sample) losses, filled whatever the reduction.
	Elements *Tensor
	Grads    map[string]*Tensor
	// Detail holds what a page shows beyond loss and grads (documented in
	// Spec.DetailFields); nil unless Call.Detail is set.
	Detail map[string]any
}

// SetElements returns the per-element loss tensor with the given shape,
// zeroed.
func (r *Result) SetElements(shape ...int) *Tensor {
	r.Elements = r.Elements.Reuse(shape...)
	return r.Elements
}

// SetLoss returns the loss tensor with the given shape, zeroed.
func (r *Result) SetLoss(shape ...int) *Tensor {
	r.Loss = r.Loss.Reuse(shape...)
	return r.Loss
}

// SetScalar stores a 0-d loss.
func (r *Result) SetScalar(v float64) {
	r.Loss = r.Loss.Reuse()
	r.Loss.Data[0] = v
}

// Grad returns the gradient buffer for input name with the given shape,
// zeroed.
func (r *Result) Grad(name string, shape ...int) *Tensor {
	if r.Grads == nil {
		r.Grads = make(map[string]*Tensor, 3)
	}
	g := r.Grads[name].Reuse(shape...)
	r.Grads[name] = g
	return g
}

// Compute validates nothing further and evaluates the call into a fresh
// Result. Use ComputeInto to reuse buffers.
func (c *Call) Compute() (*Result, error) {
	r := &Result{}
	return r, c.ComputeInto(r)
}

// ComputeContext is ComputeInto that gives up when ctx is done: the losses
// whose work can grow beyond linear in their inputs (CTCLoss's lattice,
// MultiLabelMarginLoss's label pairs) check ctx every few thousand steps
// and return an error wrapping context.Cause(ctx); r then holds garbage.
// A computation that finishes is bit-identical to ComputeInto's.
func (c *Call) ComputeContext(ctx context.Context, r *Result) error {
	c.ctx = ctx
	defer func() { c.ctx = nil }()
	return c.ComputeInto(r)
}

// stop returns the channel that is closed when the running computation
// must give up, or nil (never ready) outside ComputeContext. A loss reads
// it once and polls it with canceled.
func (c *Call) stop() <-chan struct{} {
	if c.ctx == nil {
		return nil
	}
	return c.ctx.Done()
}

// canceled polls a stop channel without blocking: a non-blocking receive
// costs a few nanoseconds, so it can be polled once per lattice frame or
// label.
func canceled(stop <-chan struct{}) bool {
	select {
	case <-stop:
		return true
	default:
		return false
	}
}

// interrupted returns the error of a computation that gave up.
func (c *Call) interrupted() error {
	cause := context.Canceled
	if c.ctx != nil {
		cause = context.Cause(c.ctx)
	}
	return fmt.Errorf("engine: %s stopped early: %w", c.Spec.Name, cause)
}

// ComputeInto evaluates the call, reusing r's buffers.
func (c *Call) ComputeInto(r *Result) error {
	r.Detail = nil
	if c.Detail {
		r.Detail = map[string]any{}
	}
	if c.dtype == Float32 {
		defer c.useRounded32()()
	}
	if err := c.Spec.Compute(c, r); err != nil {
		return err
	}
	if c.dtype == Float32 {
		// The float64 pass validated the call and shaped r's buffers;
		// the float32 kernel recomputes every number in them.
		c.compute32(r)
	}
	if c.Detail {
		// Every loss's detail carries the unreduced terms.
		r.Detail["elements"] = r.Elements
	}
	return nil
}

// Reduce reduces r.Elements into r.Loss and returns the factor by which
// each per-element gradient must be scaled: 1 for 'none' and 'sum' (the
// upstream gradient of loss.sum() is 1), and 1/denom for 'mean' and
// 'batchmean'.
func (r *Result) Reduce(red Reduction, denom float64) float64 {
	el := r.Elements
	switch red {
	case ReductionNone:
		copy(r.SetLoss(el.Shape...).Data, el.Data)
		return 1
	case ReductionSum:
		r.SetScalar(Sum(el.Data))
		return 1
	}
	r.SetScalar(Sum(el.Data) / denom)
	return gradScale(red, denom)
}

// gradScale is the factor Reduce returns, known before the loss is
// computed: losses that scale each element's gradient inside their loop
// ask for it first.
func gradScale(red Reduction, denom float64) float64 {
	if red == ReductionMean || red == ReductionBatchMean {
		return 1 / denom
	}
	return 1
}

// Sum adds xs with pairwise summation, close to PyTorch's blocked sums and
// far more accurate than a running total on large tensors.
// A block is added with four independent accumulators: one running
// total would wait on the latency of every addition.
func Sum(xs []float64) float64 {
	const block = 128
	if len(xs) <= block {
		var s0, s1, s2, s3 float64
		i := 0
		for ; i+4 <= len(xs); i += 4 {
			s0 += xs[i]
			s1 += xs[i+1]
			s2 += xs[i+2]
			s3 += xs[i+3]
		}
		for ; i < len(xs); i++ {
			s0 += xs[i]
		}
		return (s0 + s1) + (s2 + s3)
	}
	h := len(xs) / 2
	return Sum(xs[:h]) + Sum(xs[h:])
}

// ScaleBy multiplies xs by f in place, skipping f == 1.
func ScaleBy(xs []float64, f float64) {
	if f == 1 {
		return
	}
	for i := range xs {
		xs[i] *= f
	}
}
