package formula

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRender(t *testing.T) {
	r := New(Options{})
	tests := []struct {
		name    string
		latex   string
		display bool
		want    []string // substrings of the HTML
		notWant []string
		bases   int // pieces a line may break between
	}{
		{"inline", `x_i`, false, []string{`<span class="katex">`, `<math xmlns="http://www.w3.org/1998/Math/MathML">`, `<annotation encoding="application/x-tex">x_i</annotation>`}, []string{"katex-display"}, 1},
		{"display style, breakable", `a = \sum_i x_i + b`, true, []string{`<mstyle scriptlevel="0" displaystyle="true">`, `<annotation encoding="application/x-tex">\displaystyle a = \sum_i x_i + b</annotation>`}, []string{"katex-display"}, 3},
		{"a line may break after a qquad", `a = b, \qquad c = d`, true, []string{`displaystyle="true"`}, nil, 4},
		{"quad in text stays text", `\text{if\quad x}`, true, []string{`if`}, nil, 1},
		{"htmlClass is trusted", `\htmlClass{lp-sym-beta}{\beta}`, false, []string{`class="enclosing lp-sym-beta"`}, nil, 1},
		{"href is not", `\href{javascript:alert(1)}{x}`, false, nil, []string{`href="javascript`}, 1},
		{"html is escaped", `\text{<b>}`, false, []string{`&lt;b&gt;`}, []string{`<b>`}, 1},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			got, err := r.Render(test.latex, test.display)
			if err != nil {
				t.Fatalf("Render(%q, %v) error = %v; want none", test.latex, test.display, err)
			}
			for _, w := range test.want {
				if !strings.Contains(got, w) {
					t.Errorf("Render(%q, %v) = %s; want it to contain %s", test.latex, test.display, got, w)
				}
			}
			for _, w := range test.notWant {
				if strings.Contains(got, w) {
					t.Errorf("Render(%q, %v) = %s; want no %s", test.latex, test.display, got, w)
				}
			}
			if n := strings.Count(got, `<span class="katex-base">`); n != test.bases {
				t.Errorf("Render(%q, %v) has %d breakable pieces; want %d", test.latex, test.display, n, test.bases)
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	r := New(Options{})
	tests := []struct {
		name, latex, want string
	}{
		{"unclosed group", `\frac{a`, "KaTeX parse error"},
		{"unknown command", `\nosuchcommand{x}`, "Undefined control sequence"},
		{"runaway macro", `\def\a{\a\a}\a`, "Too many expansions"},
		{"too long", strings.Repeat("x", MaxLaTeX+1), "at most"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			got, err := r.Render(test.latex, false)
			if err == nil || !strings.Contains(err.Error(), test.want) {
				t.Errorf("Render(%.40q) = %.60q, %v; want an error containing %q", test.latex, got, err, test.want)
			}
		})
	}
}

// TestRenderTimeout renders with a limit no formula can meet: the render
// stops with ErrTimeout, the interrupted runtime is not reused, and the
// next render gets a fresh one.
func TestRenderTimeout(t *testing.T) {
	r := New(Options{Timeout: time.Nanosecond, Runtimes: 1})
	latex := strings.Repeat(`\frac{a}{b} + `, 30) + "1"
	for i := range 2 {
		_, err := r.Render(latex, true)
		if !errors.Is(err, ErrTimeout) {
			t.Fatalf("render %d with a 1ns limit: error = %v; want ErrTimeout", i, err)
		}
		if n := len(r.idle); n != 0 {
			t.Errorf("after an interrupted render %d runtime(s) are idle; want 0 (the interrupted one discarded)", n)
		}
	}
	// A timeout is not cached: with a sane limit the same formula renders.
	r.opts.Timeout = DefaultTimeout
	if _, err := r.Render(latex, true); err != nil {
		t.Errorf("render after the timeouts, with a %v limit: %v; want none", DefaultTimeout, err)
	}
}

func TestRenderCaches(t *testing.T) {
	r := New(Options{})
	first, err := r.Render(`a^2 + b^2`, false)
	if err != nil {
		t.Fatal(err)
	}
	second, _ := r.Render(`a^2 + b^2`, false)
	display, _ := r.Render(`a^2 + b^2`, true)
	if first != second {
		t.Errorf("second render differs from the first:\n%s\n%s", first, second)
	}
	if display == first {
		t.Error("display render equals the inline one; want the cache keyed by display too")
	}
	if r.renders != 2 {
		t.Errorf("runtime renders = %d; want 2 (inline once, display once)", r.renders)
	}
	if _, err := r.Render(`\frac{`, false); err == nil {
		t.Fatal(`Render(\frac{) = nil error; want a parse error`)
	}
	if _, err := r.Render(`\frac{`, false); err == nil {
		t.Error(`cached Render(\frac{) = nil error; want the parse error again`)
	}
	if r.renders != 3 {
		t.Errorf("runtime renders = %d; want 3 (the parse error cached too)", r.renders)
	}
}

// TestRenderConcurrent renders from many goroutines (run with -race): each
// gets what a lone render gives.
func TestRenderConcurrent(t *testing.T) {
	formulas := []string{`x_i`, `\frac{1}{n}\sum_i (x_i - y_i)^2`, `\log \sigma(x)`, `\max(0, 1 - y x)`, `e^{-x}`, `\beta`}
	want := map[string]string{}
	lone := New(Options{})
	for _, f := range formulas {
		h, err := lone.Render(f, true)
		if err != nil {
			t.Fatal(err)
		}
		want[f] = h
	}
	r := New(Options{Runtimes: 3, NoCache: true})
	var wg sync.WaitGroup
	errs := make(chan string, 8*len(formulas))
	for g := range 8 {
		wg.Go(func() {
			for i := range formulas {
				f := formulas[(i+g)%len(formulas)]
				if got, err := r.Render(f, true); err != nil || got != want[f] {
					errs <- f
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for f := range errs {
		t.Errorf("concurrent Render(%q) differs from a lone render", f)
	}
	if n := len(r.idle); n > 3 {
		t.Errorf("%d idle runtimes; want at most 3", n)
	}
}

func TestHTML(t *testing.T) {
	r := New(Options{})
	tests := []struct {
		name    string
		f       Formula
		want    []string
		notWant []string
	}{
		{"inline", Formula{LaTeX: `x_i`},
			[]string{`<span class="math typeset" data-latex="x_i" data-rendered="1" data-testid="math"><span class="katex">`},
			[]string{"tabindex", "<code>"}},
		{"display is a focusable group", Formula{LaTeX: `x_i`, Display: true, Label: "公式"},
			[]string{`class="math display typeset"`, `tabindex="0" role="group" aria-label="公式"`}, nil},
		{"display default label", Formula{LaTeX: `x_i`, Display: true}, []string{`aria-label="Formula"`}, nil},
		{"display in a link is not focusable", Formula{LaTeX: `x_i`, Display: true, InLink: true}, []string{`class="math display typeset"`, `aria-hidden="true"`}, []string{"tabindex", "role="}},
		{"plain when marked fails", Formula{LaTeX: `\nosuch{x}`, Plain: `x < y`},
			[]string{`class="math typeset" data-latex="\nosuch{x}" data-rendered="1"`, `<annotation encoding="application/x-tex">x &lt; y</annotation>`},
			[]string{"katex-failed"}},
		{"source as text when both fail", Formula{LaTeX: `\frac{<`, Plain: `\frac{`},
			[]string{`<span class="math katex-failed" data-latex="\frac{&lt;" data-latex-plain="\frac{" data-testid="math"><code>\frac{</code></span>`},
			[]string{"typeset"}},
		{"source as text without plain", Formula{LaTeX: `a<\frac{`},
			[]string{`<code>a&lt;\frac{</code>`}, []string{"data-latex-plain"}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			got := string(r.HTML(test.f))
			for _, w := range test.want {
				if !strings.Contains(got, w) {
					t.Errorf("HTML(%+v) = %s; want it to contain %s", test.f, got, w)
				}
			}
			for _, w := range test.notWant {
				if strings.Contains(got, w) {
					t.Errorf("HTML(%+v) = %s; want no %s", test.f, got, w)
				}
			}
		})
	}
}
