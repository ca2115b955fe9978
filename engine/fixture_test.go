package engine

import (
	"encoding/json"
	"github.com/lossplayground/playground/engine/fixtures"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Tolerances for agreement with PyTorch (float64).
const (
	fixtureRTol = 1e-6
	fixtureATol = 1e-9
)

// Tolerances for agreement with PyTorch in float32: within float32
// rounding, where the ulp is 6·10⁻⁸ relative.
const (
	fixture32RTol = 1e-5
	fixture32ATol = 1e-6
)

type fixtureFile struct {
	Cases []fixtureCase `json:"cases"`
}

type fixtureCase struct {
	Name   string                     `json:"name"`
	Loss   string                     `json:"loss"`
	Params map[string]json.RawMessage `json:"params"`
	Inputs map[string]json.RawMessage `json:"inputs"`
	Want   *struct {
		Loss  Tensor            `json:"loss"`
		Grads map[string]Tensor `json:"grads"`
	} `json:"want"`
	Error string `json:"error"`
	// DType is "float32" for the float32 fixtures; empty means float64.
	DType string `json:"dtype"`
}

// TestFixtures compares every loss with the golden values PyTorch produced
// (engine/testdata/gen/generate.py): the loss and every gradient, NaN and
// ±Inf included; and for every call PyTorch rejects, an error.
func TestFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/fixtures/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures found: %v", err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var ff fixtureFile
		if err := json.Unmarshal(data, &ff); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, fc := range ff.Cases {
			t.Run(strings.TrimSuffix(filepath.Base(file), ".json")+"/"+fc.Name, func(t *testing.T) {
				runFixture(t, fc)
			})
		}
	}
}

func runFixture(t *testing.T, fc fixtureCase) {
	spec, ok := Lookup(fc.Loss)
	if !ok {
		t.Fatalf("loss %s is not registered", fc.Loss)
	}
	expandRepeats(t, fc.Inputs)
	dtype := Float64
	rtol, atol := fixtureRTol, fixtureATol
	if fc.DType == "float32" {
		dtype, rtol, atol = Float32, fixture32RTol, fixture32ATol
	}
	gradATol := atol
	if fc.DType == "float32" && fc.Loss == "CTCLoss" {
		// The CTC gradient is exp(lp) − exp(α + β + nll − lp), with α + β
		// of the order of nll (60 in the large cases): one ulp of
		// glibc's logf/expf there (not correctly rounded: logf errs up to
		// 0.82 ulp, so an ulp apart from the engine's correctly rounded
		// ones now and then) is 4·10⁻⁶ absolute in the exponent, and the
		// relative error of the gradient grows with it. The loss keeps
		// the 1e-5 tolerance; the gradient is allowed 1e-5 absolute
		// (the posterior γ ≤ 1 times a few ulp of 60).
		gradATol = 1e-5
	}
	res, err := decodeAndComputeIn(spec, fc.Params, fc.Inputs, dtype)
	if fc.Error != "" {
		if err == nil {
			t.Fatalf("got loss %v; want an error like PyTorch's %q", res.Loss.Data, fc.Error)
		}
		if _, ok := err.(*Error); !ok {
			t.Errorf("error %v is a %T; want *engine.Error naming the field", err, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("got error %v; want loss %v", err, fc.Want.Loss.Data)
	}
	compareTensorTol(t, "loss", res.Loss, &fc.Want.Loss, rtol, atol)
	for name, want := range fc.Want.Grads {
		got, ok := res.Grads[name]
		if !ok {
			t.Errorf("no gradient for %s", name)
			continue
		}
		compareTensorTol(t, "grad "+name, got, &want, rtol, gradATol)
	}
	for _, in := range spec.Inputs {
		if _, ok := res.Grads[in.Name]; in.Differentiable && !ok {
			t.Errorf("no gradient for differentiable input %s", in.Name)
		}
	}
}

func decodeAndComputeIn(spec *Spec, params, inputs map[string]json.RawMessage, dtype DType) (*Result, error) {
	c, err := DecodeCall(spec, params, inputs)
	if err != nil {
		return nil, err
	}
	if err := c.SetDType(dtype); err != nil {
		return nil, err
	}
	return c.Compute()
}

// compareTensor checks shape, then every element within the fixture
// tolerance, with NaN matching NaN and infinities matching exactly.
func compareTensor(t *testing.T, what string, got, want *Tensor) {
	t.Helper()
	compareTensorTol(t, what, got, want, fixtureRTol, fixtureATol)
}

// compareTensorTol is compareTensor with explicit tolerances.
func compareTensorTol(t *testing.T, what string, got, want *Tensor, rtol, atol float64) {
	t.Helper()
	if !slices.Equal(got.Shape, want.Shape) {
		t.Errorf("%s shape = %v; want %v", what, got.Shape, want.Shape)
		return
	}
	bad := 0
	for i := range want.Data {
		if !closeTo(got.Data[i], want.Data[i], rtol, atol) {
			if bad < 5 {
				t.Errorf("%s[%d] = %v; want %v", what, i, got.Data[i], want.Data[i])
			}
			bad++
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d of %d elements differ", what, bad, len(want.Data))
	}
}

// closeTo reports |got − want| ≤ atol + rtol·|want|, with NaN equal to NaN
// and infinities equal only to themselves.
func closeTo(got, want, rtol, atol float64) bool {
	if math.IsNaN(want) || math.IsNaN(got) {
		return math.IsNaN(want) && math.IsNaN(got)
	}
	if math.IsInf(want, 0) || math.IsInf(got, 0) {
		return got == want
	}
	return math.Abs(got-want) <= atol+rtol*math.Abs(want)
}

// expandRepeats expands the fixture's compact long inputs (fixtures.ExpandRepeats).
func expandRepeats(t *testing.T, inputs map[string]json.RawMessage) {
	t.Helper()
	if err := fixtures.ExpandRepeats(inputs); err != nil {
		t.Fatal(err)
	}
}
