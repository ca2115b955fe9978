// Package formula typesets LaTeX to HTML on the server: KaTeX's
// renderToString, run in goja (a JavaScript engine written in Go), so that
// pages ship formulas already typeset, with no KaTeX script, and show them
// in the first paint.
//
// KaTeX is compiled once per process. A goja runtime is single-goroutine,
// so renders take one from a small pool of runtimes, each loaded with
// KaTeX; a render that outlives its time limit is interrupted and its
// runtime thrown away. Results are cached per (LaTeX, display): the set of
// formulas the playground shows is finite (the engine's formulas and
// symbols, the lessons' math), so after the first page every formula is a
// map lookup.
package formula

import (
	"embed"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"
)

// katexFS holds vendor/katex.min.js, copied there from web/node_modules by
// `make assets` (git-ignored; vendor/README.md is committed so the embed
// pattern always matches and the package builds before `make assets`).
//
//go:embed all:vendor
var katexFS embed.FS

const katexFile = "vendor/katex.min.js"

// renderJS defines the function every render calls, with the options the
// pages have always used: parse errors throw (so that a fallback can be
// tried), unknown commands are not warned about, the HTML is accompanied
// by MathML for screen readers, and \htmlClass is the one trusted command
// (the loss page ties formula symbols to controls with it; \href, \url
// and friends stay inert).
const renderJS = `function lpRender(tex) {
	return katex.renderToString(tex, {
		displayMode: false, throwOnError: true, strict: "ignore", output: "htmlAndMathml",
		trust: function (ctx) { return ctx.command === "\\htmlClass"; }
	});
}`

// displaySource is what KaTeX typesets for a display formula. It is set
// in display style (\displaystyle: full-size fractions, limits under
// sums) but as inline math, because KaTeX's display mode never breaks a
// line: on a narrow screen a long formula wraps after a relation or an
// operator, as in a textbook, instead of running off the side. A \quad
// or \qquad outside any group separates two formulas ("..., \qquad q =
// ..."), so a line may break there too (inside a group it may be text,
// where \allowbreak does not exist). (The playground's formulas use no
// display-only environment; cases works in both.)
func displaySource(latex string) string {
	var b strings.Builder
	b.WriteString(`\displaystyle `)
	depth := 0
	for i := 0; i < len(latex); i++ {
		c := latex[i]
		switch {
		case c == '\\' && i+1 < len(latex):
			name := commandName(latex[i+1:])
			b.WriteString(latex[i : i+1+len(name)])
			i += len(name)
			if depth == 0 && (name == "quad" || name == "qquad") {
				b.WriteString(`\allowbreak `)
			}
			continue
		case c == '{':
			depth++
		case c == '}':
			depth--
		}
		b.WriteByte(c)
	}
	return b.String()
}

// commandName returns the name of the control sequence s starts with
// (after its backslash): a run of letters, or one other character.
func commandName(s string) string {
	n := 0
	for n < len(s) && (s[n] >= 'a' && s[n] <= 'z' || s[n] >= 'A' && s[n] <= 'Z') {
		n++
	}
	return s[:max(n, 1)]
}

// Limits. Every formula the playground ships renders in under 15 ms in a
// warm runtime; the time limit only stops a formula built to never finish
// (KaTeX's own maxExpand already stops runaway macros). It is generous
// because lessons are typeset once, at start-up, and keep what they got:
// on a machine shared by many processes (load 30 on 2 cores has been seen)
// a 10 ms formula can take a few hundred.
const (
	DefaultTimeout = 10 * time.Second
	// MaxLaTeX bounds the source of one formula; the longest the
	// playground ships is under 1 KiB.
	MaxLaTeX = 16 << 10
	// maxCached bounds the cache; it only matters if formulas ever came
	// from users, since the playground's own set is a few hundred.
	maxCached = 4096
)

// ErrTimeout is returned for a render interrupted at the time limit.
var ErrTimeout = errors.New("formula: render took too long")

// ErrNoKaTeX is returned when the build has no katex.min.js (`make assets`
// has not run): pages then show the LaTeX source.
var ErrNoKaTeX = errors.New("formula: KaTeX is missing from this build (run `make assets` and rebuild)")

// Options configure a Renderer; zero values take the defaults.
type Options struct {
	Timeout  time.Duration // per render; DefaultTimeout if zero
	Runtimes int           // runtimes rendering at once; min(GOMAXPROCS, 4) if zero
	NoCache  bool          // render every call (benchmarks)
}

// Renderer typesets LaTeX with KaTeX. It is safe for concurrent use.
type Renderer struct {
	opts Options
	// slots holds one token per runtime that may exist; idle holds the
	// runtimes waiting for work. A render takes a token, then an idle
	// runtime or a new one.
	slots chan struct{}
	idle  chan *katexVM

	mu    sync.RWMutex
	cache map[cacheKey]rendered

	renders int // runtime renders, for tests (under mu)
}

type cacheKey struct {
	latex   string
	display bool
}

type rendered struct {
	html string
	err  error
}

// katexVM is a goja runtime with KaTeX loaded.
type katexVM struct {
	rt     *goja.Runtime
	render goja.Callable
}

// New returns a Renderer; KaTeX is compiled on first use.
func New(opts Options) *Renderer {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Runtimes <= 0 {
		opts.Runtimes = min(runtime.GOMAXPROCS(0), 4)
	}
	return &Renderer{
		opts:  opts,
		slots: make(chan struct{}, opts.Runtimes),
		idle:  make(chan *katexVM, opts.Runtimes),
		cache: map[cacheKey]rendered{},
	}
}

var defaultRenderer = sync.OnceValue(func() *Renderer { return New(Options{}) })

// Default returns the process's shared Renderer, used by the pages.
func Default() *Renderer { return defaultRenderer() }

// katexProgram is KaTeX compiled once per process and shared by every
// runtime (a *goja.Program is immutable).
var katexProgram = sync.OnceValues(func() (*goja.Program, error) {
	src, err := katexFS.ReadFile(katexFile)
	if err != nil {
		return nil, ErrNoKaTeX
	}
	return compileKaTeX(src)
})

func compileKaTeX(src []byte) (*goja.Program, error) {
	prog, err := goja.Compile("katex.min.js", string(src)+"\n"+renderJS, true)
	if err != nil {
		return nil, fmt.Errorf("formula: compile KaTeX: %w", err)
	}
	return prog, nil
}

// Render returns KaTeX's HTML for latex, in display style or inline
// style. A formula KaTeX cannot parse is an error naming the problem.
func (r *Renderer) Render(latex string, display bool) (string, error) {
	key := cacheKey{latex, display}
	if !r.opts.NoCache {
		r.mu.RLock()
		got, ok := r.cache[key]
		r.mu.RUnlock()
		if ok {
			return got.html, got.err
		}
	}
	html, err := r.renderUncached(latex, display)
	// A timeout may be the machine being busy, not the formula: it is
	// not remembered. Everything else is deterministic.
	if !r.opts.NoCache && !errors.Is(err, ErrTimeout) && !errors.Is(err, ErrNoKaTeX) {
		r.mu.Lock()
		if len(r.cache) < maxCached {
			r.cache[key] = rendered{html, err}
		}
		r.mu.Unlock()
	}
	return html, err
}

func (r *Renderer) renderUncached(latex string, display bool) (string, error) {
	if len(latex) > MaxLaTeX {
		return "", fmt.Errorf("formula: %d bytes of LaTeX; at most %d", len(latex), MaxLaTeX)
	}
	r.slots <- struct{}{}
	defer func() { <-r.slots }()
	var vm *katexVM
	select {
	case vm = <-r.idle:
	default:
		var err error
		if vm, err = newKatexVM(); err != nil {
			return "", err
		}
	}
	// The timer interrupts the runtime from another goroutine; if it
	// fired at all, the runtime is discarded rather than reused, since
	// an interrupt that lands after the call returned would otherwise
	// hit the next render.
	timer := time.AfterFunc(r.opts.Timeout, func() { vm.rt.Interrupt(ErrTimeout) })
	src := latex
	if display {
		src = displaySource(latex)
	}
	v, err := vm.render(goja.Undefined(), vm.rt.ToValue(src))
	fired := !timer.Stop()
	r.mu.Lock()
	r.renders++
	r.mu.Unlock()
	if !fired {
		r.idle <- vm // cannot block: at most len(slots) runtimes exist
	}
	var interrupted *goja.InterruptedError
	var exc *goja.Exception
	switch {
	case errors.As(err, &interrupted):
		return "", fmt.Errorf("%w (over %v): %.80q", ErrTimeout, r.opts.Timeout, latex)
	case errors.As(err, &exc):
		// The JavaScript error's own message ("ParseError: KaTeX parse
		// error: ..."), without goja's stack position in katex.min.js.
		return "", fmt.Errorf("formula: %s", exc.Value().String())
	case err != nil:
		return "", fmt.Errorf("formula: %w", err)
	}
	return v.String(), nil
}

func newKatexVM() (*katexVM, error) {
	prog, err := katexProgram()
	if err != nil {
		return nil, err
	}
	rt := goja.New()
	if _, err := rt.RunProgram(prog); err != nil {
		return nil, fmt.Errorf("formula: load KaTeX: %w", err)
	}
	render, ok := goja.AssertFunction(rt.Get("lpRender"))
	if !ok {
		return nil, errors.New("formula: KaTeX loaded without lpRender")
	}
	return &katexVM{rt: rt, render: render}, nil
}
