package web

import (
	"encoding/json"

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
