package web

import (
	"strings"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/web/templates"
)

// lossSymbolCandidates lists, by parameter or input name, the LaTeX
// symbols PyTorch's documentation uses for it, most specific first. A
// symbol is tied to its control only when it occurs in the loss's formula,
// so a new loss needs no entry: its controls simply show no symbol.
var lossSymbolCandidates = map[string][]string{
	"input":           {`x_i`, `x_n`, `x_{n,c}`, `x`},
	"target":          {`y_i`, `y_n`, `y_{n,c}`, `y`},
	"var":             {`\sigma^2`, `\operatorname{var}_i`, `\operatorname{var}`, `\text{var}_i`, `\text{var}`},
	"input1":          {`x_1`, `x1`},
	"input2":          {`x_2`, `x2`},
	"anchor":          {`a_i`, `a`},
	"positive":        {`p_i`, `p`},
	"negative":        {`n_i`, `n`},
	"log_probs":       {`\log p`, `y_t`},
	"targets":         {`\mathbf{l}`, `l`},
	"margin":          {`\text{margin}`, `\mathrm{margin}`, `m`},
	"beta":            {`\beta`},
	"delta":           {`\delta`},
	"eps":             {`\epsilon`, `\varepsilon`, `\text{eps}`},
	"weight":          {`w_{y_n}`, `w_{n,c}`, `w_n`, `w_c`, `w_i`, `w`},
	"pos_weight":      {`p_c`, `p_i`},
	"p":               {`p`},
	"label_smoothing": {`\varepsilon`, `\alpha`},
	"blank":           {`\text{blank}`, `\varnothing`},
}

// lossSymbols ties formula symbols to inputs and parameters and returns
// the formula with each tied symbol wrapped in \htmlClass{lp-sym
// lp-sym-NAME}, which the page highlights while its control has focus.
func lossSymbols(spec *engine.Spec) ([]templates.Symbol, string) {
	formula := spec.Formula
	var names []string
	for _, in := range spec.Inputs {
		names = append(names, in.Name)
	}
	for _, p := range spec.Params {
		names = append(names, p.Name)
	}
	claimed := map[string]bool{}
	var syms []templates.Symbol
	marked := formula
	for _, name := range names {
		for _, cand := range lossSymbolCandidates[name] {
			if claimed[cand] || len(symbolIndexes(spec.Formula, cand)) == 0 {
				continue
			}
			claimed[cand] = true
			syms = append(syms, templates.Symbol{Name: name, LaTeX: cand})
			marked = wrapSymbol(marked, cand, `{\htmlClass{lp-sym lp-sym-`+name+`}{`+cand+`}}`)
			break
		}
	}
	return syms, marked
}

// symbolIndexes returns where sym occurs in latex as a whole token: not
// inside a longer command or word, and not already wrapped.
func symbolIndexes(latex, sym string) []int {
	var out []int
	for i := 0; i+len(sym) <= len(latex); {
		j := strings.Index(latex[i:], sym)
		if j < 0 {
			break
		}
		at := i + j
		end := at + len(sym)
		ok := true
		if at > 0 {
			prev := latex[at-1]
			if isLetter(prev) || prev == '\\' {
				ok = false
			}
		}
		if end < len(latex) && isLetter(sym[len(sym)-1]) && isLetter(latex[end]) {
			ok = false
		}
		// A bare letter followed by a subscript belongs to a longer symbol
		// (x in x_i) unless the candidate is that letter alone by design.
		if end < len(latex) && len(sym) == 1 && (latex[end] == '_' || latex[end] == '}') && at > 0 && latex[at-1] == '{' {
			ok = false
		}
		if ok && strings.HasSuffix(latex[:at], "lp-sym-") {
			ok = false
		}
		if ok {
			out = append(out, at)
		}
		i = end
	}
	return out
}

func wrapSymbol(latex, sym, with string) string {
	idx := symbolIndexes(latex, sym)
	if len(idx) == 0 {
		return latex
	}
	var b strings.Builder
	last := 0
	for _, at := range idx {
		b.WriteString(latex[last:at])
		b.WriteString(with)
		last = at + len(sym)
	}
	b.WriteString(latex[last:])
	return b.String()
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
