package engine

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestDetailDoesNotChangeNumbers checks, for every loss and reduction, on
// its example inputs and on random ones, that asking for detail leaves the
// loss and the gradients bit for bit as they are without it: the page
// (which asks for detail) and the API must print the same numbers.
func TestDetailDoesNotChangeNumbers(t *testing.T) {
	for _, spec := range All() {
		reductions := []string{""}
		if p := spec.Param("reduction"); p != nil {
			reductions = p.Values
		}
		examples := map[string]*Tensor{}
		for _, in := range spec.Inputs {
			b, err := json.Marshal(in.Example)
			if err != nil {
				t.Fatal(err)
			}
			if examples[in.Name], err = ParseTensor(b); err != nil {
				t.Fatalf("%s example %s: %v", spec.Name, in.Name, err)
			}
		}
		random := spec.Random(rand.New(rand.NewPCG(3, 4)), ScaleSmall)
		for _, red := range reductions {
			for _, inputs := range []map[string]*Tensor{examples, random} {
				params := map[string]any{}
				if red != "" {
					params["reduction"] = red
				}
				c, err := NewCall(spec, params, inputs)
				if err != nil {
					t.Fatalf("%s/%s: %v", spec.Name, red, err)
				}
				plain, err := c.Compute()
				if err != nil {
					t.Fatalf("%s/%s: %v", spec.Name, red, err)
				}
				c.Detail = true
				detailed, err := c.Compute()
				if err != nil {
					t.Fatalf("%s/%s with detail: %v", spec.Name, red, err)
				}
				// The detail holds "elements" and the fields the spec
				// documents; only a field documented as needing a
				// parameter ("With swap only: …") may be absent.
				for f := range detailed.Detail {
					if _, ok := spec.DetailFields[f]; !ok && f != "elements" {
						t.Errorf("%s/%s: detail[%q] is not in DetailFields", spec.Name, red, f)
					}
				}
				for f, doc := range spec.DetailFields {
					if _, ok := detailed.Detail[f]; !ok && !strings.HasPrefix(doc, "With ") {
						t.Errorf("%s/%s: detail[%q] missing", spec.Name, red, f)
					}
				}
				sameBits(t, spec.Name+"/"+red+" loss with detail (want as without)", detailed.Loss, plain.Loss)
				for name, g := range plain.Grads {
					sameBits(t, spec.Name+"/"+red+" grad "+name+" with detail (want as without)", detailed.Grads[name], g)
				}
			}
		}
	}
}

// sameBits reports the first element where got and want differ in bits,
// NaN matching NaN whatever its payload.
func sameBits(t *testing.T, what string, got, want *Tensor) {
	t.Helper()
	if got == nil || len(got.Data) != len(want.Data) {
		t.Errorf("%s: got %v; want %d elements", what, got, len(want.Data))
		return
	}
	for i := range want.Data {
		if !sameFloat(got.Data[i], want.Data[i]) {
			t.Errorf("%s[%d] = %v; want %v", what, i, got.Data[i], want.Data[i])
			return
		}
	}
}

// sameFloat reports whether x and y have the same bits (-0 differs from 0),
// NaN matching NaN.
func sameFloat(x, y float64) bool {
	return math.Float64bits(x) == math.Float64bits(y) || math.IsNaN(x) && math.IsNaN(y)
}

// TestAllInCatalogOrder checks that All lists all 21 losses once, by family
// in the order of Families and then by name, and hands out its own slice.
func TestAllInCatalogOrder(t *testing.T) {
	all := All()
	if len(all) != 21 {
		t.Errorf("All() has %d losses; want PyTorch's 21", len(all))
	}
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		fa, fb := slices.Index(Families, a.Family), slices.Index(Families, b.Family)
		if fa < 0 || fb < fa || (fa == fb && a.Name >= b.Name) {
			t.Errorf("All()[%d], [%d] = %s (%s), %s (%s); want families in catalog order, then names ascending", i-1, i, a.Name, a.Family, b.Name, b.Family)
		}
	}
	all[0] = nil
	if All()[0] == nil {
		t.Errorf("changing the slice All returned changed the catalog")
	}
}

// TestLookup checks that every loss is found by its name and by its slug.
func TestLookup(t *testing.T) {
	for _, spec := range All() {
		if got, ok := Lookup(spec.Name); !ok || got != spec {
			t.Errorf("Lookup(%q) = %v, %v; want %s", spec.Name, got, ok, spec.Name)
		}
		if got, ok := LookupSlug(spec.Slug); !ok || got != spec {
			t.Errorf("LookupSlug(%q) = %v, %v; want %s", spec.Slug, got, ok, spec.Name)
		}
	}
	if got, ok := LookupSlug("no-such-loss"); ok {
		t.Errorf("LookupSlug(no-such-loss) = %s; want none", got.Name)
	}
}
