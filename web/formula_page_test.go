package web

import (
	"regexp"
	"strings"
	"testing"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/web/formula"
)

// TestEveryFormulaTypesets typesets what the pages show of every loss:
// its formula, the formula with its symbols marked for highlighting, and
// each symbol. KaTeX parses them all, so no page falls back to LaTeX text.
func TestEveryFormulaTypesets(t *testing.T) {
	r := formula.New(formula.Options{})
	for _, spec := range engine.All() {
		syms, marked := lossSymbols(spec)
		check := func(what, latex string, display bool) {
			if _, err := r.Render(latex, display); err != nil {
				t.Errorf("%s %s %q: %v", spec.Name, what, latex, err)
			}
		}
		check("formula", spec.Formula, true)
		check("formula, inline (embeds)", spec.Formula, false)
		check("marked formula", marked, true)
		for _, s := range syms {
			check("symbol of "+s.Name, s.LaTeX, false)
		}
	}
}

// TestPagesShipTypesetFormulas: every kind of page arrives with its
// formulas typeset and loads no KaTeX script; only pages that draw charts
// load ECharts.
func TestPagesShipTypesetFormulas(t *testing.T) {
	h := newUITestApp(t)
	tests := []struct {
		name, path string
		formulas   bool // the page shows formulas
		charts     bool // the page draws charts
	}{
		{"catalog", "/", true, true},
		{"loss", "/losses/cross-entropy", true, true},
		{"loss zh", "/losses/smooth-l1?lang=zh", true, true},
		{"embed", "/embed/huber", true, true},
		{"lesson", "/lessons/smooth-l1", true, false},
		{"lesson zh", "/lessons/smooth-l1?lang=zh", true, false},
		{"comparison", "/compare/regression", false, true},
	}
	script := regexp.MustCompile(`<script[^>]*src="([^"]+)"`)
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			res, body := uiGet(t, h, test.path)
			if res.StatusCode != 200 {
				t.Fatalf("GET %s = %d; want 200", test.path, res.StatusCode)
			}
			var scripts []string
			for _, m := range script.FindAllStringSubmatch(body, -1) {
				scripts = append(scripts, m[1])
			}
			joined := strings.Join(scripts, " ")
			if strings.Contains(strings.ToLower(joined), "katex") {
				t.Errorf("GET %s loads scripts %s; want no KaTeX script", test.path, joined)
			}
			if got := strings.Contains(joined, "echarts"); got != test.charts {
				t.Errorf("GET %s loads ECharts = %v (%s); want %v", test.path, got, joined, test.charts)
			}
			typeset := strings.Count(body, `typeset" data-latex=`)
			if test.formulas && typeset == 0 {
				t.Errorf("GET %s has no typeset formula", test.path)
			}
			if n := strings.Count(body, "katex-failed"); n > 0 {
				t.Errorf("GET %s has %d formulas KaTeX could not typeset", test.path, n)
			}
			if test.formulas && !strings.Contains(body, `rel="preload" href="/static/vendor/fonts/KaTeX_Main-Regular.`) {
				t.Errorf("GET %s does not preload KaTeX's main font", test.path)
			}
			if !regexp.MustCompile(`<link rel="icon" type="image/svg\+xml" href="/static/favicon\.[0-9a-f]+\.svg">`).MatchString(body) {
				t.Errorf("GET %s links no favicon", test.path)
			}
		})
	}
}
