// Package engine is the numerical core of Loss Playground: float64 tensors,
// the registry of PyTorch 1.13 loss functions, and their values and gradients
// reproduced exactly as PyTorch computes them. It knows nothing of HTTP.
package engine

import (
	"fmt"
	"slices"
	"strconv"
)

// Tensor is a dense row-major float64 tensor. A 0-d tensor has an empty
// Shape and one element. Integer tensors (class indices, lengths) are stored
// as float64 holding whole numbers.
type Tensor struct {
	Shape []int
	Data  []float64
}

// NewTensor returns a zeroed tensor of the given shape.
func NewTensor(shape ...int) *Tensor {
	return &Tensor{Shape: slices.Clone(shape), Data: make([]float64, Numel(shape))}
}

// Scalar returns a 0-d tensor holding v.
func Scalar(v float64) *Tensor { return &Tensor{Shape: []int{}, Data: []float64{v}} }

// Numel is the number of elements of a tensor of the given shape.
func Numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// checkShape reports a shape with a negative size, or one that does not
// hold exactly len(t.Data) elements: a Tensor built by hand and given to
// NewCall may be either, and a loss would index out of range on it.
func (t *Tensor) checkShape() error {
	for _, d := range t.Shape {
		if d < 0 {
			return fmt.Errorf("shape %s has a negative size", shapeString(t.Shape))
		}
	}
	if n := Numel(t.Shape); n != len(t.Data) {
		return fmt.Errorf("shape %s needs %d values, got %d", shapeString(t.Shape), n, len(t.Data))
	}
	return nil
}

// Dim is the number of dimensions.
func (t *Tensor) Dim() int { return len(t.Shape) }

// Numel is the number of elements.
func (t *Tensor) Numel() int { return len(t.Data) }

// Size returns the size of dimension d; negative d counts from the end.
func (t *Tensor) Size(d int) int {
	if d < 0 {
		d += len(t.Shape)
	}
	return t.Shape[d]
}

// Reuse returns a tensor with the given shape, reusing t's storage when it
// is large enough, so that repeated calls on a slider drag do not allocate.
// The contents are zeroed.
func (t *Tensor) Reuse(shape ...int) *Tensor {
	n := Numel(shape)
	if t == nil {
		return NewTensor(shape...)
	}
	t.Shape = append(t.Shape[:0], shape...)
	if cap(t.Data) >= n {
		t.Data = t.Data[:n]
		clear(t.Data)
	} else {
		t.Data = make([]float64, n)
	}
	return t
}

// BroadcastShapes returns the shape that a and b broadcast to under
// PyTorch's (NumPy's) rules: trailing dimensions are aligned, and a
// dimension of size 1 stretches to the other.
func BroadcastShapes(a, b []int) ([]int, error) {
	if slices.Equal(a, b) {
		return a, nil // the common case allocates nothing
	}
	n := max(len(a), len(b))
	out := make([]int, n)
	for i := range n {
		da, db := 1, 1
		if j := len(a) - n + i; j >= 0 {
			da = a[j]
		}
		if j := len(b) - n + i; j >= 0 {
			db = b[j]
		}
		switch {
		case da == db, db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			return nil, fmt.Errorf("the size of tensor a (%d) must match the size of tensor b (%d) at non-singleton dimension %d", da, db, i)
		}
	}
	return out, nil
}

// BroadcastIndex maps each flat index of a tensor of shape out to the flat
// index of the element of a tensor of shape in that broadcasts onto it.
// It returns nil when in equals out (the identity), so callers can keep a
// fast path for the common same-shape case. in must broadcast to out.
func BroadcastIndex(in, out []int) []int {
	if slices.Equal(in, out) {
		return nil
	}
	n := Numel(out)
	idx := make([]int, n)
	// stride of each output dimension in the input, 0 where broadcast.
	strides := make([]int, len(out))
	s := 1
	for i := len(out) - 1; i >= 0; i-- {
		j := len(in) - len(out) + i
		if j >= 0 && in[j] != 1 {
			strides[i] = s
		}
		if j >= 0 {
			s *= in[j]
		}
	}
	counter := make([]int, len(out))
	off := 0
	for k := range n {
		idx[k] = off
		for d := len(out) - 1; d >= 0; d-- {
			counter[d]++
			off += strides[d]
			if counter[d] < out[d] {
				break
			}
			off -= strides[d] * counter[d]
			counter[d] = 0
		}
	}
	return idx
}

// shapeString formats a shape the way PyTorch prints sizes, e.g. [2, 3].
func shapeString(s []int) string {
	b := []byte{'['}
	for i, d := range s {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = strconv.AppendInt(b, int64(d), 10)
	}
	return string(append(b, ']'))
}
