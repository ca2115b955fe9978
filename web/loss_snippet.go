package web

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/state"
)

// pytorchSnippet writes a Python program that prints the same loss and
// gradients with PyTorch: tensors of the page's dtype (torch.float64 or
// torch.float32), requires_grad on the
// differentiable inputs, and loss.sum().backward() (the gradient the page
// shows, whatever the reduction).
func pytorchSnippet(spec *engine.Spec, c *engine.Call, st state.State) string {
	var b strings.Builder
	b.WriteString("import torch\n\n")
	var args []string
	for i, in := range spec.Inputs {
		t := c.Input(in.Name)
		// Class indices are int64 in PyTorch, also where the input may
		// instead hold probabilities (CrossEntropyLoss's target).
		integer := in.Integer || isClassTarget(spec, c, &spec.Inputs[i])
		b.WriteString(in.Name + " = torch.tensor(" + pyTensor(t, integer) + ", dtype=")
		if integer {
			b.WriteString("torch.long")
		} else {
			b.WriteString("torch." + c.DType().String())
		}
		if in.Differentiable {
			b.WriteString(", requires_grad=True")
		}
		b.WriteString(")\n")
		args = append(args, in.Name)
	}
	var kwargs []string
	for _, p := range spec.Params {
		raw, ok := st.Params[p.Name]
		if !ok {
			continue
		}
		kwargs = append(kwargs, p.Name+"="+pyParam(&p, c, raw))
	}
	b.WriteString("\nloss_fn = torch.nn." + spec.Name + "(" + strings.Join(kwargs, ", ") + ")\n")
	b.WriteString("loss = loss_fn(" + strings.Join(args, ", ") + ")\n")
	b.WriteString("print(loss)\n")
	b.WriteString("loss.sum().backward()\n")
	for _, in := range spec.Inputs {
		if in.Differentiable {
			b.WriteString("print(" + in.Name + ".grad)\n")
		}
	}
	return b.String()
}

// pyParam writes a validated parameter as a Python literal.
func pyParam(p *engine.Param, c *engine.Call, raw json.RawMessage) string {
	switch p.Kind {
	case engine.KindFloat:
		return pyFloat(c.Float(p.Name))
	case engine.KindInt:
		return strconv.Itoa(c.Int(p.Name))
	case engine.KindBool:
		return pyBool(c.Bool(p.Name))
	case engine.KindEnum:
		return "'" + c.Enum(p.Name) + "'"
	case engine.KindTensor:
		t := c.Tensor(p.Name)
		if t == nil {
			return "None"
		}
		return "torch.tensor(" + pyTensor(t, false) + ", dtype=torch." + c.DType().String() + ")"
	case engine.KindOptionalBool:
		var v *bool
		if json.Unmarshal(raw, &v) != nil || v == nil {
			return "None"
		}
		return pyBool(*v)
	}
	return "None"
}

func pyBool(v bool) string {
	if v {
		return "True"
	}
	return "False"
}

// pyFloat writes v so that Python reads back the same float64.
func pyFloat(v float64) string {
	switch {
	case math.IsNaN(v):
		return "float('nan')"
	case math.IsInf(v, 1):
		return "float('inf')"
	case math.IsInf(v, -1):
		return "float('-inf')"
	}
	s := strconv.FormatFloat(v, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// pyTensor writes a tensor as nested Python lists.
func pyTensor(t *engine.Tensor, integer bool) string {
	var b strings.Builder
	var rec func(dim, off int) int
	rec = func(dim, off int) int {
		if dim == len(t.Shape) {
			v := t.Data[off]
			if integer {
				b.WriteString(strconv.FormatFloat(v, 'f', 0, 64))
			} else {
				b.WriteString(pyFloat(v))
			}
			return off + 1
		}
		b.WriteByte('[')
		for i := range t.Shape[dim] {
			if i > 0 {
				b.WriteString(", ")
			}
			off = rec(dim+1, off)
		}
		b.WriteByte(']')
		return off
	}
	rec(0, 0)
	return b.String()
}
