package web

import (
	"sync"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/web/formula"
)

// pageFormula is one formula as a page typesets it.
type pageFormula struct {
	what    string
	latex   string
	display bool
}

// lossFormulas lists what the pages typeset for a loss: its formula on the
// catalog card (display) and the embed (inline), the formula with its
// symbols marked on the loss page, and each symbol beside its control.
func lossFormulas(spec *engine.Spec) []pageFormula {
	syms, marked := lossSymbols(spec)
	out := []pageFormula{
		{"formula", spec.Formula, true},
		{"formula, inline (embed)", spec.Formula, false},
		{"marked formula", marked, true},
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
		for _, spec := range engine.All() {
			for _, f := range lossFormulas(spec) {
				r.Render(f.latex, f.display) // errors show on the page, and in TestEveryFormulaTypesets
			}
		}
	}()
})
