package cost

import (
	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/engine/compose"
)

// formulaNodeWork is the work of one value of one instruction of a
// formula, forward and backward. It is also what bounds the memory of an
// evaluation, which keeps every value and adjoint (16 bytes per node
// element): at 16 units the default budget allows 4M node elements, 64 MiB.
// An evaluation took 47 ns per node element on the 2-core test machine
// loaded twentyfold (BenchmarkFormula in package compose): the budget's
// 4M node elements take a fifth of a second there, far inside the
// compute timeout; the unit is sized for memory.
const formulaNodeWork = 16

// OfFormula estimates evals evaluations of formula f on input and target
// (the page's curve evaluates it once per sweep point): nodes × elements,
// where an instruction's elements are those of the inputs it reads, and
// the answer's loss and gradients.
func OfFormula(f *compose.Formula, input, target *engine.Tensor, evals int) Estimate {
	nIn, nTarget := int64(input.Numel()), int64(target.Numel())
	e := Estimate{Elements: max(nIn, nTarget), Field: "input", What: "formula instructions × elements"}
	if nTarget > nIn {
		e.Field = "target"
	}
	both := e.Elements
	if s, err := engine.BroadcastShapes(input.Shape, target.Shape); err == nil {
		if n := numel(s); n > e.Elements {
			both, e.Elements, e.Field = n, n, "target"
			e.BroadcastField, e.BroadcastShape = "target", s
		}
	}
	nodeElements := f.NodeElements(nIn, nTarget, both)
	e.Work = sat(sat(nodeElements, formulaNodeWork), int64(max(evals, 1)))
	e.Bytes = numberBytes * (nIn + nTarget + both) // grads and the unreduced loss
	return e
}
