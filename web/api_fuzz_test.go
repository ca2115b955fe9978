package web

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/lossplayground/playground/engine"
)

// apiFuzzNumber matches a JSON number.
var apiFuzzNumber = regexp.MustCompile(`-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?`)

// FuzzComputeLoss posts arbitrary bodies to the loss API: it must never
// panic or answer 500, only 200 with JSON or 4xx with {"error": ...}. The
// loss is chosen by index among the registered losses (one past the end is
// an unknown name), so that mutations keep hitting real losses as more are
// registered.
func FuzzComputeLoss(f *testing.F) {
	specs := engine.All()
	for i, spec := range specs {
		in := apiTestExampleInputs(f, spec)
		f.Add(uint(i), `{"params":{},"inputs":`+in+`,"detail":true}`)
		f.Add(uint(i), `{"inputs":`+in+`}`)
		params := map[string]any{}
		for _, p := range spec.Params {
			params[p.Name] = p.Default
		}
		pb, err := json.Marshal(params)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint(i), `{"params":`+string(pb)+`,"inputs":`+in+`,"detail":true}`)
		// Non-finite values in one input at a time: the answer must still
		// encode (a NaN in detail must be written "NaN", not fail).
		for _, inSpec := range spec.Inputs {
			for _, v := range []string{`"NaN"`, `"Infinity"`, `"-Infinity"`, `0`} {
				inputs := map[string]json.RawMessage{}
				if err := json.Unmarshal([]byte(in), &inputs); err != nil {
					f.Fatal(err)
				}
				inputs[inSpec.Name] = apiFuzzNumber.ReplaceAll(inputs[inSpec.Name], []byte(v))
				ib, err := json.Marshal(inputs)
				if err != nil {
					f.Fatal(err)
				}
				f.Add(uint(i), `{"inputs":`+string(ib)+`,"detail":true}`)
			}
		}
	}
	for _, body := range []string{
		``, `{`, `[]`, `null`, `{"inputs":{}}`, `{"params":{"reduction":"none"},"inputs":{"input":[["NaN"]],"target":[["Infinity"]]}}`,
		`{"inputs":{"input":[],"target":[]},"detail":true}`,
		`{"inputs":{"input":[[],[]],"target":[1]}}`,
		`{"inputs":{"input":1e999,"target":-1e999},"detail":true}`,
		`{"inputs":{"input":[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]],"target":0}}`,
		`{"params":{"size_average":false,"reduce":null},"inputs":{"input":[1,2],"target":[[0],[1]]}}`,
	} {
		f.Add(uint(0), body)
	}
	h := apiTestHandler(f)
	f.Fuzz(func(t *testing.T, loss uint, body string) {
		name := "NoSuchLoss"
		if n := uint(len(specs)); loss%(n+1) < n {
			name = specs[loss%(n+1)].Name
		}
		status, got, _ := apiTestServe(h, "POST", "/api/v1/losses/"+name, body)
		switch {
		case status == http.StatusOK:
			if !json.Valid([]byte(got)) {
				t.Errorf("POST %s %q: 200 with invalid JSON %.200q", name, body, got)
			}
		case status >= 400 && status < 500:
			var e struct {
				Error string `json:"error"`
			}
			if err := json.Unmarshal([]byte(got), &e); err != nil || strings.TrimSpace(e.Error) == "" {
				t.Errorf("POST %s %q: %d with body %.200q; want {\"error\": message}", name, body, status, got)
			}
		default:
			t.Errorf("POST %s %q: status %d, body %.200q; want 200 or 4xx", name, body, status, got)
		}
	})
}
