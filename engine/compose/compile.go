package compose

import (
	"fmt"
	"slices"
	"strconv"
)

// Shape kinds of an instruction's value: which inputs it has the shape of.
// A value is a scalar (kind 0), has input's shape (1), target's (2), or
// their broadcast shape (3); an operation's kind is its operands' kinds
// or-ed, which is how broadcasting composes. A sum or mean is a scalar.
const (
	kindScalar = 0
	kindInput  = 1
	kindTarget = 2
	kindBoth   = 3
)

// instr is one compiled operation. Operands are indices of earlier
// instructions: the program is in evaluation order, and its last
// instruction is the formula's value.
type instr struct {
	op      op
	kind    uint8
	diff    bool // depends on input or target: has a gradient
	a, b, c int32
	val     float64 // opConst
	param   int32   // opParam: index in Formula.params
	pos     int32
}

// Param is a parameter a formula names, at its first use.
type Param struct {
	Name string
	Pos  int
}

// Formula is a compiled formula, safe for concurrent use.
type Formula struct {
	src    string
	code   []instr
	params []Param
	// reduces: the formula has a sum or mean.
	reduces bool
	root    *node
}

// Parse parses and compiles a formula. Its errors are *Error, naming the
// problem and its position.
func Parse(src string) (*Formula, error) {
	root, _, err := parse(src)
	if err != nil {
		return nil, err
	}
	f := &Formula{src: src, root: root}
	if err := f.check(root, false); err != nil {
		return nil, err
	}
	f.emit(root)
	return f, nil
}

// check enforces what the grammar does not: a comparison is a where's
// condition and nothing else, and a where's condition is a comparison.
func (f *Formula) check(n *node, asCondition bool) error {
	if n.isCompare() && !asCondition {
		return &Error{Pos: n.pos, Msg: "a comparison is only allowed as where's condition, as in where(input > 0, a, b)"}
	}
	if asCondition && !n.isCompare() {
		return &Error{Pos: n.pos, Msg: "where's condition must be a comparison such as input > 0"}
	}
	if n.op == opParam && !slices.ContainsFunc(f.params, func(p Param) bool { return p.Name == n.name }) {
		if len(f.params) == MaxParams {
			return &Error{Pos: n.pos, Msg: fmt.Sprintf("more than %d parameters", MaxParams)}
		}
		f.params = append(f.params, Param{Name: n.name, Pos: n.pos})
	}
	for i, a := range n.args {
		if err := f.check(a, n.op == opWhere && i == 0); err != nil {
			return err
		}
	}
	return nil
}

// emit appends n's instructions (operands first) and returns the index of
// its value.
func (f *Formula) emit(n *node) int32 {
	in := instr{op: n.op, val: n.val, pos: int32(n.pos), a: -1, b: -1, c: -1}
	args := make([]int32, len(n.args))
	for i, a := range n.args {
		args[i] = f.emit(a)
		in.kind |= f.code[args[i]].kind
		in.diff = in.diff || f.code[args[i]].diff
	}
	if len(args) > 0 {
		in.a = args[0]
	}
	if len(args) > 1 {
		in.b = args[1]
	}
	if len(args) > 2 {
		in.c = args[2]
	}
	switch n.op {
	case opInput:
		in.kind, in.diff = kindInput, true
	case opTarget:
		in.kind, in.diff = kindTarget, true
	case opParam:
		in.param = int32(slices.IndexFunc(f.params, func(p Param) bool { return p.Name == n.name }))
	case opSum, opMean:
		in.kind = kindScalar
		f.reduces = true
	}
	if n.isCompare() {
		in.diff = false // a condition carries no gradient
	}
	f.code = append(f.code, in)
	return int32(len(f.code) - 1)
}

// String returns the formula's text as given.
func (f *Formula) String() string { return f.src }

// Params lists the parameters the formula names, in order of first use.
func (f *Formula) Params() []Param { return slices.Clone(f.params) }

// Nodes is the number of instructions: the work of one evaluation is about
// Nodes × elements.
func (f *Formula) Nodes() int { return len(f.code) }

// Reduces reports whether the formula has a sum or mean.
func (f *Formula) Reduces() bool { return f.reduces }

// Scalar reports whether the formula's value is one number whatever the
// inputs' shapes: every input and target in it is inside a sum or mean, so
// the reduction argument does not apply.
func (f *Formula) Scalar() bool { return f.code[len(f.code)-1].kind == kindScalar }

// Uses reports whether the formula reads input (name "input") or target.
func (f *Formula) Uses(name string) bool {
	o := opInput
	if name == "target" {
		o = opTarget
	}
	return slices.ContainsFunc(f.code, func(in instr) bool { return in.op == o })
}

// NodeElements is the number of values one evaluation computes, Σ over
// instructions of the elements of each: the cost model's measure, and
// what the evaluation's memory grows with. nIn, nTarget and nBoth are the
// elements of input, target and their broadcast shape.
func (f *Formula) NodeElements(nIn, nTarget, nBoth int64) int64 {
	sizes := [4]int64{1, nIn, nTarget, nBoth}
	var total int64
	for _, in := range f.code {
		total += sizes[in.kind]
		if total > 1<<60 {
			return 1 << 60
		}
	}
	return total
}

// formatNumber writes a literal as Python reads it back to the same
// float64.
func formatNumber(v float64) string {
	s := strconv.FormatFloat(v, 'g', -1, 64)
	for _, c := range s {
		if c == '.' || c == 'e' || c == 'n' || c == 'I' {
			return s
		}
	}
	return s + ".0"
}
