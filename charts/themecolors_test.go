package charts

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/lossplayground/playground/engine"
)

// repaint replaces every string of an option that is a key of colours, as
// web/ui/charts.js does with the generated map.
func repaint(v any, colours map[string]string) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = repaint(x, colours)
		}
	case []any:
		for i, x := range v {
			v[i] = repaint(x, colours)
		}
	case string:
		if c, ok := colours[strings.ToLower(v)]; ok {
			return c
		}
	}
	return v
}

// TestDarkOfRepaintsLight checks that the light option of every chart of
// every loss, repainted with DarkOf, is the dark option the server builds:
// a page in a dark browser then draws what ?theme=dark draws.
func TestDarkOfRepaintsLight(t *testing.T) {
	dark := DarkOf()
	for l, d := range dark {
		if _, ok := dark[d]; ok {
			t.Errorf("DarkOf()[%s] = %s, itself a light colour: repainting twice would change it", l, d)
		}
		if l != strings.ToLower(l) || d != strings.ToLower(d) {
			t.Errorf("DarkOf() pair %s -> %s is not lower case", l, d)
		}
	}
	for _, spec := range engine.All() {
		t.Run(spec.Name, func(t *testing.T) {
			c, res := compute(t, spec, nil, exampleInputs(t, spec))
			for _, lang := range []string{"en", "zh"} {
				light, err := Build(c, res, View{Lang: lang, Lattice: "alpha"})
				if err != nil {
					t.Fatal(err)
				}
				darkOpts, err := Build(c, res, View{Lang: lang, Lattice: "alpha", Theme: "dark"})
				if err != nil {
					t.Fatal(err)
				}
				ids := keys(light)
				if got := keys(darkOpts); !slices.Equal(got, ids) {
					t.Fatalf("dark charts = %v; want %v", got, ids)
				}
				for _, id := range ids {
					var l, d any
					if err := json.Unmarshal(light[id], &l); err != nil {
						t.Fatal(err)
					}
					if err := json.Unmarshal(darkOpts[id], &d); err != nil {
						t.Fatal(err)
					}
					got, _ := json.Marshal(repaint(l, dark))
					want, _ := json.Marshal(d)
					if string(got) != string(want) {
						t.Errorf("%s %s: light repainted =\n%s\nwant the dark option\n%s", lang, id, got, want)
					}
				}
			}
		})
	}
}
