package web

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/lossplayground/playground/engine"
)

// apiTestHandler returns the app's routes with a silent logger, and no
// practical rate limit: the fuzz target sends thousands of requests a
// second from one address, and must reach the handlers, not the limiter.
func apiTestHandler(t testing.TB) http.Handler {
	t.Helper()
	a, err := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), APIRatePerMin: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	return a.Routes()
}

// apiTestServe runs one request through h and returns the status and body.
func apiTestServe(h http.Handler, method, path, body string) (int, string, http.Header) {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String(), rec.Header()
}

func TestAPIComputeExamples(t *testing.T) {
	h := apiTestHandler(t)
	for _, spec := range engine.All() {
		for _, detail := range []bool{false, true} {
			t.Run(spec.Name, func(t *testing.T) {
				body := `{"params":{},"inputs":` + apiTestExampleInputs(t, spec) + `,"detail":` + map[bool]string{false: "false", true: "true"}[detail] + `}`
				status, got, _ := apiTestServe(h, "POST", "/api/v1/losses/"+spec.Name, body)
				if status != http.StatusOK {
					t.Fatalf("POST %s examples: status %d, %s; want 200", spec.Name, status, got)
				}
				var res struct {
					Loss   json.RawMessage            `json:"loss"`
					Grads  map[string]json.RawMessage `json:"grads"`
					Detail map[string]json.RawMessage `json:"detail"`
				}
				if err := json.Unmarshal([]byte(got), &res); err != nil {
					t.Fatalf("POST %s examples: body %s is not JSON: %v", spec.Name, got, err)
				}
				if len(res.Loss) == 0 {
					t.Errorf("POST %s examples: no loss in %s", spec.Name, got)
				}
				for _, in := range spec.Inputs {
					if _, ok := res.Grads[in.Name]; ok != in.Differentiable {
						t.Errorf("POST %s examples: grads has %s = %t; want %t (differentiable)", spec.Name, in.Name, ok, in.Differentiable)
					}
				}
				if !detail {
					if res.Detail != nil {
						t.Errorf("POST %s examples without detail: detail = %v; want none", spec.Name, res.Detail)
					}
					return
				}
				if _, ok := res.Detail["elements"]; !ok {
					t.Errorf("POST %s examples with detail: no detail.elements", spec.Name)
				}
				// Every detail field is documented (docs/protocol.md is
				// generated from DetailFields).
				for k := range res.Detail {
					if _, ok := spec.DetailFields[k]; !ok && k != "elements" {
						t.Errorf("POST %s examples: detail.%s is not in the spec's DetailFields", spec.Name, k)
					}
				}
			})
		}
	}
}

func TestAPIComputeErrors(t *testing.T) {
	h := apiTestHandler(t)
	inputs := `"inputs":{"input":[[1,2],[3,4]],"target":[[0,0],[0,0]]}`
	tests := []struct {
		name       string
		loss       string
		body       string
		wantStatus int
		wantError  []string // substrings of the message
	}{
		{"unknown loss", "NoSuchLoss", `{` + inputs + `}`, 404, []string{`unknown loss "NoSuchLoss"`}},
		{"body over 1 MiB", "MSELoss", `{"inputs":{"input":[` + strings.Repeat("0,", maxRequestBytes/2) + `0]}}`, 413, []string{"larger than 1 MiB"}},
		{"empty body", "MSELoss", ``, 400, []string{"request body", "empty"}},
		{"malformed JSON", "MSELoss", `{"inputs":{"input":[1,2}}`, 400, []string{"request body", "invalid JSON"}},
		{"truncated JSON", "MSELoss", `{"inputs":`, 400, []string{"request body", "unexpected end"}},
		{"trailing data", "MSELoss", `{` + inputs + `} {}`, 400, []string{"unexpected data after the JSON object"}},
		{"not an object", "MSELoss", `[1]`, 400, []string{"expected a JSON object"}},
		{"unknown field", "MSELoss", `{"colour":"red",` + inputs + `}`, 400, []string{`unknown field "colour"`}},
		{"params not an object", "MSELoss", `{"params":[1],` + inputs + `}`, 400, []string{"params: expected an object"}},
		{"detail not a bool", "MSELoss", `{"detail":1,` + inputs + `}`, 400, []string{"detail: expected true or false"}},
		{"unknown parameter", "MSELoss", `{"params":{"margin":1},` + inputs + `}`, 422, []string{"params.margin", "unknown parameter for MSELoss", "reduction"}},
		{"wrong parameter type", "MSELoss", `{"params":{"reduction":5},` + inputs + `}`, 422, []string{"params.reduction", "not a valid value"}},
		{"wrong legacy type", "L1Loss", `{"params":{"reduce":"yes"},` + inputs + `}`, 422, []string{"params.reduce", "true or false"}},
		{"unknown input", "MSELoss", `{"inputs":{"input":[1],"target":[1],"var":[1]}}`, 422, []string{"var", "unknown input for MSELoss"}},
		{"input not a tensor", "MSELoss", `{"inputs":{"input":"big","target":[1]}}`, 422, []string{"input", "not a number"}},
		{"input of objects", "MSELoss", `{"inputs":{"input":[{"a":1}],"target":[1]}}`, 422, []string{"input", "expected a number"}},
		{"ragged array", "MSELoss", `{"inputs":{"input":[[1,2],[3]],"target":[1]}}`, 422, []string{"input", "ragged"}},
		{"missing input", "MSELoss", `{"inputs":{"input":[1]}}`, 422, []string{"target", "missing input", "input, target"}},
		{"null input", "MSELoss", `{"inputs":{"input":[1],"target":null}}`, 422, []string{"target", "missing input"}},
		{"shape mismatch", "MSELoss", `{"inputs":{"input":[[1,2,3]],"target":[[1,2]]}}`, 422, []string{"target", "[1, 2]", "does not broadcast", "[1, 3]"}},
		{"broadcast too large", "MSELoss", `{"inputs":{"input":` + apiTestColumn(3000) + `,"target":[` + apiTestRow(3000) + `]}}`, 422, []string{"target", "[3000, 3000]", "more than the 2097152 elements"}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			status, body, header := apiTestServe(h, "POST", "/api/v1/losses/"+test.loss, test.body)
			if status != test.wantStatus {
				t.Errorf("status = %d; want %d (body %.200s)", status, test.wantStatus, body)
			}
			if got, want := header.Get("Content-Type"), "application/json"; got != want {
				t.Errorf("Content-Type = %q; want %q", got, want)
			}
			var e struct {
				Error string `json:"error"`
			}
			if err := json.Unmarshal([]byte(body), &e); err != nil {
				t.Fatalf("body %.200s is not {\"error\": ...}: %v", body, err)
			}
			for _, want := range test.wantError {
				if !strings.Contains(e.Error, want) {
					t.Errorf("error = %q; want it to contain %q", e.Error, want)
				}
			}
		})
	}
}

func TestAPIListLosses(t *testing.T) {
	h := apiTestHandler(t)
	status, body, header := apiTestServe(h, "GET", "/api/v1/losses", "")
	if status != http.StatusOK {
		t.Fatalf("GET /api/v1/losses: status %d; want 200", status)
	}
	if got, want := header.Get("Content-Type"), "application/json"; got != want {
		t.Errorf("Content-Type = %q; want %q", got, want)
	}
	var list struct {
		Losses []struct {
			Name         string            `json:"name"`
			Slug         string            `json:"slug"`
			Family       string            `json:"family"`
			Formula      string            `json:"formula"`
			Params       []engine.Param    `json:"params"`
			Inputs       []json.RawMessage `json:"inputs"`
			DetailFields map[string]string `json:"detail_fields"`
		} `json:"losses"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatalf("body is not the loss list: %v", err)
	}
	var got, want []string
	for _, l := range list.Losses {
		got = append(got, l.Name)
	}
	for _, s := range engine.All() {
		want = append(want, s.Name)
	}
	if !slices.Equal(got, want) {
		t.Errorf("listed losses = %v; want %v", got, want)
	}
	for i, l := range list.Losses {
		if i >= len(want) {
			break
		}
		spec := engine.All()[i]
		if l.Slug != spec.Slug || l.Family != string(spec.Family) || l.Formula != spec.Formula {
			t.Errorf("%s: slug, family, formula = %q, %q, %q; want %q, %q, %q", l.Name, l.Slug, l.Family, l.Formula, spec.Slug, spec.Family, spec.Formula)
		}
		if len(l.Params) != len(spec.Params) || len(l.Inputs) != len(spec.Inputs) {
			t.Errorf("%s: %d params, %d inputs; want %d, %d", l.Name, len(l.Params), len(l.Inputs), len(spec.Params), len(spec.Inputs))
		}
		if len(l.DetailFields) != len(spec.DetailFields) {
			t.Errorf("%s: %d detail fields; want %d", l.Name, len(l.DetailFields), len(spec.DetailFields))
		}
	}
}

func TestHealthz(t *testing.T) {
	h := apiTestHandler(t)
	status, body, _ := apiTestServe(h, "GET", "/healthz", "")
	if status != http.StatusOK || body != "ok" {
		t.Errorf("GET /healthz = %d %q; want 200 \"ok\"", status, body)
	}
}

// apiTestExampleInputs returns a loss's example inputs as the API takes them.
func apiTestExampleInputs(t testing.TB, spec *engine.Spec) string {
	t.Helper()
	in := map[string]any{}
	for _, s := range spec.Inputs {
		in[s.Name] = s.Example
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// apiTestColumn is a JSON [n, 1] tensor of zeros.
func apiTestColumn(n int) string { return "[" + strings.Repeat("[0],", n-1) + "[0]]" }

// apiTestRow is n comma-separated zeros.
func apiTestRow(n int) string { return strings.Repeat("0,", n-1) + "0" }
