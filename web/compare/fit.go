// Package compare computes what the comparison pages show: several losses
// side by side on the same data, and a line fitted by gradient descent
// under each of them.
package compare

import (
	"fmt"

	"github.com/lossplayground/playground/engine"
)

// Line is y = Slope·x + Intercept.
type Line struct {
	Slope     float64 `json:"slope"`
	Intercept float64 `json:"intercept"`
}

// FitStep is the state of one loss's fit after a gradient-descent step.
type FitStep struct {
	Loss string       `json:"loss"`
	Line Line         `json:"line"`
	Val  engine.Float `json:"value"` // the loss before the step
}

// Fitter runs gradient descent on a line under one loss. The loss is
// evaluated by the engine on predictions ŷ_i = a·x_i + b against y_i with
// reduction "mean"; the chain rule turns ∂L/∂ŷ_i into
//
//	∂L/∂a = Σ_i ∂L/∂ŷ_i · x_i,   ∂L/∂b = Σ_i ∂L/∂ŷ_i.
type Fitter struct {
	spec *engine.Spec
	call *engine.Call
	res  engine.Result
	pred *engine.Tensor
	xs   []float64
	Line Line
	LR   float64
}

// NewFitter prepares a fit of points (xs, ys) under the named loss, which
// must be a pointwise regression loss taking input and target.
func NewFitter(loss string, params map[string]any, xs, ys []float64, start Line, lr float64) (*Fitter, error) {
	spec, ok := engine.Lookup(loss)
	if !ok {
		return nil, &engine.Error{Field: "loss", Msg: fmt.Sprintf("unknown loss %q", loss)}
	}
	if len(xs) != len(ys) || len(xs) == 0 {
		return nil, &engine.Error{Field: "points", Msg: fmt.Sprintf("need as many y as x values, at least one (got %d and %d)", len(xs), len(ys))}
	}
	if spec.Input("input") == nil || spec.Input("target") == nil || len(spec.Inputs) != 2 {
		return nil, &engine.Error{Field: "loss", Msg: loss + " is not a pointwise regression loss"}
	}
	p := map[string]any{"reduction": "mean"}
	for k, v := range params {
		p[k] = v
	}
	pred := engine.NewTensor(len(xs))
	target := &engine.Tensor{Shape: []int{len(ys)}, Data: append([]float64(nil), ys...)}
	call, err := engine.NewCall(spec, p, map[string]*engine.Tensor{"input": pred, "target": target})
	if err != nil {
		return nil, err
	}
	return &Fitter{spec: spec, call: call, pred: pred, xs: append([]float64(nil), xs...), Line: start, LR: lr}, nil
}

// Step takes one gradient-descent step and reports the loss before it.
func (f *Fitter) Step() (FitStep, error) {
	for i, x := range f.xs {
		f.pred.Data[i] = f.Line.Slope*x + f.Line.Intercept
	}
	if err := f.call.ComputeInto(&f.res); err != nil {
		return FitStep{}, err
	}
	g := f.res.Grads["input"].Data
	var ga, gb float64
	for i, x := range f.xs {
		ga += g[i] * x
		gb += g[i]
	}
	val := f.res.Loss.Data[0]
	f.Line.Slope -= f.LR * ga
	f.Line.Intercept -= f.LR * gb
	return FitStep{Loss: f.spec.Name, Line: f.Line, Val: engine.Float(val)}, nil
}

// Value returns the loss at the current line, without stepping.
func (f *Fitter) Value() (float64, error) {
	for i, x := range f.xs {
		f.pred.Data[i] = f.Line.Slope*x + f.Line.Intercept
	}
	if err := f.call.ComputeInto(&f.res); err != nil {
		return 0, err
	}
	return f.res.Loss.Data[0], nil
}
