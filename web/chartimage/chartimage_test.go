package chartimage

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// testOption is a small line chart with a title, a legend, a gradient
// visualMap and a clipped series: it makes zrender write ids (clip paths,
// gradients) and hover styles, which Normalize must handle.
const testOption = `{
 "animation": false,
 "backgroundColor": "#ffffff",
 "title": {"text": "TestLoss: loss of one element", "left": "center"},
 "legend": {"show": true, "top": "bottom"},
 "tooltip": {"show": true, "trigger": "axis"},
 "toolbox": {"show": true, "feature": {"saveAsImage": {"show": true, "title": "Save as image"}}},
 "xAxis": {"type": "value"},
 "yAxis": {"type": "value"},
 "visualMap": {"type": "continuous", "min": 0, "max": 4, "calculable": true, "seriesIndex": [0], "inRange": {"color": ["#f7fbff", "#08306b"]}},
 "series": [{"type": "line", "name": "loss", "data": [[0, 0], [1, 1], [2, 4]]}]
}`

func newTestRenderer(t testing.TB, o Options) *Renderer {
	t.Helper()
	r, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// checkSVG fails unless svg is well-formed XML with an <svg> root.
func checkSVG(t *testing.T, svg []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	root := ""
	for {
		tok, err := d.Token()
		if err != nil {
			if err.Error() == "EOF" {
				break
			}
			t.Fatalf("SVG is not well-formed XML: %v\n%.400s", err, svg)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		t.Fatalf("root element = %q; want svg", root)
	}
}

func TestRender(t *testing.T) {
	r := newTestRenderer(t, Options{Runtimes: 1})
	img, err := r.Render(context.Background(), "k", []byte(testOption), 640, 400)
	if err != nil {
		t.Fatal(err)
	}
	checkSVG(t, img.SVG)
	for _, want := range []string{`width="640"`, `height="400"`, "TestLoss: loss of one element", `fill="#ffffff"`} {
		if !bytes.Contains(img.SVG, []byte(want)) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	// Nothing that needs a pointer: the toolbox's button title, hover
	// styles and their classes, zrender's counter ids.
	for _, leftover := range []string{"Save as image", "<style", ":hover", "-cls-", "pointer-events", "zr0-", "zr1-"} {
		if bytes.Contains(img.SVG, []byte(leftover)) {
			t.Errorf("SVG contains %q; want no interactive leftovers", leftover)
		}
	}
	if !strings.HasPrefix(img.ETag, `"`) || !strings.HasSuffix(img.ETag, `"`) || len(img.ETag) < 10 {
		t.Errorf("ETag = %s; want a quoted hash", img.ETag)
	}
}

// TestDeterministic renders the same option in one runtime several times
// (zrender's counters advance between renders) and in a second Renderer
// with runtimes of its own: the bytes must not change.
func TestDeterministic(t *testing.T) {
	a := newTestRenderer(t, Options{Runtimes: 1})
	b := newTestRenderer(t, Options{Runtimes: 1})
	var first []byte
	for i := range 3 {
		for name, r := range map[string]*Renderer{"a": a, "b": b} {
			// A fresh key each time: the cache must not answer.
			img, err := r.Render(context.Background(), fmt.Sprint(name, i), []byte(testOption), 500, 300)
			if err != nil {
				t.Fatal(err)
			}
			if first == nil {
				first = img.SVG
				continue
			}
			if !bytes.Equal(img.SVG, first) {
				t.Fatalf("render %d in renderer %s differs from the first render:\n%s\n---\n%s", i, name, img.SVG, first)
			}
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"ids renumbered in order of appearance",
			`<clipPath id="zr7-c3"/><clipPath id="zr7-c9"/><path clip-path="url(#zr7-c3)"/><linearGradient id="zr7-g4"/>`,
			`<clipPath id="lp-c0"/><clipPath id="lp-c1"/><path clip-path="url(#lp-c0)"/><linearGradient id="lp-g0"/>`},
		{"hover leftovers removed",
			`<path d="M0 0" pointer-events="visible" class="zr2-cls-31"></path>` + "\n<style ><![CDATA[\n.zr2-cls-31:hover {\ncursor:pointer;\n}\n]]>\n</style>\n</svg>",
			`<path d="M0 0"></path>` + "\n</svg>"},
		{"text left alone", `<text>zr-free text</text>`, `<text>zr-free text</text>`},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			if got := string(Normalize([]byte(test.in))); got != test.want {
				t.Errorf("Normalize(%q) = %q; want %q", test.in, got, test.want)
			}
		})
	}
}

func TestCache(t *testing.T) {
	r := newTestRenderer(t, Options{Runtimes: 1})
	img, err := r.Render(context.Background(), "key", []byte(testOption), 640, 400)
	if err != nil {
		t.Fatal(err)
	}
	// A cached key is answered without reading the option: an invalid
	// one proves ECharts did not run.
	again, err := r.Render(context.Background(), "key", []byte(`not json`), 640, 400)
	if err != nil {
		t.Fatalf("cached render: %v; want the cached image", err)
	}
	if again.ETag != img.ETag {
		t.Errorf("cached ETag = %s; want %s", again.ETag, img.ETag)
	}
	if got, ok := r.Cached("key"); !ok || got.ETag != img.ETag {
		t.Errorf("Cached(key) = %v, %t; want the image", got.ETag, ok)
	}
	if _, err := r.Render(context.Background(), "other", []byte(`not json`), 640, 400); err == nil {
		t.Errorf("uncached render of invalid JSON: no error; want one")
	}
}

func TestLRUEvicts(t *testing.T) {
	c := newLRU(100)
	img := func(n int) Image { return Image{SVG: bytes.Repeat([]byte("x"), n)} }
	c.put("a", img(40))
	c.put("b", img(40))
	c.get("a") // a is now the most recently used
	c.put("c", img(40))
	if _, ok := c.get("b"); ok {
		t.Errorf("b is cached; want it evicted as least recently used")
	}
	for _, k := range []string{"a", "c"} {
		if _, ok := c.get(k); !ok {
			t.Errorf("%s is not cached; want it kept", k)
		}
	}
	c.put("huge", img(1000))
	if _, ok := c.get("huge"); ok {
		t.Errorf("an image larger than the cache was kept")
	}
	if c.bytes > c.maxBytes {
		t.Errorf("cache holds %d bytes; want at most %d", c.bytes, c.maxBytes)
	}
}

func TestBusy(t *testing.T) {
	r := newTestRenderer(t, Options{Runtimes: 1, SlotWait: 10 * time.Millisecond})
	r.slots <- struct{}{} // the only runtime is taken
	_, err := r.Render(context.Background(), "k", []byte(testOption), 640, 400)
	if !errors.Is(err, ErrBusy) {
		t.Errorf("Render with every runtime busy: err = %v; want ErrBusy", err)
	}
	<-r.slots
	if _, err := r.Render(context.Background(), "k", []byte(testOption), 640, 400); err != nil {
		t.Errorf("Render once the runtime is free: %v", err)
	}
}

func TestCallerLeavesWhileWaiting(t *testing.T) {
	r := newTestRenderer(t, Options{Runtimes: 1, SlotWait: time.Minute})
	r.slots <- struct{}{}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := r.Render(ctx, "k", []byte(testOption), 640, 400)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Render for a caller that left: err = %v; want context.Canceled", err)
	}
}

// TestTimeout interrupts a render that cannot finish in time and checks
// that its runtime is not reused (the pool still renders afterwards).
func TestTimeout(t *testing.T) {
	r := newTestRenderer(t, Options{Runtimes: 1, RenderTimeout: time.Nanosecond})
	_, err := r.Render(context.Background(), "k", []byte(testOption), 640, 400)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("Render with a 1 ns limit: err = %v; want ErrTimeout", err)
	}
	if n := len(r.idle); n != 0 {
		t.Errorf("%d idle runtimes after an interrupted render; want the runtime discarded", n)
	}
	r.opts.RenderTimeout = time.Minute
	if _, err := r.Render(context.Background(), "k", []byte(testOption), 640, 400); err != nil {
		t.Errorf("Render after a timeout: %v", err)
	}
}

func TestSizeClamped(t *testing.T) {
	r := newTestRenderer(t, Options{Runtimes: 1})
	img, err := r.Render(context.Background(), "tiny", []byte(testOption), 1, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(`width="%d" height="%d"`, MinWidth, MaxSize)
	if !bytes.Contains(img.SVG, []byte(want)) {
		t.Errorf("SVG of a 1×1048576 request lacks %s", want)
	}
}

// TestCallerLeavesWhileRendering: a caller whose context ends stops its
// render (the runtime is interrupted), whether it was still waiting or
// already drawing.
func TestCallerLeavesWhileRendering(t *testing.T) {
	r := newTestRenderer(t, Options{Runtimes: 1})
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	_, err := r.Render(ctx, "k", []byte(testOption), 640, 400)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Render for a caller gone after 1 ns: err = %v; want context.DeadlineExceeded", err)
	}
	if _, ok := r.Cached("k"); ok {
		t.Errorf("an abandoned render was cached")
	}
}

// TestSameKeyRendersOnce: callers asking for one key at once share one
// render (with a single runtime, eight renders would run one after the
// other).
func TestSameKeyRendersOnce(t *testing.T) {
	r := newTestRenderer(t, Options{Runtimes: 1})
	const callers = 8
	etags := make(chan string, callers)
	errs := make(chan error, callers)
	for range callers {
		go func() {
			img, err := r.Render(context.Background(), "shared", []byte(testOption), 640, 400)
			etags <- img.ETag
			errs <- err
		}()
	}
	var first string
	for range callers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		tag := <-etags
		if first == "" {
			first = tag
		} else if tag != first {
			t.Errorf("ETag %s; want every caller to get %s", tag, first)
		}
	}
	if n := r.renders.Load(); n != 1 {
		t.Errorf("%d renders for %d callers of one key; want 1", n, callers)
	}
}

// TestWaiterRendersWhenLeaderLeaves: a caller waiting on another's render
// draws the image itself when that caller leaves.
func TestWaiterRendersWhenLeaderLeaves(t *testing.T) {
	r := newTestRenderer(t, Options{Runtimes: 1, SlotWait: time.Minute})
	r.slots <- struct{}{} // the leader will wait for the runtime
	leaderCtx, leave := context.WithCancel(context.Background())
	leaderDone := make(chan error, 1)
	go func() {
		_, err := r.Render(leaderCtx, "k", []byte(testOption), 640, 400)
		leaderDone <- err
	}()
	// Wait until the leader's flight exists, then queue a second caller.
	for {
		r.mu.Lock()
		_, ok := r.flights["k"]
		r.mu.Unlock()
		if ok {
			break
		}
		runtime.Gosched()
	}
	waiterDone := make(chan error, 1)
	go func() {
		_, err := r.Render(context.Background(), "k", []byte(testOption), 640, 400)
		waiterDone <- err
	}()
	leave()
	if err := <-leaderDone; !errors.Is(err, context.Canceled) {
		t.Errorf("leader: err = %v; want context.Canceled", err)
	}
	<-r.slots // the runtime comes free
	if err := <-waiterDone; err != nil {
		t.Errorf("waiter after the leader left: %v; want the image", err)
	}
}
