package engine

import "testing"

// tryCompute evaluates the loss called name with Detail on and returns its
// result and error; an unknown name fails the test.
func tryCompute(t *testing.T, name string, params map[string]any, inputs map[string]*Tensor) (*Result, error) {
	t.Helper()
	spec, ok := Lookup(name)
	if !ok {
		t.Fatalf("loss %s is not registered", name)
	}
	c, err := NewCall(spec, params, inputs)
	if err != nil {
		return nil, err
	}
	c.Detail = true
	return c.Compute()
}

// mustCompute is tryCompute, failing the test on an error.
func mustCompute(t *testing.T, name string, params map[string]any, inputs map[string]*Tensor) *Result {
	t.Helper()
	r, err := tryCompute(t, name, params, inputs)
	if err != nil {
		t.Fatalf("%s(%v): %v", name, params, err)
	}
	return r
}
