package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// Finite-difference settings: central differences with step fdStep, and
// the tolerance they can be held to in float64.
const (
	fdStep = 1e-6
	fdRTol = 1e-4
	fdATol = 1e-6
)

// TestGradientsFiniteDifferences checks every loss's analytic gradient
// against central finite differences on seeded random inputs, for every
// reduction it offers, with default parameters.
func TestGradientsFiniteDifferences(t *testing.T) {
	for _, spec := range All() {
		reductions := []string{""}
		if p := spec.Param("reduction"); p != nil {
			reductions = p.Values
		}
		for _, red := range reductions {
			t.Run(spec.Name+"/"+red, func(t *testing.T) {
				if spec.GradientNote != "" {
					t.Skipf("gradient is not the free-input derivative (%s); checked by the loss's own tests", spec.GradientNote)
				}
				rng := rand.New(rand.NewPCG(1, uint64(len(spec.Name))))
				params := map[string]any{}
				if red != "" {
					params["reduction"] = red
				}
				for trial := range 3 {
					t.Run(fmt.Sprint(trial), func(t *testing.T) {
						checkGradients(t, spec, params, spec.Random(rng, ScaleTiny))
					})
				}
			})
		}
	}
}

// checkGradients compares the analytic gradient of loss.sum() with respect
// to each differentiable input with central finite differences.
func checkGradients(t *testing.T, spec *Spec, params map[string]any, inputs map[string]*Tensor) {
	t.Helper()
	c, err := NewCall(spec, params, inputs)
	if err != nil {
		t.Fatalf("NewCall(%s, %v): %v", spec.Name, params, err)
	}
	res, err := c.Compute()
	if err != nil {
		t.Fatalf("Compute: %v", err)
	}
	total := func() float64 {
		r, err := c.Compute()
		if err != nil {
			t.Fatalf("Compute: %v", err)
		}
		return Sum(r.Loss.Data)
	}
	if v := total(); math.IsNaN(v) || math.IsInf(v, 0) {
		t.Fatalf("loss is %v on random inputs; finite differences need a finite loss", v)
	}
	checked := 0
	for _, in := range spec.Inputs {
		if !in.Differentiable {
			continue
		}
		x := inputs[in.Name]
		grad := res.Grads[in.Name]
		if grad == nil {
			t.Fatalf("no gradient for %s", in.Name)
		}
		for i := range x.Data {
			orig := x.Data[i]
			x.Data[i] = orig + fdStep
			up := total()
			x.Data[i] = orig - fdStep
			down := total()
			x.Data[i] = orig
			fd := (up - down) / (2 * fdStep)
			if !closeTo(grad.Data[i], fd, fdRTol, fdATol) {
				t.Errorf("d loss / d %s[%d] = %v; finite differences give %v", in.Name, i, grad.Data[i], fd)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatalf("%s has no differentiable input to check", spec.Name)
	}
}
