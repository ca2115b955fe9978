package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Call is one validated invocation of a loss: its parameters (PyTorch's
// constructor arguments) and inputs (its functional arguments).
type Call struct {
	Spec   *Spec
	params []paramValue // aligned with Spec.Params
	inputs []*Tensor    // aligned with Spec.Inputs
	// Detail asks Compute to fill Result.Detail.
	Detail bool
	// ctx is the context of the running ComputeContext, nil otherwise.
	// It lives here rather than in Spec.Compute's signature because it is,
	// like Detail, a property of one evaluation that only the few losses
	// with long loops read (through Call.stop).
	ctx context.Context
	// dtype is what SetDType chose; buf32 holds the float32-rounded
	// inputs and tensor parameters of a Float32 computation.
	dtype   DType
	buf32   []*Tensor
	saved32 struct {
		inputs []*Tensor
		params []paramValue
	}
}

type paramValue struct {
	num    float64 // float, int
	flag   bool    // bool, optional bool
	isNone bool    // optional bool or tensor set to None
	str    string  // enum
	tensor *Tensor
}

// Input returns the input tensor named name. It panics if the loss has no
// such input: that is a programming error in the loss.
func (c *Call) Input(name string) *Tensor {
	for i := range c.Spec.Inputs {
		if c.Spec.Inputs[i].Name == name {
			return c.inputs[i]
		}
	}
	panic("engine: " + c.Spec.Name + " has no input " + name)
}

func (c *Call) param(name string) *paramValue {
	for i := range c.Spec.Params {
		if c.Spec.Params[i].Name == name {
			return &c.params[i]
		}
	}
	panic("engine: " + c.Spec.Name + " has no parameter " + name)
}

// Float returns a float parameter.
func (c *Call) Float(name string) float64 { return c.param(name).num }

// Int returns an int parameter.
func (c *Call) Int(name string) int { return int(c.param(name).num) }

// Bool returns a bool parameter.
func (c *Call) Bool(name string) bool { return c.param(name).flag }

// Enum returns an enum parameter.
func (c *Call) Enum(name string) string { return c.param(name).str }

// Tensor returns a tensor parameter, or nil for None.
func (c *Call) Tensor(name string) *Tensor { return c.param(name).tensor }

// Reduction returns the effective reduction, applying the deprecated
// size_average and reduce arguments exactly as PyTorch's
// _Reduction.legacy_get_string does: if either is set, a missing one counts
// as True; reduce=False gives 'none', else size_average=False gives 'sum',
// else 'mean'.
func (c *Call) Reduction() Reduction {
	if c.Spec.Legacy {
		sa, rd := c.param("size_average"), c.param("reduce")
		if !sa.isNone || !rd.isNone {
			sizeAverage := sa.isNone || sa.flag
			reduce := rd.isNone || rd.flag
			switch {
			case !reduce:
				return ReductionNone
			case !sizeAverage:
				return ReductionSum
			default:
				return ReductionMean
			}
		}
	}
	r, _ := parseReduction(c.param("reduction").str)
	return r
}

// NewCall validates params and inputs against spec. Params not given take
// PyTorch's defaults. Values may be float64, int, bool, string, nil, or
// for tensors *Tensor or nested []any / []float64.
func NewCall(spec *Spec, params map[string]any, inputs map[string]*Tensor) (*Call, error) {
	c := &Call{Spec: spec}
	raw := make(map[string]json.RawMessage, len(params))
	for k, v := range params {
		switch v := v.(type) {
		case *Tensor:
			if err := v.checkShape(); err != nil {
				return nil, errorf("params."+k, "%v", err)
			}
			raw[k] = v.AppendJSON(nil)
		default:
			b, err := json.Marshal(v)
			if err != nil {
				return nil, errorf("params."+k, "cannot encode: %v", err)
			}
			raw[k] = b
		}
	}
	if err := c.setParams(raw); err != nil {
		return nil, err
	}
	if err := checkInputNames(spec, inputs); err != nil {
		return nil, err
	}
	err := c.setInputs(func(name string) (*Tensor, error) { return inputs[name], nil })
	if err != nil {
		return nil, err
	}
	return c, nil
}

// DecodeCall validates a JSON request's params and inputs against spec.
func DecodeCall(spec *Spec, params, inputs map[string]json.RawMessage) (*Call, error) {
	c := &Call{Spec: spec}
	if err := c.setParams(params); err != nil {
		return nil, err
	}
	if err := checkInputNames(spec, inputs); err != nil {
		return nil, err
	}
	err := c.setInputs(func(name string) (*Tensor, error) {
		raw, ok := inputs[name]
		if !ok || isNull(raw) {
			return nil, nil
		}
		t, err := ParseTensor(raw)
		if err != nil {
			return nil, errorf(name, "%v", err)
		}
		return t, nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// checkInputNames refuses an input the loss does not take.
func checkInputNames[V any](spec *Spec, inputs map[string]V) error {
	for k := range inputs {
		if spec.Input(k) == nil {
			return errorf(excerpt([]byte(k)), "unknown input for %s (it takes %s)", spec.Name, inputNames(spec))
		}
	}
	return nil
}

// setInputs takes every input of the loss from get, which returns nil for
// a missing one, and validates it.
func (c *Call) setInputs(get func(name string) (*Tensor, error)) error {
	spec := c.Spec
	c.inputs = make([]*Tensor, len(spec.Inputs))
	for i := range spec.Inputs {
		in := &spec.Inputs[i]
		t, err := get(in.Name)
		if err != nil {
			return err
		}
		if t == nil {
			return errorf(in.Name, "missing input (%s takes %s)", spec.Name, inputNames(spec))
		}
		if err := t.checkShape(); err != nil {
			return errorf(in.Name, "%v", err)
		}
		if err := checkInput(in, t); err != nil {
			return err
		}
		c.inputs[i] = t
	}
	return nil
}

func inputNames(spec *Spec) string {
	names := make([]string, len(spec.Inputs))
	for i, in := range spec.Inputs {
		names[i] = in.Name
	}
	return strings.Join(names, ", ")
}

func checkInput(in *InputSpec, t *Tensor) error {
	if !in.Integer {
		return nil
	}
	for _, v := range t.Data {
		if v != math.Trunc(v) || math.IsInf(v, 0) {
			return errorf(in.Name, "must hold integers (PyTorch expects an int64 tensor), got %v", v)
		}
	}
	return nil
}

// isNull reports a JSON null. It trims the bytes, not a string copy of
// them: raw may be a whole input tensor.
func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

func (c *Call) setParams(raw map[string]json.RawMessage) error {
	for k := range raw {
		if c.Spec.Param(k) == nil {
			names := make([]string, 0, len(c.Spec.Params))
			for _, p := range c.Spec.Params {
				names = append(names, p.Name)
			}
			return errorf("params."+excerpt([]byte(k)), "unknown parameter for %s (it takes %s)", c.Spec.Name, strings.Join(names, ", "))
		}
	}
	c.params = make([]paramValue, len(c.Spec.Params))
	for i := range c.Spec.Params {
		p := &c.Spec.Params[i]
		v, ok := raw[p.Name]
		if !ok {
			c.params[i] = defaultValue(p)
			continue
		}
		pv, err := decodeParam(p, v)
		if err != nil {
			e := &Error{Field: "params." + p.Name, Msg: err.Error()}
			if m, ok := err.(*Error); ok {
				e.Msg, e.Code, e.Args = m.Msg, m.Code, m.Args
			}
			return e
		}
		c.params[i] = pv
	}
	return nil
}

func defaultValue(p *Param) paramValue {
	switch d := p.Default.(type) {
	case nil:
		return paramValue{isNone: true}
	case float64:
		return paramValue{num: d}
	case int:
		return paramValue{num: float64(d)}
	case bool:
		return paramValue{flag: d}
	case string:
		return paramValue{str: d}
	}
	panic(fmt.Sprintf("engine: parameter %s has a default of type %T", p.Name, p.Default))
}

func decodeParam(p *Param, raw json.RawMessage) (paramValue, error) {
	if isNull(raw) {
		switch p.Kind {
		case KindTensor, KindOptionalBool:
			return paramValue{isNone: true}, nil
		}
		return paramValue{}, msgf("must not be null (expected %s)", p.Kind)
	}
	switch p.Kind {
	case KindTensor:
		t, err := ParseTensor(raw)
		if err != nil {
			return paramValue{}, err
		}
		return paramValue{tensor: t}, nil
	case KindBool, KindOptionalBool:
		// The literals themselves, without the reflection of json.Unmarshal
		// on every slider event; anything else (spaces, say) takes it.
		switch string(raw) {
		case "true":
			return paramValue{flag: true}, nil
		case "false":
			return paramValue{flag: false}, nil
		}
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return paramValue{}, msgf("must be true or false, got %s", excerpt(raw))
		}
		return paramValue{flag: b}, nil
	case KindEnum:
		// A value quoted as it is ("mean") is looked up without
		// json.Unmarshal; escapes and spaces take it.
		if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' {
			for _, v := range p.Values {
				if string(raw[1:len(raw)-1]) == v {
					return paramValue{str: v}, nil
				}
			}
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil || !slices.Contains(p.Values, s) {
			return paramValue{}, msgf("%s is not a valid value (expected one of %s)", excerpt(raw), quoteAll(p.Values))
		}
		return paramValue{str: s}, nil
	case KindFloat, KindInt:
		v, ok := parseScalar(raw)
		if !ok {
			return paramValue{}, msgf("must be a number, got %s", excerpt(raw))
		}
		if p.Kind == KindInt {
			if v != math.Trunc(v) || math.IsInf(v, 0) || math.Abs(v) > 1<<53 {
				return paramValue{}, msgf("must be an integer, got %s", excerpt(raw))
			}
		}
		if err := checkRange(p, v); err != nil {
			return paramValue{}, err
		}
		return paramValue{num: v}, nil
	}
	return paramValue{}, msgf("unsupported parameter kind %s", p.Kind)
}

func checkRange(p *Param, v float64) error {
	if math.IsNaN(v) && (p.Min != nil || p.Max != nil) {
		return msgf("must be a number in range, got NaN")
	}
	if p.Min != nil {
		if p.MinExclusive && !(v > *p.Min) {
			return msgf("must be greater than %g, got %g", *p.Min, v)
		}
		if !p.MinExclusive && !(v >= *p.Min) {
			return msgf("must be at least %g, got %g", *p.Min, v)
		}
	}
	if p.Max != nil && !(v <= *p.Max) {
		return msgf("must be at most %g, got %g", *p.Max, v)
	}
	return nil
}

// maxExcerpt bounds how much of a client's value an error message repeats:
// a value can be a megabyte long, and every page and answer that shows
// the error would repeat it.
const maxExcerpt = 64

// excerpt returns raw, cut to maxExcerpt bytes (a valid UTF-8 prefix) with
// an ellipsis when longer.
func excerpt[T ~[]byte | ~string](raw T) string {
	if len(raw) <= maxExcerpt {
		return string(raw)
	}
	return strings.ToValidUTF8(string(raw[:maxExcerpt]), "") + "…"
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = `"` + s + `"`
	}
	return strings.Join(q, ", ")
}
