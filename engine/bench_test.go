package engine

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkLoss measures one forward pass plus every input gradient, with
// default parameters and reduction "mean", on the sizes of each Scale:
// small is 4x16 elements (classification N=4, C=16), large is 1024x1024
// (classification N=4096, C=256). The scripts in torchbench/ time PyTorch on the
// same shapes. The float32 runs (named .../float32) compute the same calls
// in float32, which is the float64 pass (validation, shapes) and the
// float32 kernel.
func BenchmarkLoss(b *testing.B) {
	for _, spec := range All() {
		for _, sc := range []struct {
			name  string
			scale Scale
			dtype DType
		}{{"small", ScaleSmall, Float64}, {"large", ScaleLarge, Float64},
			{"small/float32", ScaleSmall, Float32}, {"large/float32", ScaleLarge, Float32}} {
			b.Run(spec.Name+"/"+sc.name, func(b *testing.B) {
				rng := rand.New(rand.NewPCG(1, 2))
				c, err := NewCall(spec, nil, spec.Random(rng, sc.scale))
				if err != nil {
					b.Fatal(err)
				}
				if err := c.SetDType(sc.dtype); err != nil {
					b.Fatal(err)
				}
				var r Result
				b.ReportAllocs()
				for b.Loop() {
					if err := c.ComputeInto(&r); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
