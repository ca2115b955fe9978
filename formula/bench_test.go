package formula

import "testing"

// benchFormula is CrossEntropyLoss's formula, the longest on the catalog.
const benchFormula = `\ell_n = -\sum_{c} w_c\, q_{n,c} \log \frac{e^{x_{n,c}}}{\sum_{k} e^{x_{n,k}}}, \qquad q_{n,c} = (1-\varepsilon)\,[c = y_n] + \frac{\varepsilon}{C}`

// BenchmarkRender times one formula three ways:
//
//	cold      a new Renderer: a runtime loads KaTeX, then renders (KaTeX is compiled once per process)
//	uncached  a warm runtime renders the formula (the first page to show it)
//	cached    a cache hit (every later page)
func BenchmarkRender(b *testing.B) {
	if _, err := New(Options{}).Render(benchFormula, true); err != nil {
		b.Fatal(err) // also compiles KaTeX, outside the timings
	}
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			if _, err := New(Options{}).Render(benchFormula, true); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("uncached", func(b *testing.B) {
		r := New(Options{NoCache: true, Runtimes: 1})
		for b.Loop() {
			if _, err := r.Render(benchFormula, true); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		r := New(Options{})
		for b.Loop() {
			if _, err := r.Render(benchFormula, true); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCompileKaTeX times what the first render in a process pays
// once: compiling katex.min.js.
func BenchmarkCompileKaTeX(b *testing.B) {
	src, err := katexFS.ReadFile(katexFile)
	if err != nil {
		b.Skip(ErrNoKaTeX)
	}
	for b.Loop() {
		if _, err := compileKaTeX(src); err != nil {
			b.Fatal(err)
		}
	}
}
