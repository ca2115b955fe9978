package web

import (
	"regexp"
	"strings"
	"testing"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/formula"
	"github.com/lossplayground/playground/i18n"
)

// TestEveryFormulaTypesets typesets what the pages show of every loss:
// its formula, the formula with its symbols marked for highlighting, and
// each symbol. KaTeX parses them all, so no page falls back to LaTeX text.
func TestEveryFormulaTypesets(t *testing.T) {
	r := formula.New(formula.Options{})
	for _, lang := range i18n.Languages {
		for _, spec := range engine.All() {
			fs := lossFormulas(spec, lang)
			if len(fs) < 3 {
				t.Errorf("%s: %d formulas; want at least the formula, inline and marked", spec.Name, len(fs))
			}
			for _, f := range fs {
				if _, err := r.Render(f.latex, f.display); err != nil {
					t.Errorf("%s %s %s %q: %v", lang, spec.Name, f.what, f.latex, err)
				}
			}
		}
	}
}

var annotation = regexp.MustCompile(`<annotation encoding="application/x-tex">[^<]*</annotation>`)

// TestFormulaProseInLanguage checks that the words of the formulas (if,
// otherwise, or, "with 0 log 0 = 0") are Chinese on Chinese pages, and
// that parameter names stay PyTorch's.
func TestFormulaProseInLanguage(t *testing.T) {
	h := newUITestApp(t)
	for _, path := range []string{"/?lang=zh", "/losses/huber?lang=zh", "/losses/smooth-l1?lang=zh", "/losses/poisson-nll?lang=zh",
		"/losses/kl-div?lang=zh", "/losses/triplet-margin-with-distance?lang=zh", "/embed/huber?lang=zh"} {
		_, page := uiGet(t, h, path)
		// KaTeX writes the LaTeX source in the MathML annotation (the
		// page data's spec is the engine's metadata, in English).
		body := strings.Join(annotation.FindAllString(page, -1), "\n")
		for _, en := range []string{`\text{if }`, `\text{otherwise}`, `\text{or}`, `\text{(with }`} {
			if strings.Contains(body, en) {
				t.Errorf("%s: formula says %s", path, en)
			}
		}
	}
	_, body := uiGet(t, h, "/losses/kl-div?lang=zh")
	if !strings.Contains(body, "约定") {
		t.Errorf("kl-div in Chinese does not say (with 0 log 0 = 0) in Chinese")
	}
	if !strings.Contains(body, `\text{log\_target}`) {
		t.Errorf("kl-div in Chinese lost its parameter name log_target")
	}
	_, body = uiGet(t, h, "/losses/huber")
	if !strings.Contains(body, `\text{if }`) {
		t.Errorf("huber in English lost its if")
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
		{"intro", "/intro", true, false},
	}
	// Scripts and the modules they preload, whatever their names (a
	// bundle's chunks have only hashes): ECharts alone is over 300 KiB.
	script := regexp.MustCompile(`<script[^>]*src="([^"]+)"|<link rel="modulepreload" href="([^"]+)"`)
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			res, body := uiGet(t, h, test.path)
			if res.StatusCode != 200 {
				t.Fatalf("GET %s = %d; want 200", test.path, res.StatusCode)
			}
			var scripts []string
			jsBytes := 0
			for _, m := range script.FindAllStringSubmatch(body, -1) {
				src := m[1] + m[2]
				scripts = append(scripts, src)
				_, js := uiGet(t, h, src)
				jsBytes += len(js)
				if strings.Contains(js, "KaTeX parse error") { // a message only KaTeX itself holds
					t.Errorf("GET %s loads %s, which holds KaTeX; want no KaTeX script", test.path, src)
				}
			}
			if got := jsBytes > 300<<10; got != test.charts {
				t.Errorf("GET %s loads %d KiB of JavaScript (%s): ECharts = %v; want %v", test.path, jsBytes>>10, strings.Join(scripts, " "), got, test.charts)
			}
			typeset := strings.Count(body, `typeset" data-latex=`)
			if test.formulas && typeset == 0 {
				t.Errorf("GET %s has no typeset formula", test.path)
			}
			if n := strings.Count(body, "katex-failed"); n > 0 {
				t.Errorf("GET %s has %d formulas KaTeX could not typeset", test.path, n)
			}
			preload := strings.Contains(body, `rel="preload" href="/static/vendor/fonts/KaTeX_Main-Regular.`)
			if preload != test.formulas {
				t.Errorf("GET %s preloads KaTeX's main font = %v; want %v (the page shows formulas)", test.path, preload, test.formulas)
			}
			if !regexp.MustCompile(`<link rel="icon" type="image/svg\+xml" href="/static/favicon\.[0-9a-f]+\.svg">`).MatchString(body) {
				t.Errorf("GET %s links no favicon", test.path)
			}
		})
	}
}

// TestCatalogCardFormulasAreNotTabStops: a card is one link; its formula
// must not be a keyboard stop of its own (it never scrolls), while the
// loss page's formula box is one (it may).
func TestCatalogCardFormulasAreNotTabStops(t *testing.T) {
	h := newUITestApp(t)
	_, catalog := uiGet(t, h, "/")
	cards := regexp.MustCompile(`(?s)<div class="card-formula">(.*?)</div>`).FindAllStringSubmatch(catalog, -1)
	if len(cards) != len(engine.All()) {
		t.Fatalf("catalog has %d card formulas; want %d", len(cards), len(engine.All()))
	}
	for _, c := range cards {
		if strings.Contains(c[1], "tabindex") {
			t.Errorf("card formula is focusable: %.120s", c[1])
		}
	}
	_, page := uiGet(t, h, "/losses/huber")
	if !regexp.MustCompile(`<div class="formula" data-testid="formula"><span class="math display typeset"[^>]* tabindex="0" role="group" aria-label="Formula"`).MatchString(page) {
		t.Error("the loss page's formula box is not a focusable, labelled group")
	}
}
