package state

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/lossplayground/playground/engine"
)

func TestParseRoundTrip(t *testing.T) {
	spec, ok := engine.Lookup("L1Loss")
	if !ok {
		t.Fatal("L1Loss not registered")
	}
	tests := []struct {
		name  string
		query string
	}{
		{"defaults", ""},
		{"bare string", "reduction=sum"},
		{"tensor input", "input=[[1,2],[3,4]]&target=[0,1]"},
		{"view", "element=3&overlay=1&theme=dark&lang=zh"},
		{"nan string", `input=["NaN",1]&target=[0,0]`},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			q, err := url.ParseQuery(test.query)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Parse(spec, q)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", test.query, err)
			}
			again, err := Parse(spec, Query(s))
			if err != nil {
				t.Fatalf("Parse(Query(%q)) error: %v", test.query, err)
			}
			if got, want := Query(again).Encode(), Query(s).Encode(); got != want {
				t.Errorf("round trip of %q = %s; want %s", test.query, got, want)
			}
			if _, err := engine.DecodeCall(spec, s.Params, s.Inputs); err != nil {
				t.Errorf("DecodeCall of parsed %q: %v", test.query, err)
			}
		})
	}
}

func TestParseDefaultsInputsFromExamples(t *testing.T) {
	spec, _ := engine.Lookup("MSELoss")
	s, err := Parse(spec, url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(spec.Input("input").Example)
	if got := string(s.Inputs["input"]); got != string(want) {
		t.Errorf("default input = %s; want the example %s", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	spec, _ := engine.Lookup("L1Loss")
	for _, query := range []string{"bogus=1", "element=-1", "lattice=gamma", "theme=blue", "lang=fr"} {
		q, _ := url.ParseQuery(query)
		if _, err := Parse(spec, q); err == nil {
			t.Errorf("Parse(%q) succeeded; want an error", query)
		}
	}
}
