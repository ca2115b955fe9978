package web

import (
	"strings"
	"sync"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/formula"
	"github.com/lossplayground/playground/i18n"
)

// texIn says the prose of a formula in lang: every \text{...} whose words
// the catalogue has under "tex." ("if ", "otherwise", "or", "(with ") is
// replaced by the words of lang. Names of parameters and reductions
// (\text{margin}, \text{log\_input}) are PyTorch's and stay.
func texIn(latex, lang string) string {
	if i18n.Lang(lang) == i18n.Languages[0] || !strings.Contains(latex, `\text{`) {
		return latex
	}
	return texReplacer(i18n.Lang(lang)).Replace(latex)
}

var texReplacers sync.Map // lang -> *strings.Replacer

func texReplacer(lang string) *strings.Replacer {
	if r, ok := texReplacers.Load(lang); ok {
		return r.(*strings.Replacer)
	}
	var pairs []string
	for key, en := range i18n.Prefixed(i18n.Languages[0], "tex.") {
		pairs = append(pairs, `\text{`+en+`}`, `\text{`+i18n.T(lang, "tex."+key)+`}`)
	}
	r := strings.NewReplacer(pairs...)
	texReplacers.Store(lang, r)
	return r
}

// pageFormula is one formula as a page typesets it.
type pageFormula struct {
	what    string
	latex   string
	display bool
}

// lossFormulas lists what the pages in lang typeset for a loss: its
// formula on the catalog card (display) and the embed (inline), the
// formula with its symbols marked on the loss page, and each symbol beside
// its control.
func lossFormulas(spec *engine.Spec, lang string) []pageFormula {
	syms, marked := lossSymbols(spec)
	out := []pageFormula{
		{"formula", texIn(spec.Formula, lang), true},
		{"formula, inline (embed)", texIn(spec.Formula, lang), false},
		{"marked formula", texIn(marked, lang), true},
	}
	for _, s := range syms {
		out = append(out, pageFormula{"symbol of " + s.Name, s.LaTeX, false})
	}
	return out
}

// warmFormulas typesets every loss's formulas once per process, in the
// background, so that the first reader of the catalog or a loss page does
// not wait for KaTeX (lessons are typeset when they load).
var warmFormulas = sync.OnceFunc(func() {
	go func() {
		r := formula.Default()
		for _, lang := range i18n.Languages {
			for _, spec := range engine.All() {
				for _, f := range lossFormulas(spec, lang) {
					r.Render(f.latex, f.display) // errors show on the page, and in TestEveryFormulaTypesets
				}
			}
		}
	}()
})
