package web

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/web/charts"
)

// Evaluation is one computed page state: the validated call, its result,
// and the chart options drawn from them.
type Evaluation struct {
	Call   *engine.Call
	Result *engine.Result
	Charts map[string]json.RawMessage
}

// Evaluate validates and computes a request and builds its charts. It is
// the one path from a request to numbers, shared by the JSON API, the
// WebSocket and server-rendered pages.
func Evaluate(spec *engine.Spec, req *LossRequest, view *charts.View, into *engine.Result) (*Evaluation, error) {
	c, err := engine.DecodeCall(spec, req.Params, req.Inputs)
	if err != nil {
		return nil, err
	}
	if err := checkComputeSize(c); err != nil {
		return nil, err
	}
	c.Detail = req.Detail
	if into == nil {
		into = &engine.Result{}
	}
	if err := c.ComputeInto(into); err != nil {
		return nil, err
	}
	ev := &Evaluation{Call: c, Result: into}
	if view != nil {
		if ev.Charts, err = charts.Build(c, into, *view); err != nil {
			return nil, err
		}
	}
	return ev, nil
}

// maxComputeElements bounds the broadcast size of a call's inputs. A 1 MiB
// request holds at most about 500,000 numbers, but shapes [n, 1] and
// [1, m] broadcast to n·m elements: without this bound one small request
// could make the server allocate gigabytes.
const maxComputeElements = 1 << 21

// checkComputeSize rejects inputs whose broadcast shape exceeds
// maxComputeElements. Inputs that do not broadcast together (class
// indices beside scores, say) are left to the loss to check.
func checkComputeSize(c *engine.Call) error {
	var shape []int
	for i, in := range c.Spec.Inputs {
		t := c.Input(in.Name)
		if i == 0 {
			shape = t.Shape
			continue
		}
		s, err := engine.BroadcastShapes(shape, t.Shape)
		if err != nil {
			return nil
		}
		if n := computeBoundedNumel(s); n > maxComputeElements {
			return &engine.Error{Field: in.Name, Msg: fmt.Sprintf("inputs broadcast to shape %s, more than the %d elements the playground computes at once", computeShapeText(s), maxComputeElements)}
		}
		shape = s
	}
	return nil
}

// computeBoundedNumel is the number of elements of shape, or maxComputeElements+1
// if that is larger (without overflowing on many large dimensions).
func computeBoundedNumel(shape []int) int {
	n := 1
	for _, d := range shape {
		if d == 0 {
			return 0
		}
	}
	for _, d := range shape {
		if n > maxComputeElements/d {
			return maxComputeElements + 1
		}
		n *= d
	}
	return n
}

// computeShapeText formats a shape as PyTorch prints sizes: [2, 3].
func computeShapeText(shape []int) string {
	return strings.ReplaceAll(fmt.Sprint(shape), " ", ", ")
}
