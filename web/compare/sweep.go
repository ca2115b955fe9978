package compare

import (
	"fmt"

	"github.com/lossplayground/playground/engine"
)

// sweep evaluates the named loss element by element on input xs against
// targets ts (one engine call with reduction "sum", so the gradient of
// each element is the derivative of its own term) and returns the terms
// and their derivatives with respect to the input.
func sweep(dtype, loss string, params map[string]any, inputs map[string]*engine.Tensor) (vals, grads []float64, err error) {
	spec, ok := engine.Lookup(loss)
	if !ok {
		return nil, nil, fmt.Errorf("compare: %s is not registered", loss)
	}
	p := map[string]any{"reduction": "sum"}
	for k, v := range params {
		p[k] = v
	}
	call, err := engine.NewCall(spec, p, inputs)
	if err != nil {
		return nil, nil, err
	}
	if err := setDType(call, dtype); err != nil {
		return nil, nil, err
	}
	var res engine.Result
	if err := call.ComputeInto(&res); err != nil {
		return nil, nil, err
	}
	return res.Elements.Data, res.Grads["input"].Data, nil
}

func vector(vs []float64) *engine.Tensor {
	return &engine.Tensor{Shape: []int{len(vs)}, Data: append([]float64(nil), vs...)}
}

func filled(n int, v float64) *engine.Tensor {
	t := engine.NewTensor(n)
	for i := range t.Data {
		t.Data[i] = v
	}
	return t
}
