package compare

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
)

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

// TestDarkOfRepaintsLight checks that every comparison chart in light,
// repainted with DarkOf, is the chart the server builds in dark.
func TestDarkOfRepaintsLight(t *testing.T) {
	dark := DarkOf()
	for l, d := range dark {
		if _, ok := dark[d]; ok {
			t.Errorf("DarkOf()[%s] = %s, itself a light colour", l, d)
		}
	}
	build := func(theme string) map[string]json.RawMessage {
		out := map[string]json.RawMessage{}
		reg, err := RegressionCharts(DefaultRegression, theme)
		if err != nil {
			t.Fatal(err)
		}
		maps.Copy(out, reg)
		lines, err := RunFit(DefaultFit())
		if err != nil {
			t.Fatal(err)
		}
		if out["fit"], err = FitChart(DefaultFit(), lines, theme, "en"); err != nil {
			t.Fatal(err)
		}
		s := DefaultClassification()
		c, err := Classify(s)
		if err != nil {
			t.Fatal(err)
		}
		cl, err := ClassificationCharts(s, c, theme)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range cl {
			out["classification/"+k] = v
		}
		ms, curves, err := MarginCurves(DefaultMargin)
		if err != nil {
			t.Fatal(err)
		}
		mc, err := MarginChart(DefaultMargin, ms, curves, theme)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range mc {
			out["margin/"+k] = v
		}
		return out
	}
	light, darkOpts := build("light"), build("dark")
	ids := slices.Sorted(maps.Keys(light))
	if got := slices.Sorted(maps.Keys(darkOpts)); !slices.Equal(got, ids) {
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
			t.Errorf("%s: light repainted =\n%s\nwant the dark option\n%s", id, got, want)
		}
	}
}
