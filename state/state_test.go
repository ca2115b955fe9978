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

// TestParseSpellsInfinity checks that a number beyond float64's range
// reaches the page's state as the infinity it stands for, spelled as the
// API spells it: JSON.parse then JSON.stringify in the page's script would
// turn the bare number into null.
func TestParseSpellsInfinity(t *testing.T) {
	spec, ok := engine.Lookup("SmoothL1Loss")
	if !ok {
		t.Fatal("SmoothL1Loss not registered")
	}
	tests := []struct {
		key, value, want string
	}{
		{"beta", "1e400", `"Infinity"`},
		{"beta", "-1E+400", `"-Infinity"`},
		{"beta", "1e-400", `1e-400`}, // underflow is a number: 0
		{"beta", "1.5", `1.5`},
		{"input", "[[1e400,1,2],[1,2,-2e308]]", `[["Infinity",1,2],[1,2,"-Infinity"]]`},
		{"input", `[["1e400", 1e400]]`, `[["1e400", "Infinity"]]`},
		{"input", `["a\"1e400", 3]`, `["a\"1e400", 3]`},
	}
	for _, test := range tests {
		t.Run(test.key+"="+test.value, func(t *testing.T) {
			s, err := Parse(spec, url.Values{test.key: {test.value}})
			if err != nil {
				t.Fatal(err)
			}
			got := s.Params[test.key]
			if got == nil {
				got = s.Inputs[test.key]
			}
			if string(got) != test.want {
				t.Errorf("Parse(%s=%s) = %s; want %s", test.key, test.value, got, test.want)
			}
		})
	}
}
