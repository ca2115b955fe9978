package charts

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/i18n"
)

// firstDifferentiable returns the index of the spec's first differentiable
// input, or -1.
func firstDifferentiable(spec *engine.Spec) int {
	for i, in := range spec.Inputs {
		if in.Differentiable {
			return i
		}
	}
	return -1
}

// clampElement clamps a requested element index into [0, n).
func clampElement(k, n int) int {
	return max(0, min(k, n-1))
}

// unravel returns the multi-index of flat index k in shape.
func unravel(k int, shape []int) []int {
	idx := make([]int, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		if shape[d] > 0 {
			idx[d] = k % shape[d]
			k /= shape[d]
		}
	}
	return idx
}

// ravel is the inverse of unravel.
func ravel(idx, shape []int) int {
	k := 0
	for d := range shape {
		k = k*shape[d] + idx[d]
	}
	return k
}

// indexString formats a multi-index the way PyTorch indexes, e.g. [1, 2].
func indexString(idx []int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, v := range idx {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(v))
	}
	b.WriteByte(']')
	return b.String()
}

// termsOf returns the flat indices of the unreduced terms (Result.Elements
// of shape el) that input element k (of an input of shape in) feeds, so
// that Σ of those terms has derivative grad[k] under reduction 'none'. The
// shapes follow PyTorch's conventions:
//
//   - same shape: elementwise, the term k;
//   - the input broadcasts to the terms: every term it is broadcast to;
//   - a 0-d result (unbatched, or one sample): the single term;
//   - the terms drop dimensions of the input: the class dimension 1 of
//     (N, C, d1, ...) inputs, the feature dimension of (N, D) embeddings,
//     or the time and class dimensions of CTC's (T, N, C).
//
// It returns nil when the shapes fit none of these.
func termsOf(in, el []int, k int) []int {
	ne := engine.Numel(el)
	switch {
	case ne == 0:
		return nil
	case slices.Equal(in, el):
		return []int{k}
	case ne == 1:
		return []int{0}
	}
	if b, err := engine.BroadcastShapes(in, el); err == nil && slices.Equal(b, el) {
		idx := engine.BroadcastIndex(in, el)
		var js []int
		for j, src := range idx {
			if src == k {
				js = append(js, j)
			}
		}
		return js
	}
	if len(in) <= len(el) {
		return nil
	}
	idx := unravel(k, in)
	for _, drop := range dropCandidates(len(in), len(in)-len(el)) {
		kept := make([]int, 0, len(el))
		keptIdx := make([]int, 0, len(el))
		for d := range in {
			if !slices.Contains(drop, d) {
				kept = append(kept, in[d])
				keptIdx = append(keptIdx, idx[d])
			}
		}
		if slices.Equal(kept, el) {
			return []int{ravel(keptIdx, el)}
		}
	}
	return nil
}

// dropCandidates lists the sets of dimensions a loss may reduce away, most
// conventional first.
func dropCandidates(rank, n int) [][]int {
	switch n {
	case 1:
		c := [][]int{{1}, {rank - 1}}
		for d := range rank {
			c = append(c, []int{d})
		}
		return c
	case 2:
		c := [][]int{{0, rank - 1}}
		for a := range rank {
			for b := a + 1; b < rank; b++ {
				c = append(c, []int{a, b})
			}
		}
		return c
	}
	return nil
}

// targetAt returns a description of the target that goes with input
// element k and terms js, e.g. "target[0, 1] = 1", or "".
func targetAt(c *engine.Call, in []int, k int, el []int, js []int) (string, float64, bool) {
	for _, s := range c.Spec.Inputs {
		if s.Role != engine.RoleTarget {
			continue
		}
		t := c.Input(s.Name)
		switch {
		case s.Integer && len(in) >= 1 && slices.Equal(t.Shape, in):
			// Class indices shaped like the scores (MultiLabelMarginLoss):
			// each row lists its labels up to the first -1, so target[i, j]
			// says nothing about input[i, j]; labelTarget describes them.
			return "", 0, false
		case slices.Equal(t.Shape, in) && k < t.Numel():
			return fmt.Sprintf("%s%s = %s", s.Name, indexString(unravel(k, in)), fmtShort(t.Data[k])), t.Data[k], true
		case len(js) == 1 && slices.Equal(t.Shape, el) && js[0] < t.Numel():
			j := js[0]
			return fmt.Sprintf("%s%s = %s", s.Name, indexString(unravel(j, el)), fmtShort(t.Data[j])), t.Data[j], true
		case t.Numel() == 1:
			return fmt.Sprintf("%s = %s", s.Name, fmtShort(t.Data[0])), t.Data[0], true
		}
		if b, err := engine.BroadcastShapes(t.Shape, in); err == nil && slices.Equal(b, in) {
			src := k
			if idx := engine.BroadcastIndex(t.Shape, in); idx != nil {
				src = idx[k]
			}
			return fmt.Sprintf("%s%s = %s", s.Name, indexString(unravel(src, t.Shape)), fmtShort(t.Data[src])), t.Data[src], true
		}
		return "", 0, false
	}
	return "", 0, false
}

// labelTarget returns the target of c that lists class labels in a tensor
// shaped like the scores in (MultiLabelMarginLoss), or nil.
func labelTarget(c *engine.Call, in []int) *engine.Tensor {
	for _, s := range c.Spec.Inputs {
		if t := c.Input(s.Name); s.Role == engine.RoleTarget && s.Integer && len(in) >= 1 && slices.Equal(t.Shape, in) {
			return t
		}
	}
	return nil
}

// labelsOf describes, in lang, the labels of the row holding flat index k
// of a label-list target t: its leading non-negative entries, as
// MultiLabelMarginLoss reads them.
func labelsOf(lang string, t *engine.Tensor, k int) string {
	C := t.Shape[len(t.Shape)-1]
	row := k / C
	var labels []string
	for _, v := range t.Data[row*C : row*C+C] {
		if v < 0 {
			break
		}
		labels = append(labels, strconv.Itoa(int(v)))
	}
	list := i18n.T(lang, "ch.curve.noLabels")
	if len(labels) > 0 {
		list = strings.Join(labels, ", ")
	}
	if len(t.Shape) == 1 {
		return i18n.T(lang, "ch.curve.labels", list)
	}
	return i18n.T(lang, "ch.curve.labelsRow", row, list)
}

// fmtShort formats a number for a subtitle, as PyTorch prints it (4
// decimals, trailing zeros trimmed).
func fmtShort(v float64) string {
	s := strconv.FormatFloat(v, 'f', 4, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// paramsOf reconstructs the call's parameters as NewCall takes them, with
// reduction set to red. Deprecated size_average and reduce are dropped:
// they only choose the reduction, which the caller sets.
func paramsOf(c *engine.Call, red string) map[string]any {
	p := make(map[string]any, len(c.Spec.Params))
	for _, sp := range c.Spec.Params {
		switch sp.Kind {
		case engine.KindFloat, engine.KindInt:
			p[sp.Name] = c.Float(sp.Name)
		case engine.KindBool:
			p[sp.Name] = c.Bool(sp.Name)
		case engine.KindEnum:
			p[sp.Name] = c.Enum(sp.Name)
		case engine.KindTensor:
			if t := c.Tensor(sp.Name); t != nil {
				p[sp.Name] = t
			}
		}
	}
	if r := c.Spec.Param("reduction"); r != nil && slices.Contains(r.Values, red) {
		p["reduction"] = red
	}
	return p
}

// inputsOf returns the call's inputs by name, with the one at index swap
// replaced by a private copy that the caller may change.
func inputsOf(c *engine.Call, swap int) (map[string]*engine.Tensor, *engine.Tensor) {
	m := make(map[string]*engine.Tensor, len(c.Spec.Inputs))
	var cp *engine.Tensor
	for i, in := range c.Spec.Inputs {
		t := c.Input(in.Name)
		if i == swap {
			cp = &engine.Tensor{Shape: slices.Clone(t.Shape), Data: slices.Clone(t.Data)}
			t = cp
		}
		m[in.Name] = t
	}
	return m, cp
}
