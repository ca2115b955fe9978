package engine

import "encoding/json"

// Float is a float64 that encodes NaN and ±Inf as the strings "NaN",
// "Infinity" and "-Infinity", for use in Result.Detail.
type Float float64

// MarshalJSON implements json.Marshaler.
func (f Float) MarshalJSON() ([]byte, error) { return AppendFloat(nil, float64(f)), nil }

// AppendJSON appends the result as the loss API returns it:
//
//	{"loss": <number or nested array>, "grads": {"<input>": <array>, ...}, "detail": {...}}
//
// with "detail" present only when the call asked for it. Gradients are
// written in the order of the spec's inputs, so the output is stable.
func (r *Result) AppendJSON(b []byte, spec *Spec) ([]byte, error) {
	b = append(b, `{"loss":`...)
	b = r.Loss.AppendJSON(b)
	b = append(b, `,"grads":{`...)
	first := true
	for _, in := range spec.Inputs {
		g, ok := r.Grads[in.Name]
		if !ok {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, in.Name...)
		b = append(b, `":`...)
		b = g.AppendJSON(b)
	}
	b = append(b, '}')
	if r.Detail != nil {
		b = append(b, `,"detail":`...)
		d, err := json.Marshal(r.Detail)
		if err != nil {
			return nil, err
		}
		b = append(b, d...)
	}
	return append(b, '}'), nil
}
