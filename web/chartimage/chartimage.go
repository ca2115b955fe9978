// Package chartimage renders ECharts options to SVG on the server, with
// ECharts' own server-side renderer running inside goja, a JavaScript
// engine written in Go: the same option JSON the page draws, drawn by the
// same library, with no browser.
//
// ECharts is compiled once (a shared *goja.Program) and run in a small
// pool of runtimes, since a goja runtime belongs to one goroutine at a
// time. Every render is bounded: a caller waits a limited time for a
// runtime (else ErrBusy), a render that runs too long or whose caller
// leaves is interrupted and its runtime discarded, and finished images
// are kept in an LRU cache under the caller's canonical key.
package chartimage

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
)

// ssrFiles holds ssr.gen.js, the ECharts build for the server
// (ssr-entry.js bundled by build-ssr.mjs at `make assets` time;
// gitignored). The pattern also matches the committed ssr-entry.js, so
// that a build without `make assets` compiles and New says what is
// missing.
//
//go:embed ssr*.js
var ssrFiles embed.FS

// ssrBuild is the bundled script's name in ssrFiles.
const ssrBuild = "ssr.gen.js"

// Size bounds of an image, in CSS pixels. Below 480×300 a chart's title,
// subtitle, axis names and legend (drawn at the page's sizes, to look like
// the page) leave no plot to read: at 300×200 titles were cut at both
// edges and the plot was 20 px tall, so smaller sizes are refused.
const (
	MinWidth    = 480
	MinHeight   = 300
	MaxSize     = 2000
	DefaultW    = 640
	DefaultH    = 400
	maxPixelSum = MaxSize * 2 // both sides at the maximum is allowed
)

// ErrBusy is returned when no runtime became free within Options.SlotWait:
// the server is saturated and the caller should retry later (HTTP 503).
var ErrBusy = errors.New("chartimage: every renderer is busy")

// ErrNoBuild is returned by New when the binary was built without the
// server-side ECharts build.
var ErrNoBuild = errors.New("chartimage: web/chartimage/ssr.gen.js is missing from this build (run `make assets`, then build again)")

// ErrTimeout is returned when a render ran longer than Options.RenderTimeout.
var ErrTimeout = errors.New("chartimage: render took too long")

// Options tune a Renderer; zero fields take the defaults below.
type Options struct {
	// Runtimes is how many renders may run at once (default: the number
	// of CPUs). Each idle runtime holds about 5 MiB.
	Runtimes int
	// SlotWait is how long a render waits for a free runtime (default 3 s:
	// eight requesters on two cores wait about 0.5 s for a slot).
	SlotWait time.Duration
	// RenderTimeout bounds one render (default 5 s; ECharts takes well
	// under 100 ms on a warm runtime).
	RenderTimeout time.Duration
	// CacheBytes bounds the cached SVGs (default 64 MiB).
	CacheBytes int
}

const (
	defaultSlotWait      = 3 * time.Second
	defaultRenderTimeout = 5 * time.Second
	defaultCacheBytes    = 64 << 20
)

// Image is one rendered chart.
type Image struct {
	SVG  []byte
	ETag string // strong ETag, quoted, from the SVG's bytes
}

// Renderer renders options to SVG. It is safe for concurrent use.
type Renderer struct {
	opts  Options
	slots chan struct{}      // one token per runtime that may run
	idle  chan *goja.Runtime // initialised runtimes not in use
	cache *lru

	mu      sync.Mutex
	flights map[string]*flight // renders under way, by key
	renders atomic.Int64       // renders started, for tests
}

// flight is one render under way; callers asking for the same key while
// it runs wait for it instead of drawing the same image again (a page
// that embeds an image, opened by a whole class at once).
type flight struct {
	done chan struct{} // closed when img and err are set
	img  Image
	err  error
}

var (
	compileOnce sync.Once
	compiled    *goja.Program
	compileErr  error
)

// program compiles the ECharts build once per process; every runtime of
// every Renderer shares it.
func program() (*goja.Program, error) {
	compileOnce.Do(func() {
		src, err := ssrFiles.ReadFile(ssrBuild)
		if err != nil || len(src) == 0 {
			compileErr = ErrNoBuild
			return
		}
		compiled, compileErr = compileSSR(src)
	})
	return compiled, compileErr
}

func compileSSR(src []byte) (*goja.Program, error) {
	return goja.Compile("echarts-ssr.js", string(src), false)
}

// New returns a Renderer. It compiles ECharts (about half a second, once
// per process) but starts no runtime until the first render.
func New(opts Options) (*Renderer, error) {
	if opts.Runtimes <= 0 {
		opts.Runtimes = runtime.NumCPU()
	}
	if opts.SlotWait <= 0 {
		opts.SlotWait = defaultSlotWait
	}
	if opts.RenderTimeout <= 0 {
		opts.RenderTimeout = defaultRenderTimeout
	}
	if opts.CacheBytes <= 0 {
		opts.CacheBytes = defaultCacheBytes
	}
	if _, err := program(); err != nil {
		return nil, err
	}
	r := &Renderer{
		opts:  opts,
		slots: make(chan struct{}, opts.Runtimes),
		idle:  make(chan *goja.Runtime, opts.Runtimes),
		cache: newLRU(opts.CacheBytes),

		flights: map[string]*flight{},
	}
	return r, nil
}

// Cached returns the image stored under key, if any.
func (r *Renderer) Cached(key string) (Image, bool) {
	return r.cache.get(key)
}

// Render returns option drawn at width×height, from the cache when key
// was rendered before. key must name everything the image depends on
// (the canonical page state, the chart, theme, size and language); the
// option is only read on a cache miss. width and height are clamped to
// [MinWidth, MaxSize] and [MinHeight, MaxSize].
func (r *Renderer) Render(ctx context.Context, key string, option json.RawMessage, width, height int) (Image, error) {
	for {
		if img, ok := r.cache.get(key); ok {
			return img, nil
		}
		r.mu.Lock()
		f, running := r.flights[key]
		if !running {
			f = &flight{done: make(chan struct{})}
			r.flights[key] = f
		}
		r.mu.Unlock()
		if !running {
			return r.lead(ctx, f, key, option, width, height)
		}
		select {
		case <-f.done:
			if f.err == nil {
				return f.img, nil
			}
			if !errors.Is(f.err, context.Canceled) && !errors.Is(f.err, context.DeadlineExceeded) {
				return Image{}, f.err
			}
			// The caller that was drawing it left; draw it for this one.
		case <-ctx.Done():
			return Image{}, ctx.Err()
		}
	}
}

// lead renders the image of flight f, caches it, and releases the callers
// waiting for it.
func (r *Renderer) lead(ctx context.Context, f *flight, key string, option json.RawMessage, width, height int) (Image, error) {
	defer func() {
		r.mu.Lock()
		delete(r.flights, key)
		r.mu.Unlock()
		close(f.done)
	}()
	r.renders.Add(1)
	width, height = clampSize(width, MinWidth), clampSize(height, MinHeight)
	svg, err := r.run(ctx, option, width, height)
	if err != nil {
		f.err = err
		return Image{}, err
	}
	sum := sha256.Sum256(svg)
	f.img = Image{SVG: svg, ETag: `"` + hex.EncodeToString(sum[:16]) + `"`}
	r.cache.put(key, f.img)
	return f.img, nil
}

func clampSize(v, least int) int {
	return min(max(v, least), MaxSize)
}

// run takes a runtime slot (waiting at most SlotWait), renders, and gives
// the runtime back unless the render was interrupted or failed inside
// ECharts, in which case its state is unknown and it is dropped.
func (r *Renderer) run(ctx context.Context, option json.RawMessage, width, height int) ([]byte, error) {
	wait := time.NewTimer(r.opts.SlotWait)
	defer wait.Stop()
	select {
	case r.slots <- struct{}{}:
	case <-wait.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-r.slots }()
	if err := ctx.Err(); err != nil {
		return nil, err // the caller left while the slot came free
	}

	var vm *goja.Runtime
	select {
	case vm = <-r.idle:
	default:
		var err error
		if vm, err = newRuntime(); err != nil {
			return nil, err
		}
	}
	svg, reusable, err := render(ctx, vm, r.opts.RenderTimeout, option, width, height)
	if reusable {
		r.idle <- vm
	}
	return svg, err
}

// newRuntime starts a goja runtime with ECharts loaded.
func newRuntime() (*goja.Runtime, error) {
	prog, err := program()
	if err != nil {
		return nil, err
	}
	vm := goja.New()
	// ECharts schedules some work with setTimeout; server-side rendering
	// is synchronous and animation is off, so nothing scheduled matters.
	noop := func(goja.FunctionCall) goja.Value { return goja.Undefined() }
	for _, name := range []string{"setTimeout", "clearTimeout", "setInterval", "clearInterval"} {
		if err := vm.Set(name, noop); err != nil {
			return nil, err
		}
	}
	if err := vm.Set("measureTextWidth", measureTextWidth); err != nil {
		return nil, err
	}
	if _, err := vm.RunProgram(prog); err != nil {
		return nil, fmt.Errorf("chartimage: loading ECharts: %w", err)
	}
	return vm, nil
}

// render calls renderChart in vm, interrupting it after timeout or when
// ctx ends, and normalises the SVG. reusable is false when an interrupt
// was raised, even one that came too late to stop the call: the runtime
// would carry it into the next render.
func render(ctx context.Context, vm *goja.Runtime, timeout time.Duration, option json.RawMessage, width, height int) (svg []byte, reusable bool, err error) {
	fn, ok := goja.AssertFunction(vm.Get("renderChart"))
	if !ok {
		return nil, false, errors.New("chartimage: the ECharts build defines no renderChart")
	}
	var mu sync.Mutex
	var reason error
	stop := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if reason == nil {
			reason = err
			vm.Interrupt(err)
		}
	}
	timer := time.AfterFunc(timeout, func() { stop(ErrTimeout) })
	unwatch := context.AfterFunc(ctx, func() { stop(ctx.Err()) })
	v, callErr := fn(goja.Undefined(), vm.ToValue(string(option)), vm.ToValue(width), vm.ToValue(height))
	timer.Stop()
	unwatch()
	mu.Lock()
	interrupted := reason
	mu.Unlock()

	if callErr != nil {
		var ie *goja.InterruptedError
		if errors.As(callErr, &ie) && interrupted != nil {
			return nil, false, interrupted
		}
		return nil, false, fmt.Errorf("chartimage: ECharts: %w", callErr)
	}
	if interrupted != nil {
		return nil, false, interrupted
	}
	return Normalize([]byte(v.String())), true, nil
}
