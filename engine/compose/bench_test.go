package compose

import (
	"context"
	"testing"

	"github.com/lossplayground/playground/engine"
)

// BenchmarkFormula measures an evaluation, forward and backward, per node
// element: the unit of package cost's formula estimate.
func BenchmarkFormula(b *testing.B) {
	f, err := Parse("alpha*target*(1 - sigmoid(input))^gamma*softplus(-input) + (1 - alpha)*(1 - target)*sigmoid(input)^gamma*softplus(input)")
	if err != nil {
		b.Fatal(err)
	}
	p, _ := f.Bind(map[string]float64{"alpha": 0.25, "gamma": 2})
	const n = 1 << 16
	x, y := engine.NewTensor(n), engine.NewTensor(n)
	for i := range x.Data {
		x.Data[i] = float64(i%200)/50 - 2
		y.Data[i] = float64(i % 2)
	}
	var r engine.Result
	b.ReportAllocs()
	for b.Loop() {
		if err := f.Eval(context.Background(), x, y, p, engine.ReductionMean, &r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(f.NodeElements(n, n, n)), "ns/node-element")
}
