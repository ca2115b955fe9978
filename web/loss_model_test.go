package web

import (
	"context"
	"encoding/json"
	"math"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/state"
)

func TestTorchFormat(t *testing.T) {
	tests := []struct {
		name    string
		in      []float64
		integer bool
		want    []string
	}{
		{"fixed", []float64{0.5, -1.25, 2}, false, []string{"0.5000", "-1.2500", "2.0000"}},
		{"whole numbers", []float64{1, -2, 0}, false, []string{"1.", "-2.", "0."}},
		{"wide range is scientific", []float64{1e-5, 1}, false, []string{"1.0000e-05", "1.0000e+00"}},
		{"large is scientific", []float64{2.5e9}, false, []string{"2.5000e+09"}},
		{"whole numbers over a wide range are scientific", []float64{1, -2000}, false, []string{"1.0000e+00", "-2.0000e+03"}},
		{"whole numbers up to 1e8 stay whole", []float64{1e8, 1e6}, false, []string{"100000000.", "1000000."}},
		{"non-finite", []float64{math.NaN(), 0.5, math.Inf(1), math.Inf(-1)}, false, []string{"nan", "0.5000", "inf", "-inf"}},
		{"integer tensor", []float64{0, 2, -100}, true, []string{"0", "2", "-100"}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			if got := torchFormat(test.in, test.integer); !slices.Equal(got, test.want) {
				t.Errorf("torchFormat(%v, %v) = %v; want %v", test.in, test.integer, got, test.want)
			}
		})
	}
}

// uiPageFor builds the loss page for a query, failing the test on error.
func uiPageFor(t *testing.T, slug, query string) (*engine.Spec, state.State, *Evaluation) {
	t.Helper()
	spec, ok := engine.LookupSlug(slug)
	if !ok {
		t.Fatalf("%s is not registered", slug)
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	st, err := state.Parse(spec, q)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := testComputer().Evaluate(context.Background(), spec, &LossRequest{Params: st.Params, Inputs: st.Inputs}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return spec, st, ev
}

func TestExplainReduction(t *testing.T) {
	tests := []struct {
		slug, query string
		want        string
	}{
		{"mse", "", "mean = Σℓ / 6 = (0.25 + 0 + 4 + 0.25 + 0.25 + 1) / 6 = 0.958333"},
		{"mse", "reduction=sum", "sum = Σℓ = 0.25 + 0 + 4 + 0.25 + 0.25 + 1 = 5.75"},
		{"l1", "reduction=none", "'none' returns the 6 per-element losses ℓ themselves, shape (2, 3): nothing is added up."},
		{"l1", "size_average=false", "sum = Σℓ = 0.5 + 0 + 2 + 0.5 + 0.5 + 1 = 4.5"},
		{"mse", "input=[1,2,3,4,5,6,7,8,9,10,11,12,13,14]&target=0", "mean = Σℓ / 14 = (1 + 4 + 9 + 16 + 25 + 36 + 49 + 64 + 81 + 100 + 121 + 144 + … 2 more) / 14 = 72.5"},
		{"cross-entropy", "weight=[1,2,0.5]&input=[[2,0.5,-1],[0.25,1.5,0.5]]&target=[0,1]", "mean = Σ w[yₙ]·ℓₙ / Σ w[yₙ] = (0.241311 + 1.00686) / (1 + 2) = 1.24817 / 3 = 0.416056"},
		{"cross-entropy", "ignore_index=1&input=[[2,0.5,-1],[0.25,1.5,0.5]]&target=[0,1]", "mean = Σ w[yₙ]·ℓₙ / Σ w[yₙ] = (0.241311 + 0) / (1 + 0) = 0.241311 / 1 = 0.241311"},
	}
	for _, test := range tests {
		t.Run(test.slug+"?"+test.query, func(t *testing.T) {
			spec, _, ev := uiPageFor(t, test.slug, test.query)
			got := explainReduction(spec, ev.Call, ev.Result, "en")
			if len(got) == 0 || got[0] != test.want {
				t.Errorf("explainReduction(%s?%s) = %q; want first line %q", test.slug, test.query, got, test.want)
			}
		})
	}
}

func TestPytorchSnippet(t *testing.T) {
	spec, st, ev := uiPageFor(t, "mse", "reduction=sum&input=[[1,\"NaN\"]]&target=[[0.5,2]]")
	got := pytorchSnippet(spec, ev.Call, st)
	for _, want := range []string{
		"import torch\n",
		"input = torch.tensor([[1.0, float('nan')]], dtype=torch.float64, requires_grad=True)\n",
		"target = torch.tensor([[0.5, 2.0]], dtype=torch.float64)\n",
		"loss_fn = torch.nn.MSELoss(reduction='sum')\n",
		"loss = loss_fn(input, target)\nprint(loss)\nloss.sum().backward()\nprint(input.grad)\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("pytorchSnippet = \n%s\nwant it to contain %q", got, want)
		}
	}
	if strings.Contains(got, "target.grad") {
		t.Errorf("pytorchSnippet prints the gradient of a non-differentiable input:\n%s", got)
	}
}

func TestPytorchSnippetClassTargets(t *testing.T) {
	spec, st, ev := uiPageFor(t, "nll", "ignore_index=1&weight=[1,2,3]")
	got := pytorchSnippet(spec, ev.Call, st)
	for _, want := range []string{"dtype=torch.long)", "ignore_index=1", "weight=torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)"} {
		if !strings.Contains(got, want) {
			t.Errorf("pytorchSnippet = \n%s\nwant it to contain %q", got, want)
		}
	}
}

func TestLossSymbols(t *testing.T) {
	spec := &engine.Spec{
		Formula: `\ell_i = \max(0, -y_i (x_1 - x_2) + \text{margin}) + \beta x`,
		Inputs:  []engine.InputSpec{{Name: "input1"}, {Name: "input2"}, {Name: "target"}},
		Params:  []engine.Param{{Name: "margin"}, {Name: "beta"}, {Name: "reduction"}},
	}
	syms, marked := lossSymbols(spec)
	var got []string
	for _, s := range syms {
		got = append(got, s.Name+"="+s.LaTeX)
	}
	want := []string{"input1=x_1", "input2=x_2", "target=y_i", `margin=\text{margin}`, `beta=\beta`}
	if !slices.Equal(got, want) {
		t.Errorf("lossSymbols symbols = %v; want %v", got, want)
	}
	for _, w := range []string{`{\htmlClass{lp-sym lp-sym-input1}{x_1}}`, `{\htmlClass{lp-sym lp-sym-margin}{\text{margin}}}`, `\max(0,`, `{\htmlClass{lp-sym lp-sym-beta}{\beta}} x`} {
		if !strings.Contains(marked, w) {
			t.Errorf("lossSymbols marked = %s; want it to contain %s", marked, w)
		}
	}
}

func TestLossPageClientData(t *testing.T) {
	spec, ok := engine.LookupSlug("mse")
	if !ok {
		t.Fatal("MSELoss is not registered")
	}
	st, err := state.Parse(spec, url.Values{"reduction": {"sum"}, "theme": {"dark"}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := buildLossPage(context.Background(), testComputer(), spec, st)
	if err != nil {
		t.Fatal(err)
	}
	var data struct {
		Params map[string]json.RawMessage `json:"params"`
		Inputs map[string]json.RawMessage `json:"inputs"`
		View   struct{ Theme string }     `json:"view"`
	}
	if err := json.Unmarshal([]byte(p.ClientJSON), &data); err != nil {
		t.Fatal(err)
	}
	if got := string(data.Params["reduction"]); got != `"sum"` {
		t.Errorf("client params.reduction = %s; want \"sum\"", got)
	}
	if got := string(data.Inputs["input"]); got != `[[0.5,-1,2],[1.5,0,-0.5]]` {
		t.Errorf("client inputs.input = %s; want the example", got)
	}
	if data.View.Theme != "dark" {
		t.Errorf("client view.theme = %q; want dark", data.View.Theme)
	}
	if !strings.Contains(p.EmbedURL, "reduction=sum") || !strings.HasPrefix(p.EmbedURL, "/embed/mse?") {
		t.Errorf("EmbedURL = %s; want the embed of this state", p.EmbedURL)
	}
}

func TestFormatExactMatchesJavaScript(t *testing.T) {
	tests := []struct {
		in   float64
		want string // String(in) in JavaScript
	}{
		{0.9583333333333334, "0.9583333333333334"},
		{5.75, "5.75"},
		{0, "0"},
		{-2, "-2"},
		{1e-6, "0.000001"},
		{1.5e-7, "1.5e-7"},
		{1e21, "1e+21"},
		{123456789012345680000, "123456789012345680000"},
		{math.NaN(), "NaN"},
		{math.Inf(1), "Infinity"},
		{math.Inf(-1), "-Infinity"},
	}
	for _, test := range tests {
		if got := formatExact(test.in); got != test.want {
			t.Errorf("formatExact(%v) = %q; want %q", test.in, got, test.want)
		}
	}
}
