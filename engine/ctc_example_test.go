package engine_test

import (
	"fmt"
	"math"

	"github.com/lossplayground/playground/engine"
)

// A two-frame, three-class problem whose only target label is 1: the
// alignments "1 blank", "blank 1" and "1 1" all collapse to it.
func ExampleCTCLattice() {
	spec, _ := engine.Lookup("CTCLoss")
	lp := engine.NewTensor(2, 3) // unbatched (T, C)
	for t, row := range [][]float64{{0.5, 0.4, 0.1}, {0.6, 0.3, 0.1}} {
		for c, p := range row {
			lp.Data[t*3+c] = math.Log(p)
		}
	}
	c, err := engine.NewCall(spec, map[string]any{"reduction": "sum"}, map[string]*engine.Tensor{
		"log_probs":      lp,
		"targets":        &engine.Tensor{Shape: []int{1}, Data: []float64{1}},
		"input_lengths":  engine.Scalar(2),
		"target_lengths": engine.Scalar(1),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	c.Detail = true
	r, err := c.Compute()
	if err != nil {
		fmt.Println(err)
		return
	}
	lat := r.Detail["lattice"].([]engine.CTCLattice)[0]
	fmt.Println("extended:", lat.Extended)
	fmt.Printf("p(target) = %.2f\n", math.Exp(float64(lat.LogLikelihood))) // 0.4·0.6 + 0.5·0.3 + 0.4·0.3
	fmt.Println("viterbi:", lat.ViterbiPath)
	fmt.Printf("loss = %.4f\n", r.Loss.Data[0])
	// Output:
	// extended: [0 1 0]
	// p(target) = 0.51
	// viterbi: [1 2]
	// loss = 0.6733
}
