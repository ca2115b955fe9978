package compose

import (
	"fmt"
	"strings"
)

// pyFuncs are the torch functions the language's functions become.
var pyFuncs = map[op]string{
	opAbs: "torch.abs", opExp: "torch.exp", opLog: "torch.log", opLog1p: "torch.log1p",
	opSqrt: "torch.sqrt", opSigmoid: "torch.sigmoid", opSoftplus: "torch.nn.functional.softplus",
	opTanh: "torch.tanh", opCosh: "torch.cosh", opRelu: "torch.relu",
	opMax: "torch.maximum", opMin: "torch.minimum", opClamp: "torch.clamp", opWhere: "torch.where",
	opSum: "torch.sum", opMean: "torch.mean",
}

var pyBinary = map[op]string{
	opAdd: "+", opSub: "-", opMul: "*", opDiv: "/", opPow: "**",
	opLT: "<", opLE: "<=", opGT: ">", opGE: ">=", opEQ: "==", opNE: "!=",
}

// Python's precedences, the same order as the language's.
func pyPrec(o op) int {
	switch {
	case o >= opLT && o <= opNE:
		return 1
	case o == opAdd || o == opSub:
		return 2
	case o == opMul || o == opDiv:
		return 3
	case o == opNeg:
		return 4
	case o == opPow:
		return 5
	}
	return 6 // atoms and calls
}

// PyTorch writes the formula as a Python function with torch operations,
// to paste into a training loop: same values and gradients as the
// playground's, reduction included. name is the function's name.
func (f *Formula) PyTorch(name string, values map[string]float64) string {
	var b strings.Builder
	b.WriteString("import torch\n\n\n")
	fmt.Fprintf(&b, "def %s(input, target", name)
	for _, p := range f.params {
		v, ok := values[p.Name]
		if ok {
			fmt.Fprintf(&b, ", %s=%s", p.Name, pyNumber(v))
		} else {
			fmt.Fprintf(&b, ", %s", p.Name)
		}
	}
	b.WriteString(`, reduction="mean"):` + "\n")
	fmt.Fprintf(&b, "    \"\"\"%s\"\"\"\n", strings.ReplaceAll(f.src, `"""`, `'''`))
	for _, p := range f.params {
		// A tensor parameter: torch functions refuse Python floats.
		fmt.Fprintf(&b, "    %s = input.new_tensor(%s)\n", p.Name, p.Name)
	}
	fmt.Fprintf(&b, "    loss = %s\n", pyTensor(f.root))
	if f.Scalar() {
		b.WriteString("    return loss  # already a scalar: sum/mean inside\n")
		return b.String()
	}
	b.WriteString("    if reduction == \"mean\":\n        return loss.mean()\n")
	b.WriteString("    if reduction == \"sum\":\n        return loss.sum()\n")
	b.WriteString("    return loss\n")
	return b.String()
}

// pyNumber writes v as a Python float literal.
func pyNumber(v float64) string {
	s := formatNumber(v)
	switch s {
	case "NaN":
		return `float("nan")`
	case "+Inf":
		return `float("inf")`
	case "-Inf":
		return `float("-inf")`
	}
	return s
}

// literal reports a subtree of numbers alone: in Python it is a float,
// which torch functions refuse and which divides by zero with an
// exception, so it is made a tensor where that matters.
func literal(n *node) bool {
	if n.op == opInput || n.op == opTarget || n.op == opParam {
		return false
	}
	for _, a := range n.args {
		if !literal(a) {
			return false
		}
	}
	return true
}

func pyTensor(n *node) string {
	if literal(n) {
		return "input.new_tensor(" + pyExpr(n) + ")"
	}
	return pyExpr(n)
}

func pyExpr(n *node) string {
	switch n.op {
	case opConst:
		return pyNumber(n.val)
	case opInput:
		return "input"
	case opTarget:
		return "target"
	case opParam:
		return n.name
	case opNeg:
		return "-" + pyChild(n.args[0], pyPrec(opNeg), false)
	}
	if s, ok := pyBinary[n.op]; ok {
		p := pyPrec(n.op)
		l := pyChild(n.args[0], p, n.op == opPow)
		if (n.op == opDiv || n.op == opPow || n.isCompare()) && literal(n.args[0]) && literal(n.args[1]) {
			l = "input.new_tensor(" + pyExpr(n.args[0]) + ")"
		}
		r := pyChild(n.args[1], p, n.op != opPow)
		if n.op == opPow && n.args[1].op == opNeg {
			r = pyExpr(n.args[1]) // 2 ** -x: Python reads it as 2 ** (-x)
		}
		return l + " " + s + " " + r
	}
	args := make([]string, len(n.args))
	for i, a := range n.args {
		if n.op == opWhere && i == 0 {
			args[i] = pyExpr(a)
			continue
		}
		args[i] = pyTensor(a)
	}
	return pyFuncs[n.op] + "(" + strings.Join(args, ", ") + ")"
}

// pyChild writes an operand, in parentheses when Python would otherwise
// bind it differently: a lower precedence, or the same on the side that
// does not associate.
func pyChild(n *node, parent int, tight bool) string {
	p := pyPrec(n.op)
	if n.op == opConst && n.val < 0 {
		p = pyPrec(opNeg) // a negative literal prints with its minus
	}
	if p < parent || (tight && p == parent) {
		return "(" + pyExpr(n) + ")"
	}
	return pyExpr(n)
}
