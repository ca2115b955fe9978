package compose

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/lossplayground/playground/engine"
)

// Bind orders a call's parameter values as the formula numbers them. A
// parameter the formula names and the call lacks, or one the call gives
// and the formula does not name, is an *engine.Error naming it.
func (f *Formula) Bind(values map[string]float64) ([]float64, error) {
	for k := range values {
		if !f.hasParam(k) {
			return nil, &engine.Error{Field: "params." + k, Msg: fmt.Sprintf("the formula has no parameter %q (%s)", k, f.paramList())}
		}
	}
	out := make([]float64, len(f.params))
	for i, p := range f.params {
		v, ok := values[p.Name]
		if !ok {
			return nil, &engine.Error{Field: "params." + p.Name, Msg: fmt.Sprintf("missing parameter %q: the formula names it at %d; give it a value in params", p.Name, p.Pos)}
		}
		out[i] = v
	}
	return out, nil
}

func (f *Formula) hasParam(name string) bool {
	for _, p := range f.params {
		if p.Name == name {
			return true
		}
	}
	return false
}

func (f *Formula) paramList() string {
	if len(f.params) == 0 {
		return "it names none"
	}
	names := make([]string, len(f.params))
	for i, p := range f.params {
		names[i] = p.Name
	}
	sort.Strings(names)
	return "it names " + strings.Join(names, ", ")
}

// Eval computes the formula on input and target (which broadcast against
// each other, as the built-in losses' do) with the given parameters
// (ordered by Bind) into r: r.Elements holds the unreduced values, r.Loss
// the reduced loss (the formula's value itself when it is a scalar), and
// r.Grads["input"] and r.Grads["target"] the gradients of r.Loss.sum(),
// by reverse-mode differentiation with PyTorch 1.13's derivative formulas
// (torch/csrc/autograd/FunctionsManual.cpp and derivatives.yaml), so that
// non-differentiable points and NaN and ±Inf come out as they do in torch.
//
// Eval stops with ctx's cause when ctx is done.
func (f *Formula) Eval(ctx context.Context, input, target *engine.Tensor, params []float64, red engine.Reduction, r *engine.Result) error {
	if len(params) != len(f.params) {
		return fmt.Errorf("compose: %d parameter values for %d parameters", len(params), len(f.params))
	}
	both, err := engine.BroadcastShapes(input.Shape, target.Shape)
	if err != nil {
		return &engine.Error{Field: "target", Msg: fmt.Sprintf("shape %s does not broadcast with input shape %s: %v", shapeText(target.Shape), shapeText(input.Shape), err)}
	}
	e := evaluation{f: f, ctx: ctx}
	e.shapes = [4][]int{{}, input.Shape, target.Shape, both}
	for k, s := range e.shapes {
		e.sizes[k] = engine.Numel(s)
	}
	e.maps[kindInput] = engine.BroadcastIndex(input.Shape, both)
	e.maps[kindTarget] = engine.BroadcastIndex(target.Shape, both)
	if err := e.forward(input.Data, target.Data, params); err != nil {
		return err
	}
	root := len(f.code) - 1
	rk := f.code[root].kind
	v := e.vals[root]
	copy(r.SetElements(e.shapes[rk]...).Data, v)
	seed := 1.0
	switch {
	case rk == kindScalar:
		r.SetScalar(v[0])
	case red == engine.ReductionNone:
		copy(r.SetLoss(e.shapes[rk]...).Data, v)
	case red == engine.ReductionSum:
		r.SetScalar(engine.Sum(v))
	default:
		n := float64(len(v))
		r.SetScalar(engine.Sum(v) / n)
		seed = 1 / n
	}
	if err := e.backward(seed); err != nil {
		return err
	}
	gi, gt := r.Grad("input", input.Shape...), r.Grad("target", target.Shape...)
	for i, in := range f.code {
		switch in.op {
		case opInput:
			addTo(gi.Data, e.adj[i])
		case opTarget:
			addTo(gt.Data, e.adj[i])
		}
	}
	return nil
}

func addTo(dst, src []float64) {
	for j, v := range src {
		dst[j] += v
	}
}

func shapeText(s []int) string { return strings.ReplaceAll(fmt.Sprint(s), " ", ", ") }

// evaluation is one run of a formula: the value and the adjoint of every
// instruction, each with the elements of its kind.
type evaluation struct {
	f      *Formula
	ctx    context.Context
	shapes [4][]int
	sizes  [4]int
	// maps[k] maps an element of the broadcast shape to one of kind k's
	// shape (nil: the identity).
	maps [4][]int
	vals [][]float64
	adj  [][]float64
}

// operand reads an operand of kind from into an instruction of kind to.
type operand struct {
	v      []float64
	m      []int // nil: identity
	scalar bool
}

func (e *evaluation) operand(i int32, to uint8) operand {
	from := e.f.code[i].kind
	o := operand{v: e.vals[i]}
	switch {
	case from == kindScalar:
		o.scalar = true
	case from != to:
		o.m = e.maps[from] // from is input or target, to is both
	}
	return o
}

// at is the operand's element for element j of the instruction.
func (o *operand) at(j int) float64 {
	if o.scalar {
		return o.v[0]
	}
	if o.m != nil {
		return o.v[o.m[j]]
	}
	return o.v[j]
}

// index is the operand's element index for element j.
func (o *operand) index(j int) int {
	if o.scalar {
		return 0
	}
	if o.m != nil {
		return o.m[j]
	}
	return j
}

func (e *evaluation) stopped() error {
	if e.ctx != nil && e.ctx.Err() != nil {
		return fmt.Errorf("formula: %w", context.Cause(e.ctx))
	}
	return nil
}

func (e *evaluation) forward(input, target, params []float64) error {
	code := e.f.code
	e.vals = make([][]float64, len(code))
	for i, in := range code {
		if err := e.stopped(); err != nil {
			return err
		}
		switch in.op {
		case opInput:
			e.vals[i] = input
			continue
		case opTarget:
			e.vals[i] = target
			continue
		case opConst:
			e.vals[i] = []float64{in.val}
			continue
		case opParam:
			e.vals[i] = []float64{params[in.param]}
			continue
		}
		out := make([]float64, e.sizes[in.kind])
		e.vals[i] = out
		switch in.op {
		case opSum, opMean:
			a := e.vals[in.a]
			s := engine.Sum(a)
			if in.op == opMean {
				s /= float64(len(a))
			}
			out[0] = s
		case opClamp, opWhere:
			a, b, c := e.operand(in.a, in.kind), e.operand(in.b, in.kind), e.operand(in.c, in.kind)
			for j := range out {
				out[j] = ternary(in.op, &a, &b, &c, j)
			}
		default:
			a := e.operand(in.a, in.kind)
			if in.b < 0 {
				for j := range out {
					out[j] = unary(in.op, a.at(j))
				}
				continue
			}
			b := e.operand(in.b, in.kind)
			for j := range out {
				out[j] = binary(in.op, a.at(j), b.at(j))
			}
		}
	}
	return nil
}

// unary is a one-argument function's value, as PyTorch 1.13 computes it on
// the CPU.
func unary(o op, x float64) float64 {
	switch o {
	case opNeg:
		return -x
	case opAbs:
		return math.Abs(x)
	case opExp:
		return math.Exp(x)
	case opLog:
		return math.Log(x)
	case opLog1p:
		return math.Log1p(x)
	case opSqrt:
		return math.Sqrt(x)
	case opSigmoid:
		return 1 / (1 + math.Exp(-x))
	case opSoftplus:
		// torch.nn.functional.softplus with beta 1 and threshold 20:
		// x itself above the threshold.
		if x > softplusThreshold {
			return x
		}
		return math.Log1p(math.Exp(x))
	case opTanh:
		return math.Tanh(x)
	case opCosh:
		return math.Cosh(x)
	case opRelu:
		// relu is clamp_min(x, 0): NaN stays NaN.
		if x != x {
			return x
		}
		return math.Max(x, 0)
	}
	panic(fmt.Sprintf("compose: op %d is not unary", o))
}

const softplusThreshold = 20

func binary(o op, a, b float64) float64 {
	switch o {
	case opAdd:
		return a + b
	case opSub:
		return a - b
	case opMul:
		return a * b
	case opDiv:
		return a / b
	case opPow:
		return pow(a, b)
	case opMax:
		// torch.maximum propagates NaN from either side.
		if a != a || b != b {
			return math.NaN()
		}
		return math.Max(a, b)
	case opMin:
		if a != a || b != b {
			return math.NaN()
		}
		return math.Min(a, b)
	case opLT:
		return bool01(a < b)
	case opLE:
		return bool01(a <= b)
	case opGT:
		return bool01(a > b)
	case opGE:
		return bool01(a >= b)
	case opEQ:
		return bool01(a == b)
	case opNE:
		return bool01(a != b)
	}
	panic(fmt.Sprintf("compose: op %d is not binary", o))
}

// pow is torch.pow: x·x for the exponent 2 as ATen's CPU kernel computes
// it, C's pow otherwise.
func pow(a, b float64) float64 {
	switch b {
	case 2:
		return a * a
	case 1:
		return a
	}
	return math.Pow(a, b)
}

func bool01(c bool) float64 {
	if c {
		return 1
	}
	return 0
}

func ternary(o op, a, b, c *operand, j int) float64 {
	x, lo, hi := a.at(j), b.at(j), c.at(j)
	if o == opWhere {
		if x != 0 {
			return lo
		}
		return hi
	}
	// torch.clamp with tensor bounds: NaN from any of the three, else
	// min(max(x, lo), hi) (hi wins when lo > hi).
	if x != x || lo != lo || hi != hi {
		return math.NaN()
	}
	return math.Min(math.Max(x, lo), hi)
}

// backward propagates adjoints from the last instruction, seeded with
// seed (1, or 1/n for a mean), to every instruction that depends on input
// or target.
func (e *evaluation) backward(seed float64) error {
	code := e.f.code
	e.adj = make([][]float64, len(code))
	for i, in := range code {
		if in.diff {
			e.adj[i] = make([]float64, e.sizes[in.kind])
		}
	}
	root := len(code) - 1
	if !code[root].diff {
		return nil
	}
	for j := range e.adj[root] {
		e.adj[root][j] = seed
	}
	for i := root; i >= 0; i-- {
		if err := e.stopped(); err != nil {
			return err
		}
		in := code[i]
		g := e.adj[i]
		if g == nil {
			continue
		}
		y := e.vals[i]
		switch in.op {
		case opInput, opTarget:
		case opSum, opMean:
			ga := e.adj[in.a]
			d := g[0]
			if in.op == opMean {
				d /= float64(len(ga))
			}
			for j := range ga {
				ga[j] += d
			}
		case opWhere:
			b, c := e.operand(in.b, in.kind), e.operand(in.c, in.kind)
			cond := e.operand(in.a, in.kind)
			gb, gc := e.adj[in.b], e.adj[in.c]
			for j, gj := range g {
				// torch.where: where(cond, grad, 0) and where(cond, 0, grad).
				switch {
				case cond.at(j) != 0 && gb != nil:
					gb[b.index(j)] += gj
				case cond.at(j) == 0 && gc != nil:
					gc[c.index(j)] += gj
				}
			}
		case opClamp:
			e.clampBackward(in, g)
		default:
			if in.b < 0 {
				e.unaryBackward(in, g, y)
			} else {
				e.binaryBackward(in, g, y)
			}
		}
	}
	return nil
}

// unaryBackward adds g·f'(x) to x's adjoint, with torch's formulas.
func (e *evaluation) unaryBackward(in instr, g, y []float64) {
	a := e.operand(in.a, in.kind)
	ga := e.adj[in.a]
	for j, gj := range g {
		x := a.at(j)
		var d float64
		switch in.op {
		case opNeg:
			d = -gj
		case opAbs:
			d = gj * sign(x) // grad * self.sgn()
		case opExp:
			d = gj * y[j] // grad * result
		case opLog:
			d = gj / x // grad.div(self)
		case opLog1p:
			d = gj / (x + 1) // log1p_backward
		case opSqrt:
			d = gj / (2 * y[j]) // grad / (2 * result)
		case opSigmoid:
			d = gj * (1 - y[j]) * y[j] // sigmoid_backward
		case opSoftplus:
			// softplus_backward: grad above the threshold, else
			// grad·z/(z+1) with z = exp(x).
			if x > softplusThreshold {
				d = gj
			} else {
				z := math.Exp(x)
				d = gj * z / (z + 1)
			}
		case opTanh:
			d = gj * (1 - y[j]*y[j]) // tanh_backward
		case opCosh:
			d = gj * math.Sinh(x) // grad * self.sinh()
		case opRelu:
			// threshold_backward(grad, result, 0): 0 where result <= 0,
			// so relu'(0) = 0 and NaN passes the gradient through.
			if y[j] <= 0 {
				d = 0
			} else {
				d = gj
			}
		default:
			panic(fmt.Sprintf("compose: no derivative for op %d", in.op))
		}
		ga[a.index(j)] += d
	}
}

// sign is torch.sign on a real number: 0 at ±0 and at NaN.
func sign(x float64) float64 {
	return bool01(0 < x) - bool01(x < 0)
}

func (e *evaluation) binaryBackward(in instr, g, y []float64) {
	a, b := e.operand(in.a, in.kind), e.operand(in.b, in.kind)
	ga, gb := e.adj[in.a], e.adj[in.b]
	for j, gj := range g {
		x, z := a.at(j), b.at(j)
		var da, db float64
		switch in.op {
		case opAdd:
			da, db = gj, gj
		case opSub:
			da, db = gj, -gj
		case opMul:
			da, db = gj*z, gj*x
		case opDiv:
			// div_tensor_self_backward and div_tensor_other_backward.
			da = gj / z
			if gb != nil {
				db = -gj * ((x / z) / z)
			}
		case opPow:
			// pow_backward_self: 0 where the exponent is 0, else
			// grad·exponent·self^(exponent−1).
			if z == 0 {
				da = 0
			} else {
				da = gj * (z * pow(x, z-1))
			}
			// pow_backward_exponent: 0 where self == 0 and exponent >= 0,
			// else grad·result·log(self).
			if gb != nil {
				if x == 0 && z >= 0 {
					db = 0
				} else {
					db = gj * (y[j] * math.Log(x))
				}
			}
		case opMax, opMin:
			// torch.maximum: where(a == b, grad/2, grad), zeroed for the
			// operand that lost; torch.minimum alike.
			h := gj
			if x == z {
				h = gj / 2
			}
			da, db = h, h
			aLost, bLost := x < z, x > z
			if in.op == opMin {
				aLost, bLost = bLost, aLost
			}
			if aLost {
				da = 0
			}
			if bLost {
				db = 0
			}
		default:
			panic(fmt.Sprintf("compose: no derivative for op %d", in.op))
		}
		if ga != nil {
			ga[a.index(j)] += da
		}
		if gb != nil {
			gb[b.index(j)] += db
		}
	}
}

// clampBackward routes the gradient as torch.clamp with tensor bounds
// does (clamp_backward and clamp_backward_min_max): to x where
// lo <= x <= hi, to lo where x < lo < hi, to hi where x > hi or hi < lo.
func (e *evaluation) clampBackward(in instr, g []float64) {
	a, b, c := e.operand(in.a, in.kind), e.operand(in.b, in.kind), e.operand(in.c, in.kind)
	ga, gb, gc := e.adj[in.a], e.adj[in.b], e.adj[in.c]
	for j, gj := range g {
		x, lo, hi := a.at(j), b.at(j), c.at(j)
		if ga != nil && x >= lo && x <= hi {
			ga[a.index(j)] += gj
		}
		if gb != nil && x < lo && lo < hi {
			gb[b.index(j)] += gj
		}
		if gc != nil && (x > hi || hi < lo) {
			gc[c.index(j)] += gj
		}
	}
}
