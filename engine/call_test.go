package engine

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func rawMap(t *testing.T, s string) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestLegacyReduction(t *testing.T) {
	spec, _ := Lookup("L1Loss")
	tests := []struct {
		params string
		want   Reduction
	}{
		{`{}`, ReductionMean},
		{`{"reduction": "sum"}`, ReductionSum},
		{`{"size_average": false}`, ReductionSum},
		{`{"reduce": false}`, ReductionNone},
		{`{"reduce": false, "size_average": false}`, ReductionNone},
		{`{"size_average": true, "reduction": "sum"}`, ReductionMean},
		{`{"size_average": null, "reduce": null, "reduction": "none"}`, ReductionNone},
		{`{"reduce": true, "reduction": "none"}`, ReductionMean},
		{`{"reduction": "\u0073um"}`, ReductionSum}, // an escaped value decodes as JSON does
		{`{"size_average": false, "reduce": true}`, ReductionSum},
	}
	for _, test := range tests {
		t.Run(test.params, func(t *testing.T) {
			c, err := DecodeCall(spec, rawMap(t, test.params), rawMap(t, `{"input": [1], "target": [2]}`))
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Reduction(); got != test.want {
				t.Errorf("Reduction() = %v; want %v", got, test.want)
			}
		})
	}
}

func TestDecodeCallErrors(t *testing.T) {
	spec, _ := Lookup("MSELoss")
	tests := []struct {
		name, params, inputs, field, contains string
	}{
		{"unknown param", `{"margin": 1}`, `{"input": [1], "target": [1]}`, "params.margin", "unknown parameter"},
		{"bad enum", `{"reduction": "avg"}`, `{"input": [1], "target": [1]}`, "params.reduction", "not a valid value"},
		{"wrong type", `{"reduction": 3}`, `{"input": [1], "target": [1]}`, "params.reduction", "not a valid value"},
		{"bool as string", `{"reduce": "no"}`, `{"input": [1], "target": [1]}`, "params.reduce", "true or false"},
		{"missing input", `{}`, `{"input": [1]}`, "target", "missing input"},
		{"unknown input", `{}`, `{"input": [1], "target": [1], "var": [1]}`, "var", "unknown input"},
		{"ragged", `{}`, `{"input": [[1, 2], [3]], "target": [1]}`, "input", "ragged"},
		{"non-numeric", `{}`, `{"input": ["a"], "target": [1]}`, "input", "not a number"},
		{"shape mismatch", `{}`, `{"input": [1, 2, 3], "target": [1, 2]}`, "target", "broadcast"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			c, err := DecodeCall(spec, rawMap(t, test.params), rawMap(t, test.inputs))
			if err == nil {
				_, err = c.Compute()
			}
			var ee *Error
			if !errors.As(err, &ee) {
				t.Fatalf("error = %v (%T); want *Error", err, err)
			}
			if ee.Field != test.field || !strings.Contains(ee.Msg, test.contains) {
				t.Errorf("error = %q on %q; want field %q and a message containing %q", ee.Msg, ee.Field, test.field, test.contains)
			}
		})
	}
}

func TestParamRange(t *testing.T) {
	p := &Param{Name: "delta", Kind: KindFloat, Min: ptr(0), MinExclusive: true, Max: ptr(10)}
	for _, test := range []struct {
		raw string
		ok  bool
	}{{"1", true}, {"0", false}, {"-1", false}, {"10", true}, {"11", false}, {`"NaN"`, false}, {`"Infinity"`, false}} {
		_, err := decodeParam(p, json.RawMessage(test.raw))
		if (err == nil) != test.ok {
			t.Errorf("decodeParam(delta=%s) error = %v; want ok=%v", test.raw, err, test.ok)
		}
	}
	ip := &Param{Name: "ignore_index", Kind: KindInt}
	if _, err := decodeParam(ip, json.RawMessage("1.5")); err == nil {
		t.Errorf("decodeParam(ignore_index=1.5) succeeded; want an integer error")
	}
}

// TestNewCallRefusesInconsistentTensors checks that a hand-built tensor
// whose shape does not match its data is an *Error naming the field, not a
// panic inside the loss.
func TestNewCallRefusesInconsistentTensors(t *testing.T) {
	spec, _ := Lookup("BCELoss")
	ok := func() *Tensor { return &Tensor{Shape: []int{3}, Data: []float64{0.5, 0.5, 0.5}} }
	tests := []struct {
		name   string
		params map[string]any
		input  *Tensor
		field  string
	}{
		{"too few values", nil, &Tensor{Shape: []int{3}, Data: []float64{0.5, 0.5}}, "input"},
		{"too many values", nil, &Tensor{Shape: []int{2}, Data: []float64{0.5, 0.5, 0.5}}, "input"},
		{"negative sizes", nil, &Tensor{Shape: []int{-1, -3}, Data: []float64{0.5, 0.5, 0.5}}, "input"},
		{"weight", map[string]any{"weight": &Tensor{Shape: []int{4}, Data: []float64{1}}}, ok(), "params.weight"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			_, err := NewCall(spec, test.params, map[string]*Tensor{"input": test.input, "target": ok()})
			var ee *Error
			if !errors.As(err, &ee) || ee.Field != test.field {
				t.Errorf("NewCall error = %v; want an *Error on %s", err, test.field)
			}
		})
	}
}
