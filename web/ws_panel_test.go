package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"testing"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/state"
)

// TestWSResultPanel checks, for every loss, that a page's live result
// carries the result panel the server renders for the page's permalink:
// with every parameter sent at its default (the page sends them all; the
// permalink leaves defaults out, and so must the PyTorch snippet), and
// with a parameter changed.
func TestWSResultPanel(t *testing.T) {
	_, srv := wsTestApp(t, nil, wsHooks{})
	conn := wsTestDial(t, srv)
	id := int64(0)
	for _, spec := range engine.All() {
		defaults := map[string]json.RawMessage{}
		for _, p := range spec.Params {
			defaults[p.Name], _ = json.Marshal(p.Default)
		}
		sum := map[string]json.RawMessage{}
		for k, v := range defaults {
			sum[k] = v
		}
		sum["reduction"] = json.RawMessage(`"sum"`)
		tests := []struct {
			name   string
			params map[string]json.RawMessage
			query  url.Values // the permalink's
		}{
			{"defaults", defaults, url.Values{}},
			{"reduction sum", sum, url.Values{"reduction": {"sum"}}},
		}
		for _, test := range tests {
			t.Run(spec.Name+"/"+test.name, func(t *testing.T) {
				id++
				params, _ := json.Marshal(test.params)
				wsTestSend(t, conn, fmt.Sprintf(`{"type":"compute","id":%d,"loss":%q,"params":%s,"inputs":%s,"detail":true,"view":{}}`,
					id, spec.Name, params, apiTestExampleInputs(t, spec)))
				r := wsTestRead(t, conn)
				wsTestWantResult(t, r, id)
				if r.Panel == nil {
					t.Fatalf("result %v has no panel", r)
				}
				st, err := state.Parse(spec, test.query)
				if err != nil {
					t.Fatalf("state.Parse(%v) = %v", test.query, err)
				}
				page, err := buildLossPage(context.Background(), testComputer(), spec, st)
				if err != nil {
					t.Fatalf("buildLossPage(%v) = %v", test.query, err)
				}
				want := page.Result
				want.ChartsJSON = "" // charts travel beside the panel
				gotJSON, _ := json.Marshal(r.Panel)
				wantJSON, _ := json.Marshal(want)
				if string(gotJSON) != string(wantJSON) {
					t.Errorf("live panel = %s\nwant the page's panel for ?%s = %s", gotJSON, test.query.Encode(), wantJSON)
				}
			})
		}
	}
}

// TestWSResultPanelOnlyForPages checks that a result carries a panel only
// when a page asks (a view and detail): API-like clients pay for none.
func TestWSResultPanelOnlyForPages(t *testing.T) {
	_, srv := wsTestApp(t, nil, wsHooks{})
	conn := wsTestDial(t, srv)
	spec, ok := engine.Lookup("MSELoss")
	if !ok {
		t.Fatal("MSELoss is not registered")
	}
	inputs := apiTestExampleInputs(t, spec)
	tests := []struct {
		name      string
		msg       string
		wantPanel bool
	}{
		{"page", `{"type":"compute","id":1,"loss":"MSELoss","inputs":` + inputs + `,"detail":true,"view":{}}`, true},
		{"no view", `{"type":"compute","id":2,"loss":"MSELoss","inputs":` + inputs + `,"detail":true}`, false},
		{"no detail", `{"type":"compute","id":3,"loss":"MSELoss","inputs":` + inputs + `,"view":{}}`, false},
	}
	for i, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			wsTestSend(t, conn, test.msg)
			r := wsTestRead(t, conn)
			wsTestWantResult(t, r, int64(i+1))
			if got := r.Panel != nil; got != test.wantPanel {
				t.Errorf("result has a panel = %v; want %v", got, test.wantPanel)
			}
		})
	}
}

// BenchmarkWSPanel measures what the panel adds to a page's live result:
// building it from the evaluation (the reduction spelled out, every
// tensor formatted as PyTorch prints it, the snippet) and encoding it.
// BenchmarkComputeMessage measures the whole message with it.
func BenchmarkWSPanel(b *testing.B) {
	for _, spec := range engine.All() {
		b.Run(spec.Name, func(b *testing.B) {
			req := &LossRequest{Inputs: map[string]json.RawMessage{}, Detail: true}
			if err := json.Unmarshal([]byte(apiTestExampleInputs(b, spec)), &req.Inputs); err != nil {
				b.Fatal(err)
			}
			ev, err := testComputer().Evaluate(context.Background(), spec, req, nil, nil)
			if err != nil {
				b.Fatal(err)
			}
			var buf []byte
			b.ReportAllocs()
			for b.Loop() {
				if buf, err = wsPanel(spec, ev, req, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(buf)), "bytes/panel")
		})
	}
}
