package engine

// pair is the broadcast geometry of two operands of an elementwise loss.
type pair struct {
	Shape  []int // the broadcast shape (the shape of the 'none' output)
	ia, ib []int // flat index into each operand per output element; nil = identity
}

// broadcastPair broadcasts a and b, naming the fields in the error.
func broadcastPair(a, b *Tensor, fieldA, fieldB string) (pair, error) {
	shape, err := BroadcastShapes(a.Shape, b.Shape)
	if err != nil {
		return pair{}, errorf(fieldB, "shape %s does not broadcast with %s shape %s: %v", shapeString(b.Shape), fieldA, shapeString(a.Shape), err)
	}
	return pair{Shape: shape, ia: BroadcastIndex(a.Shape, shape), ib: BroadcastIndex(b.Shape, shape)}, nil
}

// A returns the index into the first operand of output element k.
func (p *pair) A(k int) int {
	if p.ia == nil {
		return k
	}
	return p.ia[k]
}

// B returns the index into the second operand of output element k.
func (p *pair) B(k int) int {
	if p.ib == nil {
		return k
	}
	return p.ib[k]
}

// Serial reports whether a loop over the output elements runs on the
// calling goroutine: when the first operand is broadcast, since its gradient
// accumulates, or when the work is too small to split (parallelParts). A loss
// calls its kernel directly then and builds the closure for parallelFor only
// otherwise: a closure handed to parallelFor escapes, and would be allocated
// on every slider event even when it ran inline.
func (p *pair) Serial() bool {
	return p.ia != nil || parallelParts(p.Numel(), 1) == 1
}

// Numel is the number of output elements.
func (p *pair) Numel() int { return Numel(p.Shape) }
