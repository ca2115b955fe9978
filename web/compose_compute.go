package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/engine/compose"
	"github.com/lossplayground/playground/web/cost"
)

// ComposeRequest is the body of POST /api/v1/compose and the payload of a
// WebSocket compose message: a formula of the language (package
// engine/compose), its parameters, the reduction, and the inputs.
type ComposeRequest struct {
	Formula   string                     `json:"formula"`
	Params    map[string]json.RawMessage `json:"params"`
	Reduction string                     `json:"reduction"`
	Inputs    map[string]json.RawMessage `json:"inputs"`
}

// composeSpec names a formula's inputs for the result's JSON.
var composeSpec = &engine.Spec{Name: "compose", Inputs: []engine.InputSpec{{Name: "input"}, {Name: "target"}}}

// composeCall is a validated compose request.
type composeCall struct {
	Formula   *compose.Formula
	Values    map[string]float64 // parameters by name
	Params    []float64          // parameters as the formula numbers them
	Reduction engine.Reduction
	Input     *engine.Tensor
	Target    *engine.Tensor
}

// decodeCompose validates a compose request: the formula (an error names
// its position), the parameters it names, the reduction and the inputs.
// Every error is an *engine.Error naming the field.
func decodeCompose(req *ComposeRequest) (*composeCall, error) {
	f, err := compose.Parse(req.Formula)
	if err != nil {
		return nil, &engine.Error{Field: "formula", Msg: err.Error()}
	}
	c := &composeCall{Formula: f, Values: make(map[string]float64, len(req.Params))}
	for k, raw := range req.Params {
		t, err := engine.ParseTensor(raw)
		if err != nil || t.Dim() != 0 {
			return nil, &engine.Error{Field: "params." + k, Msg: fmt.Sprintf("must be a number, got %s", excerptRaw(raw))}
		}
		c.Values[k] = t.Data[0]
	}
	if c.Params, err = f.Bind(c.Values); err != nil {
		return nil, err
	}
	switch req.Reduction {
	case "", "mean":
		c.Reduction = engine.ReductionMean
	case "sum":
		c.Reduction = engine.ReductionSum
	case "none":
		c.Reduction = engine.ReductionNone
	default:
		return nil, &engine.Error{Field: "reduction", Msg: fmt.Sprintf("%s is not a valid value (expected one of \"none\", \"mean\", \"sum\")", excerptRaw([]byte(req.Reduction)))}
	}
	for k := range req.Inputs {
		if k != "input" && k != "target" {
			return nil, &engine.Error{Field: "inputs." + k, Msg: "unknown input (a formula takes input and target)"}
		}
	}
	for _, name := range []string{"input", "target"} {
		raw, ok := req.Inputs[name]
		var t *engine.Tensor
		switch {
		case !ok || string(bytes.TrimSpace(raw)) == "null":
			if f.Uses(name) {
				return nil, &engine.Error{Field: name, Msg: "missing input (the formula uses it)"}
			}
			t = engine.Scalar(0)
		default:
			if t, err = engine.ParseTensor(raw); err != nil {
				return nil, &engine.Error{Field: name, Msg: err.Error()}
			}
		}
		if name == "input" {
			c.Input = t
		} else {
			c.Target = t
		}
	}
	if _, err := engine.BroadcastShapes(c.Input.Shape, c.Target.Shape); err != nil {
		return nil, &engine.Error{Field: "target", Msg: fmt.Sprintf("shape %v does not broadcast with input shape %v: %v", c.Target.Shape, c.Input.Shape, err)}
	}
	return c, nil
}

func excerptRaw(raw []byte) string {
	if len(raw) > 40 {
		return string(raw[:40]) + "…"
	}
	return string(raw)
}

// composeOptions asks for more than the result: what the page draws.
type composeOptions struct {
	// Curve: the loss and its derivative as input[Element] sweeps,
	// with the built-in loss Overlay ("" for none) beside them.
	Curve   bool
	Element int
	Overlay string
	// Equals: which built-in losses give the same values and gradients
	// on these inputs.
	Equals bool
}

// composeEvaluation is a computed compose request.
type composeEvaluation struct {
	Call   *composeCall
	Result *engine.Result
	Curve  *composeCurve
	Equals []string
}

// curvePoints is the number of points of the page's curve.
const curvePoints = 101

// composeEvaluator is a Computer's EvaluateCompose or
// EvaluateComposeInTurn.
type composeEvaluator func(context.Context, *ComposeRequest, composeOptions) (*composeEvaluation, error)

// EvaluateCompose validates and computes a compose request through the
// same path as every loss (compute.go's Evaluate): the cost model before
// any work, a compute slot (errBusy when the queue is full), the
// computation bounded by the client's context and the server's timeout.
func (cp *Computer) EvaluateCompose(ctx context.Context, req *ComposeRequest, opt composeOptions) (*composeEvaluation, error) {
	return cp.evaluateCompose(ctx, cp.pool.Acquire, req, opt)
}

// EvaluateComposeInTurn is EvaluateCompose for a WebSocket: it waits in
// the sockets' fair queue (compute.go's EvaluateInTurn).
func (cp *Computer) EvaluateComposeInTurn(ctx context.Context, req *ComposeRequest, opt composeOptions) (*composeEvaluation, error) {
	return cp.evaluateCompose(ctx, cp.waitInTurn, req, opt)
}

func (cp *Computer) evaluateCompose(ctx context.Context, admit func(context.Context) (func(), error), req *ComposeRequest, opt composeOptions) (*composeEvaluation, error) {
	c, err := decodeCompose(req)
	if err != nil {
		return nil, err
	}
	evals := 1
	if opt.Curve {
		evals += curvePoints
	}
	e := cost.OfFormula(c.Formula, c.Input, c.Target, evals)
	if opt.Equals || opt.Overlay != "" {
		// Each built-in compared costs at most a loss call on these
		// inputs; for the overlay, once per curve point.
		n := int64(c.Input.Numel() + c.Target.Numel() + max(c.Input.Numel(), c.Target.Numel()))
		e.Work += 8 * n * int64(len(composeBuiltins())+curvePoints)
	}
	var ev *composeEvaluation
	err = cp.run(ctx, admit, "compose", e, func(ctx context.Context) (err error) {
		ev, err = evaluateCompose(ctx, c, opt)
		return err
	})
	return ev, err
}

func evaluateCompose(ctx context.Context, c *composeCall, opt composeOptions) (*composeEvaluation, error) {
	ev := &composeEvaluation{Call: c, Result: &engine.Result{}}
	if err := c.Formula.Eval(ctx, c.Input, c.Target, c.Params, c.Reduction, ev.Result); err != nil {
		return nil, err
	}
	if opt.Equals {
		ev.Equals = c.equalBuiltins(ev.Result)
	}
	if opt.Curve {
		var err error
		if ev.Curve, err = c.curve(ctx, opt.Element, opt.Overlay); err != nil {
			return nil, err
		}
		if ev.Curve != nil {
			ev.Curve.CurrentLoss = engine.Sum(ev.Result.Loss.Data)
			ev.Curve.CurrentGradient = ev.Result.Grads["input"].Data[ev.Curve.Element]
		}
	}
	if err := context.Cause(ctx); err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	return ev, nil
}

// composeBuiltins are the torch.nn losses a formula can be compared with:
// those of input and target alone, with a real-valued target.
func composeBuiltins() []*engine.Spec {
	var out []*engine.Spec
	for _, s := range engine.All() {
		if len(s.Inputs) == 2 && s.Inputs[0].Name == "input" && s.Inputs[1].Name == "target" && !s.Inputs[1].Integer {
			out = append(out, s)
		}
	}
	return out
}

// builtinCall is the built-in loss spec on the call's inputs, with the
// call's reduction and every parameter the formula names that the loss
// also takes (delta, beta, margin...).
func (c *composeCall) builtinCall(spec *engine.Spec, input *engine.Tensor) (*engine.Call, error) {
	params := map[string]any{}
	for _, p := range spec.Params {
		if v, ok := c.Values[p.Name]; ok && (p.Kind == engine.KindFloat) {
			params[p.Name] = v
		}
	}
	if spec.Param("reduction") != nil {
		params["reduction"] = c.Reduction.String()
	}
	return engine.NewCall(spec, params, map[string]*engine.Tensor{"input": input, "target": c.Target})
}

// equalBuiltins names the built-in losses that give r's loss and input
// gradient on the call's inputs, to the loss API's tolerance.
func (c *composeCall) equalBuiltins(r *engine.Result) []string {
	if c.Formula.Scalar() && c.Reduction == engine.ReductionNone {
		return nil
	}
	var out []string
	for _, spec := range composeBuiltins() {
		call, err := c.builtinCall(spec, c.Input)
		if err != nil {
			continue
		}
		br, err := call.Compute()
		if err != nil {
			continue
		}
		if allClose(br.Loss, r.Loss) && allClose(br.Grads["input"], r.Grads["input"]) {
			out = append(out, spec.Name)
		}
	}
	sort.Strings(out)
	return out
}

func allClose(a, b *engine.Tensor) bool {
	if a == nil || b == nil || !slices.Equal(a.Shape, b.Shape) {
		return false
	}
	for i, x := range a.Data {
		y := b.Data[i]
		switch {
		case math.IsNaN(x) || math.IsNaN(y):
			if math.IsNaN(x) != math.IsNaN(y) {
				return false
			}
		case math.IsInf(x, 0) || math.IsInf(y, 0):
			if x != y {
				return false
			}
		case math.Abs(x-y) > 1e-9+1e-6*math.Abs(y):
			return false
		}
	}
	return true
}

// composeCurve is the loss (summed, as its gradient is) and its
// derivative as one input element sweeps, with a built-in loss beside.
type composeCurve struct {
	Element         int
	Target          float64 // the target that element meets
	X, Loss, Grad   []float64
	Overlay         string
	OverlayLoss     []float64 // NaN where the built-in refuses the value
	OverlayGrad     []float64
	CurrentX        float64
	CurrentLoss     float64
	CurrentGradient float64
}

// curve sweeps input[k] over the target ±3 (and the input's own value),
// recomputing the formula at every point.
func (c *composeCall) curve(ctx context.Context, k int, overlay string) (*composeCurve, error) {
	n := c.Input.Numel()
	if n == 0 {
		return nil, nil
	}
	k = min(max(k, 0), n-1)
	both, _ := engine.BroadcastShapes(c.Input.Shape, c.Target.Shape)
	// The target element k meets (the first it broadcasts with).
	t := c.Target.Data[0]
	if idx := engine.BroadcastIndex(c.Target.Shape, both); idx != nil {
		if in := engine.BroadcastIndex(c.Input.Shape, both); in != nil {
			if j := slices.Index(in, k); j >= 0 {
				t = c.Target.Data[idx[j]]
			}
		} else {
			t = c.Target.Data[idx[k]]
		}
	} else if c.Target.Numel() == n {
		t = c.Target.Data[k]
	}
	x0 := c.Input.Data[k]
	lo, hi := t-3, t+3
	if !math.IsNaN(x0) && !math.IsInf(x0, 0) {
		lo, hi = min(lo, x0-0.5), max(hi, x0+0.5)
	}
	if math.IsNaN(lo) || math.IsInf(lo, 0) || math.IsNaN(hi) || math.IsInf(hi, 0) {
		lo, hi = -3, 3
	}
	cv := &composeCurve{Element: k, Target: t, CurrentX: x0}
	input := &engine.Tensor{Shape: c.Input.Shape, Data: slices.Clone(c.Input.Data)}
	var spec *engine.Spec
	if overlay != "" {
		spec, _ = engine.Lookup(overlay)
		cv.Overlay = overlay
	}
	var r engine.Result
	for i := range curvePoints {
		x := lo + (hi-lo)*float64(i)/float64(curvePoints-1)
		input.Data[k] = x
		if err := c.Formula.Eval(ctx, input, c.Target, c.Params, c.Reduction, &r); err != nil {
			return nil, err
		}
		cv.X = append(cv.X, x)
		cv.Loss = append(cv.Loss, engine.Sum(r.Loss.Data))
		cv.Grad = append(cv.Grad, r.Grads["input"].Data[k])
		if spec != nil {
			l, g := math.NaN(), math.NaN()
			if call, err := c.builtinCall(spec, input); err == nil {
				if br, err := call.Compute(); err == nil {
					l, g = engine.Sum(br.Loss.Data), br.Grads["input"].Data[k]
				}
			}
			cv.OverlayLoss = append(cv.OverlayLoss, l)
			cv.OverlayGrad = append(cv.OverlayGrad, g)
		}
	}
	return cv, nil
}
