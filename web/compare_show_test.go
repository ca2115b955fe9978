package web

import (
	"encoding/json"
	"html"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// compareDataBlock extracts and decodes a comparison page's data block.
func compareDataBlock(t *testing.T, body string) map[string]json.RawMessage {
	t.Helper()
	m := regexp.MustCompile(`(?s)<script id="compare-data" type="application/json">(.*?)</script>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("page has no compare-data block")
	}
	var d map[string]json.RawMessage
	if err := json.Unmarshal([]byte(m[1]), &d); err != nil {
		t.Fatalf("compare-data is not JSON: %v", err)
	}
	return d
}

func TestComparePages(t *testing.T) {
	h := newUITestApp(t)
	for _, test := range []struct {
		path   string
		charts []string
		texts  []string // in the server-rendered HTML, without script
	}{
		{"/compare/regression", []string{"loss", "derivative", "fit"},
			[]string{`data-testid="fit-slope-MSELoss"`, `data-testid="fit-slope-L1Loss"`, `data-testid="input-outlier"`, "After 400 steps"}},
		{"/compare/classification", []string{"gradient", "probs"},
			[]string{`data-testid="value-CrossEntropyLoss">1.4170<`, `data-testid="value-NLLLoss">1.4170<`, `data-testid="grad-MultiMarginLoss-1">-0.6667<`, "bitwise equal"}},
		{"/compare/margin", []string{"margin"},
			[]string{`data-testid="margin-value-hinge">0.5000<`, `data-testid="margin-value-soft margin">0.4741<`, `data-testid="margin-value-logistic">0.4741<`}},
	} {
		t.Run(test.path, func(t *testing.T) {
			res, body := uiGet(t, h, test.path)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("GET %s = %d; want 200", test.path, res.StatusCode)
			}
			if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
				t.Errorf("Content-Security-Policy = %q; want script-src 'self'", csp)
			}
			// JSON data blocks (the page's data, the interface's words) are
			// not executed; anything else inline would be.
			dataBlocks := regexp.MustCompile(`<script id="[a-z0-9-]+" type="application/json">`)
			if regexp.MustCompile(`<script>|<script [^>]*>[^<]`).MatchString(dataBlocks.ReplaceAllString(body, "")) {
				t.Error("page has an inline script")
			}
			if !regexp.MustCompile(`<script type="module" src="/static/dist/compare-[0-9A-Z]{8}\.js">`).MatchString(body) {
				t.Error("page does not load the compare module by its hashed URL")
			}
			d := compareDataBlock(t, body)
			var charts map[string]map[string]any
			if err := json.Unmarshal(d["charts"], &charts); err != nil {
				t.Fatalf("charts: %v", err)
			}
			for _, id := range test.charts {
				if len(charts[id]["series"].([]any)) == 0 {
					t.Errorf("chart %q has no series", id)
				}
				if !strings.Contains(body, `data-cmp-chart="`+id+`"`) {
					t.Errorf("page has no figure for chart %q", id)
				}
			}
			for _, s := range test.texts {
				if !strings.Contains(html.UnescapeString(body), html.UnescapeString(s)) {
					t.Errorf("page lacks %s", s)
				}
			}
		})
	}
}

func TestComparePageState(t *testing.T) {
	h := newUITestApp(t)
	for _, test := range []struct {
		path, want string
	}{
		{"/compare/regression?beta=0.5&delta=2&outlier=-3", `"settings":{"beta":0.5,"delta":2,"outlier":-3}`},
		{"/compare/classification?logits=1,2,3,4&target=3", `"settings":{"logits":[1,2,3,4],"target":3}`},
		{"/compare/margin?margin=2&at=-1", `"settings":{"margin":2,"at":-1}`},
		{"/compare/regression?theme=dark", `"theme":"dark"`},
	} {
		t.Run(test.path, func(t *testing.T) {
			res, body := uiGet(t, h, test.path)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, test.want) {
				t.Errorf("GET %s = %d; want 200 with %s", test.path, res.StatusCode, test.want)
			}
		})
	}
}

func TestComparePageBadState(t *testing.T) {
	h := newUITestApp(t)
	for _, test := range []struct {
		path, want string
	}{
		{"/compare/regression?beta=x", "beta: must be a finite number"},
		{"/compare/regression?delta=0", "delta: must be greater than 0"},
		{"/compare/regression?outlier=99", "outlier: must be between -4 and 10"},
		{"/compare/classification?logits=1", "logits: need 2 to 10 classes, got 1"},
		{"/compare/classification?logits=1,z", `logits[1]: must be a number, got "z"`},
		{"/compare/classification?target=7", "target: must be a class index in [0, 3), got 7"},
		{"/compare/margin?at=NaN", "at: must be a finite number"},
		{"/compare/margin?margin=-1", "margin: must be between 0 and 3"},
	} {
		t.Run(test.path, func(t *testing.T) {
			res, body := uiGet(t, h, test.path)
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(html.UnescapeString(body), test.want) {
				t.Errorf("GET %s = %d; want 400 naming %q", test.path, res.StatusCode, test.want)
			}
		})
	}
}

// TestCompareFormatTable checks that a table's whole numbers beside
// fractions print with four decimals, as inside a PyTorch tensor that is
// not all whole, and that an all-whole table keeps PyTorch's "0.".
func TestCompareFormatTable(t *testing.T) {
	tests := []struct {
		in   []float64
		want []string
	}{
		{[]float64{0.1799, 0, -2, 1}, []string{"0.1799", "0.0000", "-2.0000", "1.0000"}},
		{[]float64{0, 0, 1}, []string{"0.", "0.", "1."}},
		{[]float64{0, 1e-6, 3}, []string{"0.0000", "1.0000e-06", "3.0000"}},
		{[]float64{math.NaN(), 0}, []string{"nan", "0.0000"}},
		{[]float64{math.Inf(1), 0}, []string{"inf", "0."}},
	}
	for _, test := range tests {
		if got := compareFormatTable(test.in); !slices.Equal(got, test.want) {
			t.Errorf("compareFormatTable(%v) = %q; want %q", test.in, got, test.want)
		}
	}
}

// TestCompareClassificationZeros checks a classification page where the
// target's logit clears every margin: MultiMarginLoss is 0 with zero
// gradients, and its row must read "0.0000" beside the other losses' four
// decimals.
func TestCompareClassificationZeros(t *testing.T) {
	h := newUITestApp(t)
	_, body := uiGet(t, h, "/compare/classification?logits=0,5,0,0&target=1")
	for _, want := range []string{`data-testid="value-MultiMarginLoss">0.0000<`, `data-testid="grad-MultiMarginLoss-0">0.0000<`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(body, `>0.<`) {
		t.Error(`page prints a zero as "0." beside four-decimal values`)
	}
}
