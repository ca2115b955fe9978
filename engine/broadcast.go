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

// Run runs body over the output elements, [0, Numel()): split across the
// cores when the first operand is not broadcast, since each element then
// writes only its own gradient, and in one goroutine when it is, since the
// gradient of a broadcast operand accumulates.
func (p *pair) Run(body func(lo, hi int)) {
	if p.ia != nil {
		body(0, p.Numel())
		return
	}
	parallelFor(p.Numel(), 1, body)
}

// Numel is the number of output elements.
func (p *pair) Numel() int { return Numel(p.Shape) }
