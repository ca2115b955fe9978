package engine_test

import (
	"fmt"

	"github.com/lossplayground/playground/engine"
)

// A loss is looked up by its PyTorch class name and called with
// PyTorch's constructor parameters and functional inputs.
func Example() {
	spec, _ := engine.Lookup("MSELoss")
	c, err := engine.NewCall(spec,
		map[string]any{"reduction": "sum"},
		map[string]*engine.Tensor{
			"input":  {Shape: []int{3}, Data: []float64{1, 2, 3}},
			"target": {Shape: []int{3}, Data: []float64{1, 0, 5}},
		})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := c.Compute()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("loss:", res.Loss.Data[0])
	fmt.Println("grad:", res.Grads["input"].Data)
	// Output:
	// loss: 8
	// grad: [0 4 -4]
}
