package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/lossplayground/playground/engine"
)

// The browser suite drives Chromium against the real routes: every page
// loads without a console error, controls and grid cells recompute the loss
// shown to the engine's value, a permalink reproduces the state, and the CTC
// lattice draws. With LP_SHOTS set, screenshots go to testdata/artifacts/ (git-ignored).

const (
	uiBrowserTimeout  = 20 * time.Second // one page's checks
	uiBrowserArtifact = "testdata/artifacts"
)

// uiBrowserNames are the Chromiums the suite can drive, the first found
// on the PATH. chromium-headless-shell is Chromium's headless build (the
// same Blink and V8, no browser UI around its pages): a window costs it a
// fraction of what it costs the full browser, and this package's tests
// took 139 s with it against 190 s with chromium on a 2-core machine.
var uiBrowserNames = []string{"chromium-headless-shell", "chromium"}

// uiBrowserPath finds the first of uiBrowserNames, or returns "".
// LOSS_PLAYGROUND_CHROMIUM names another (the full chromium, to time the
// benchmarks in what students run).
func uiBrowserPath() string {
	names := uiBrowserNames
	if env := os.Getenv("LOSS_PLAYGROUND_CHROMIUM"); env != "" {
		names = []string{env}
	}
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// uiBrowser returns the suite's one headless Chromium (started by the
// first caller, closed by TestMain) and a fresh test server; each page
// opens in its own tab. Starting Chromium once instead of per test saves
// about a second per test. Without Chromium it skips loudly, or fails when
// LOSS_PLAYGROUND_REQUIRE_BROWSER=1 (CI).
func uiBrowser(t testing.TB) (context.Context, string) {
	t.Helper()
	browser := sharedBrowser(t)
	app, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Routes())
	t.Cleanup(srv.Close)
	return browser, srv.URL
}

var (
	uiSharedOnce    sync.Once
	uiShared        context.Context
	uiSharedErr     error
	uiSharedCleanup = func() {}
)

// sharedBrowser starts Chromium once for the whole test binary.
func sharedBrowser(t testing.TB) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests skipped with -short")
	}
	path := uiBrowserPath()
	if path == "" {
		msg := "BROWSER TESTS SKIPPED: no Chromium found (apt-get install chromium-headless-shell)"
		if os.Getenv("LOSS_PLAYGROUND_REQUIRE_BROWSER") == "1" {
			t.Fatal(msg + "; LOSS_PLAYGROUND_REQUIRE_BROWSER=1 requires it")
		}
		t.Skip(msg)
	}
	uiSharedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "lp-chromium-")
		if err != nil {
			uiSharedErr = err
			return
		}
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
			chromedp.ExecPath(path),
			chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.Flag("hide-scrollbars", true),
			// Tabs opened behind others must keep animation frames
			// and timers running: the tests wait on them.
			chromedp.Flag("disable-background-timer-throttling", true),
			chromedp.Flag("disable-renderer-backgrounding", true),
			chromedp.Flag("disable-backgrounding-occluded-windows", true),
			// A tab handed from one test to the next loads about:blank
			// between them; the back/forward cache would keep each
			// test's last page alive behind it, and loading a page took
			// twice as long with it on.
			chromedp.Flag("disable-features", "BackForwardCache"),
			chromedp.UserDataDir(dir),
			chromedp.WindowSize(1280, 900),
		)
		browser, cancelBrowser := chromedp.NewContext(alloc)
		uiSharedCleanup = func() { cancelBrowser(); cancelAlloc(); os.RemoveAll(dir) }
		uiShared, uiSharedErr = browser, chromedp.Do(browser)
	})
	if uiSharedErr != nil {
		t.Fatalf("start %s: %v", path, uiSharedErr)
	}
	if err := os.MkdirAll(uiBrowserArtifact, 0o755); err != nil {
		t.Fatal(err)
	}
	return uiShared
}

// TestMain closes the shared browser after every test has run.
func TestMain(m *testing.M) {
	code := m.Run()
	uiSharedCleanup()
	os.Exit(code)
}

// uiIdleTabs holds tabs of the shared browser that no test is using.
// Opening a tab in the full chromium opens a window with its own browser
// UI, which costs about as much CPU as loading a loss page (less in
// chromium-headless-shell, but not nothing); a test that takes a tab that
// another test left saves that, and the suite opens at most as many
// windows as it ever ran tabs at once.
var uiIdleTabs struct {
	sync.Mutex
	ids []target.ID
}

// reusedTab returns a tab of browser (an idle one when browser is the
// shared browser) and the func that gives it back. Giving back loads
// about:blank, so that nothing of the test's page (scripts, sockets,
// timers) runs on, and detaches, which drops the test's emulation
// overrides and listeners. A tab that cannot load about:blank is closed.
// Tabs in another browser context (another person's device) are always
// new and closed after use.
func reusedTab(browser context.Context) (context.Context, func()) {
	if browser != uiShared {
		return chromedp.NewContext(browser)
	}
	uiIdleTabs.Lock()
	var opts []chromedp.ContextOption
	if n := len(uiIdleTabs.ids); n > 0 {
		opts = append(opts, chromedp.WithTargetID(uiIdleTabs.ids[n-1]))
		uiIdleTabs.ids = uiIdleTabs.ids[:n-1]
	}
	uiIdleTabs.Unlock()
	ctx, cancel := chromedp.NewContext(browser, append(opts, chromedp.WithDetachOnCancel())...)
	// The first run attaches to the tab for as long as the context it is
	// given lives: this one, not a test's shorter-lived timeout.
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		return ctx, func() {}
	}
	return ctx, func() {
		c := chromedp.FromContext(ctx)
		if c == nil || c.Target == nil {
			cancel()
			return
		}
		id := c.Target.TargetID
		// page.Navigate answers once about:blank has replaced the page;
		// chromedp.Navigate would wait for a load event it never sees.
		blank, cancelBlank := context.WithTimeout(ctx, 5*time.Second)
		_, err := chromedp.Call(blank, page.Navigate, page.NavigateParams{URL: "about:blank"})
		cancelBlank()
		cancel()
		if err != nil {
			closeCtx, cancelClose := context.WithTimeout(browser, 5*time.Second)
			defer cancelClose()
			chromedp.CallBrowser(closeCtx, target.CloseTarget, target.CloseTargetParams{TargetID: id})
			return
		}
		uiIdleTabs.Lock()
		uiIdleTabs.ids = append(uiIdleTabs.ids, id)
		uiIdleTabs.Unlock()
	}
}

// uiTab opens a tab that records console errors and uncaught exceptions.
type uiTab struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

func openTab(t testing.TB, browser context.Context) *uiTab {
	t.Helper()
	return openTabFor(t, browser, uiBrowserTimeout)
}

// openTabFor is openTab with another time limit for the tab's checks
// (axe-core on the catalog's large DOM needs more on a loaded machine).
func openTabFor(t testing.TB, browser context.Context, limit time.Duration) *uiTab {
	t.Helper()
	tabCtx, release := reusedTab(browser)
	t.Cleanup(release)
	ctx, cancelTimeout := context.WithTimeout(tabCtx, limit)
	t.Cleanup(cancelTimeout)
	tab := &uiTab{ctx: ctx}
	if err := chromedp.Listen(ctx, func(ev any) {
		tab.mu.Lock()
		defer tab.mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				tab.errors = append(tab.errors, "console."+string(ev.Type)+": "+strings.Join(parts, " "))
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			tab.errors = append(tab.errors, fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber, msg))
		}
	}); err != nil {
		t.Fatal(err)
	}
	return tab
}

func (tab *uiTab) checkNoErrors(t testing.TB) {
	t.Helper()
	tab.mu.Lock()
	defer tab.mu.Unlock()
	for _, e := range tab.errors {
		t.Errorf("browser: %s", e)
	}
}

func (tab *uiTab) do(t testing.TB, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(tab.ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func (tab *uiTab) eval(t testing.TB, js string) string {
	t.Helper()
	v, err := chromedp.Run(tab.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// waitLoss waits until the page shows the exact loss want.
func (tab *uiTab) waitLoss(t testing.TB, want string) {
	t.Helper()
	js := `(document.querySelector('[data-testid=loss-value]') || {dataset: {}}).dataset.exact === ` + jsString(want)
	if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(8*time.Second))); err != nil {
		got := tab.eval(t, `(document.querySelector('[data-testid=loss-value]') || {dataset: {}}).dataset.exact || document.querySelector('#result').innerText`)
		t.Fatalf("displayed loss = %s; want %s (%v)", got, want, err)
	}
}

// waitReady waits for the script to have booted and typeset the formula.
func (tab *uiTab) waitReady(t testing.TB) {
	t.Helper()
	js := `document.readyState === 'complete' && document.documentElement.classList.contains('js') && !!window.lossPlayground && (!window.katex || document.querySelectorAll('.math[data-latex]:not(.typeset):not(.katex-failed)').length === 0)`
	if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("page did not finish loading: %v", err)
	}
}

func (tab *uiTab) screenshot(t testing.TB, name string) {
	t.Helper()
	if !wantShots() {
		return
	}
	png, err := chromedp.Run(tab.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(uiBrowserArtifact, name+".png"), png, 0o644); err != nil {
		t.Error(err)
	}
}

// viewShot saves what the viewport shows (not the whole page).
func (tab *uiTab) viewShot(t testing.TB, name string) {
	t.Helper()
	if !wantShots() {
		return
	}
	png, err := chromedp.Run(tab.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(uiBrowserArtifact, name+".png"), png, 0o644); err != nil {
		t.Error(err)
	}
}

// wantShots reports whether the tests should save screenshots
// (LP_SHOTS=1, or LP_SHOTS=dir to copy the lecture's there too): a full
// page's capture costs more than the checks beside it, and `make test`
// reads none of them.
func wantShots() bool { return os.Getenv("LP_SHOTS") != "" || os.Getenv("LOSS_PLAYGROUND_SHOTS") != "" }

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// engineLossWith is the engine's loss for spec's examples with some inputs
// and params replaced, formatted as the page's data-exact.
func engineLossWith(t *testing.T, spec *engine.Spec, params, inputs map[string]json.RawMessage) string {
	t.Helper()
	all := map[string]json.RawMessage{}
	for _, in := range spec.Inputs {
		b, _ := json.Marshal(in.Example)
		all[in.Name] = b
	}
	for k, v := range inputs {
		all[k] = v
	}
	c, err := engine.DecodeCall(spec, params, all)
	if err != nil {
		t.Fatalf("%s: DecodeCall = %v", spec.Name, err)
	}
	res, err := c.Compute()
	if err != nil {
		t.Fatalf("%s: Compute = %v", spec.Name, err)
	}
	return formatExact(res.Loss.Data[0])
}

// TestBrowserEveryPageLoads opens the catalog, every loss page and every
// loss's embed once and checks what each must do: load without a console
// error, typeset every formula with KaTeX, recompute the loss shown when
// the first slider moves (the engine's value, exactly), and keep every
// formula inside its box at 1280 px and, narrowed in place, at a phone's
// 375 px. One load per page serves all of these checks: a page load is
// most of a browser test's cost.
func TestBrowserEveryPageLoads(t *testing.T) {
	t.Parallel() // its pages run beside the tests that mostly wait
	browser, base := uiBrowser(t)
	type page struct {
		name, path string
		spec       *engine.Spec // a loss page's loss
	}
	pages := []page{{"catalog", "/", nil}, {"catalog-dark", "/?theme=dark", nil}}
	moved := 0
	for _, s := range engine.All() {
		pages = append(pages, page{s.Slug, "/losses/" + s.Slug, s}, page{"embed-" + s.Slug + "-dark", "/embed/" + s.Slug + "?theme=dark", nil})
		if firstSlider(s) != nil {
			moved++
		}
	}
	if moved == 0 {
		t.Error("no registered loss has a float parameter with a slider range: no slider is moved")
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel() // a page of its own in a tab of its own
			tab := openTab(t, browser)
			tab.do(t, "viewport", chromedp.EmulateViewport(1280, 900))
			tab.do(t, "navigate "+p.path, chromedp.Navigate(base+p.path))
			tab.waitReady(t)
			if n := tab.eval(t, `String(document.querySelectorAll('.math.typeset').length)`); n == "0" {
				t.Errorf("GET %s: no formula typeset by KaTeX", p.path)
			}
			if bad := tab.eval(t, `Array.from(document.querySelectorAll('.katex-failed')).map(function (e) { return e.dataset.latexPlain || e.dataset.latex; }).join(" | ")`); bad != "" {
				t.Errorf("GET %s: KaTeX cannot typeset %s", p.path, bad)
			}
			tab.viewShot(t, p.name)
			if p.spec != nil {
				if prm := firstSlider(p.spec); prm != nil {
					moveSliderNearTop(t, tab, p.spec, prm)
				}
			}
			if p.name != "catalog-dark" && !strings.HasPrefix(p.name, "embed-") {
				checkFormulasFit(t, tab, 1280)
				tab.resizeTo(t, 375, 800)
				checkFormulasFit(t, tab, 375)
				if p.name == "catalog" || p.name == "cross-entropy" || p.name == "gaussian-nll" {
					tab.screenshot(t, "formulas-375-"+p.name)
				}
			}
			tab.checkNoErrors(t)
		})
	}
}

// firstSlider returns the loss's first float parameter that has a
// slider, or nil.
func firstSlider(spec *engine.Spec) *engine.Param {
	for i := range spec.Params {
		if spec.Params[i].Kind == engine.KindFloat && spec.Params[i].SliderMax > spec.Params[i].SliderMin {
			return &spec.Params[i]
		}
	}
	return nil
}

// moveSliderNearTop moves prm's slider a few steps in from its top and
// waits for the page to show the engine's loss at that value.
func moveSliderNearTop(t *testing.T, tab *uiTab, spec *engine.Spec, prm *engine.Param) {
	t.Helper()
	v := tab.eval(t, fmt.Sprintf(`(function () {
		var r = document.getElementById('p-%s-range');
		var x = Number(r.max) - 3 * Number(r.step);
		r.value = String(x);
		r.dispatchEvent(new Event('input', {bubbles: true}));
		return r.value;
	})()`, prm.Name))
	tab.waitLoss(t, engineLossWith(t, spec, map[string]json.RawMessage{prm.Name: json.RawMessage(v)}, nil))
}

// TestBrowserControlsRecompute changes a select: the page shows the
// engine's loss for the new reduction. (TestBrowserEveryPageLoads moves
// every loss's first slider.)
func TestBrowserControlsRecompute(t *testing.T) {
	browser, base := uiBrowser(t)
	spec, _ := engine.LookupSlug("mse")
	tab := openTab(t, browser)
	tab.do(t, "navigate", chromedp.Navigate(base+"/losses/mse"))
	tab.waitReady(t)
	tab.do(t, "choose sum", chromedp.SetValue(chromedp.ID("p-reduction"), "sum"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('p-reduction').dispatchEvent(new Event('change', {bubbles: true}))`))
	tab.waitLoss(t, engineLossWith(t, spec, map[string]json.RawMessage{"reduction": json.RawMessage(`"sum"`)}, nil))
	tab.checkNoErrors(t)
}

func TestBrowserGridCellAndPermalink(t *testing.T) {
	browser, base := uiBrowser(t)
	spec, ok := engine.LookupSlug("mse")
	if !ok {
		t.Fatal("MSELoss is not registered")
	}
	edited := json.RawMessage(`[[3.5,-1,2],[1.5,0,-0.5]]`)
	want := engineLossWith(t, spec, nil, map[string]json.RawMessage{"input": edited})

	tab := openTab(t, browser)
	tab.do(t, "navigate", chromedp.Navigate(base+"/losses/mse"))
	tab.waitReady(t)
	// A click without a drag focuses the cell and selects its text; typing
	// replaces it.
	cell := chromedp.CSS(`[data-testid=grid-input] input[data-cell="0"]`)
	tab.do(t, "type in cell", chromedp.Click(cell), chromedp.KeyEvent("3.5"))
	// Focus on an input's cell highlights its symbol in the formula.
	if got := tab.eval(t, `String(!!document.querySelector('.formula .lp-sym-input.on') && !!document.querySelector('[data-symbol-for=input].on'))`); got != "true" {
		t.Errorf("focusing input[0,0] highlights x_i in the formula and legend = %s; want true", got)
	}
	tab.waitLoss(t, want)
	// The address bar follows the state (throttled while typing or dragging).
	if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](`decodeURIComponent(location.search).indexOf('input=[[3.5,') >= 0`, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Fatalf("URL after editing = %s; want it to hold input=[[3.5,...: %v", tab.eval(t, `location.href`), err)
	}
	permalink := tab.eval(t, `location.href`)
	if !strings.Contains(permalink, "input=") {
		t.Errorf("URL after editing = %s; want it to hold the input", permalink)
	}
	tab.screenshot(t, "mse-edited")
	tab.checkNoErrors(t)

	// A horizontal drag on a cell nudges it.
	before := tab.eval(t, `document.querySelector('[data-testid=grid-target] input[data-cell="2"]').value`)
	tab.do(t, "drag cell", chromedp.Evaluate[chromedp.Void](`(function () {
		var el = document.querySelector('[data-testid=grid-target] input[data-cell="2"]');
		var r = el.getBoundingClientRect(), y = r.top + r.height / 2, x = r.left + r.width / 2;
		var opts = function (dx) { return {bubbles: true, pointerId: 7, button: 0, clientX: x + dx, clientY: y}; };
		el.dispatchEvent(new PointerEvent('pointerdown', opts(0)));
		el.dispatchEvent(new PointerEvent('pointermove', opts(40)));
		el.dispatchEvent(new PointerEvent('pointerup', opts(40)));
	})()`))
	after := tab.eval(t, `document.querySelector('[data-testid=grid-target] input[data-cell="2"]').value`)
	if after == before {
		t.Errorf("dragging target[0,2] left it at %s; want it nudged", before)
	}

	// The permalink reproduces the edited state in a fresh tab.
	again := openTab(t, browser)
	again.do(t, "open permalink", chromedp.Navigate(permalink))
	again.waitReady(t)
	again.waitLoss(t, want)
	if got := again.eval(t, `document.querySelector('[data-testid=grid-input] input[data-cell="0"]').value`); got != "3.5" {
		t.Errorf("permalink cell input[0,0] = %s; want 3.5", got)
	}
	again.checkNoErrors(t)
}

func TestBrowserLiveSocket(t *testing.T) {
	browser, base := uiBrowser(t)
	res, err := http.Get(base + "/ws")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode == http.StatusNotFound {
		t.Fatal("/ws answers 404")
	}
	spec, _ := engine.LookupSlug("mse")
	tab := openTab(t, browser)
	tab.do(t, "navigate", chromedp.Navigate(base+"/losses/mse"))
	tab.waitReady(t)
	if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](`window.lossPlayground.ids().wsOpen`, chromedp.WithPollingTimeout(8*time.Second))); err != nil {
		t.Fatalf("WebSocket never opened: %v", err)
	}
	tab.do(t, "choose none then sum",
		chromedp.Evaluate[chromedp.Void](`(function () { var s = document.getElementById('p-reduction'); s.value = 'sum'; s.dispatchEvent(new Event('change', {bubbles: true})); })()`))
	tab.waitLoss(t, engineLossWith(t, spec, map[string]json.RawMessage{"reduction": json.RawMessage(`"sum"`)}, nil))
	if hidden := tab.eval(t, `String(document.querySelector('[data-testid=live-error]').hidden)`); hidden != "true" {
		t.Errorf("live error banner shown: %s", tab.eval(t, `document.querySelector('[data-testid=live-error]').textContent`))
	}
	tab.checkNoErrors(t)
}

func TestBrowserCTCLattice(t *testing.T) {
	spec, ok := engine.Lookup("CTCLoss")
	if !ok {
		t.Fatal("CTCLoss is not registered")
	}
	st := map[string]json.RawMessage{}
	for _, in := range spec.Inputs {
		st[in.Name], _ = json.Marshal(in.Example)
	}
	browser, base := uiBrowser(t)
	// A device of its own, so that the first view is cold and its
	// scripts are counted as they cross the network.
	device, closeDevice := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	defer closeDevice()
	if err := chromedp.Do(device); err != nil {
		t.Fatal(err)
	}
	tab := openTab(t, device)
	var mu sync.Mutex
	scripts := map[network.RequestID]bool{}
	var inFlight, firstView int
	chromedp.Listen(tab.ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			if ev.Type == network.ResourceTypeScript {
				scripts[ev.RequestID] = true
				inFlight++
			}
		case *network.EventLoadingFinished:
			if scripts[ev.RequestID] {
				firstView += int(ev.EncodedDataLength)
				inFlight--
			}
		case *network.EventLoadingFailed:
			if scripts[ev.RequestID] {
				inFlight--
			}
		}
	})
	if _, err := chromedp.Call(tab.ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	tab.do(t, "navigate", chromedp.Navigate(base+"/losses/"+spec.Slug))
	tab.waitReady(t)
	if tab.eval(t, `String(!!document.getElementById('chart-lattice'))`) != "true" {
		t.Fatal("the CTC page has no lattice chart")
	}
	// The first view: the lattice is below it, and its heatmap part waits
	// until the student scrolls there; what loaded fits the budget that
	// TestLossPageJavaScriptWeight holds the page's own scripts to.
	if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](`!!document.querySelector('.chart[data-drawn="1"]')`, chromedp.WithPollingTimeout(8*time.Second))); err != nil {
		t.Fatalf("no chart drawn on the CTC page: %v", err)
	}
	for deadline := time.Now().Add(8 * time.Second); ; {
		mu.Lock()
		n := inFlight
		mu.Unlock()
		if n == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := tab.eval(t, `String(document.getElementById('chart-lattice').getBoundingClientRect().top > innerHeight)`); got != "true" {
		t.Errorf("lattice below the first view = %s; want true (this check needs it there)", got)
	}
	if got := tab.eval(t, `String(document.getElementById('chart-lattice').dataset.drawn === '1')`); got != "false" {
		t.Errorf("lattice drawn before the student scrolled to it = %s; want false", got)
	}
	mu.Lock()
	got := firstView
	mu.Unlock()
	t.Logf("CTC's first view: %d bytes of JavaScript on the wire", got)
	if got > lossPageJSBudget || got == 0 {
		t.Errorf("CTC's first view loaded %d bytes of JavaScript on the wire; want between 1 and %d", got, lossPageJSBudget)
	}
	tab.do(t, "scroll to the lattice", chromedp.Evaluate[chromedp.Void](`document.getElementById('chart-lattice').scrollIntoView()`))
	for _, view := range []string{"alpha", "occupancy", "gradient"} {
		tab.do(t, "lattice "+view, chromedp.Evaluate[chromedp.Void](`(function () {
			var r = document.querySelector('input[name=lattice-view][value=`+view+`]');
			r.checked = true; r.dispatchEvent(new Event('change', {bubbles: true}));
		})()`))
		js := `document.getElementById('chart-lattice').dataset.drawn === '1' && !!document.querySelector('#chart-lattice canvas')`
		if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(8*time.Second))); err != nil {
			t.Errorf("lattice %s did not draw: %v", view, err)
		}
	}
	tab.screenshot(t, "ctc-lattice")

	// An embed is a picture, screenshotted whole: its lattice draws at
	// once, in sight or not.
	tab.do(t, "short window", chromedp.EmulateViewport(1280, 300))
	tab.do(t, "embed", chromedp.Navigate(base+"/embed/"+spec.Slug))
	tab.waitReady(t)
	if got := tab.eval(t, `String(document.getElementById('chart-lattice').getBoundingClientRect().top > innerHeight)`); got != "true" {
		t.Errorf("embed's lattice below the window = %s; want true (this check needs it there)", got)
	}
	if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](`document.getElementById('chart-lattice').dataset.drawn === '1'`, chromedp.WithPollingTimeout(8*time.Second))); err != nil {
		t.Errorf("embed's lattice out of sight did not draw: %v", err)
	}
	tab.checkNoErrors(t)
}

// TestBrowserOverlaySwitch turns on the overlay of related losses on the
// SmoothL1 curve: the curve chart gains the L1, MSE and Huber series.
func TestBrowserOverlaySwitch(t *testing.T) {
	browser, base := uiBrowser(t)
	tab := openTab(t, browser)
	tab.do(t, "navigate", chromedp.Navigate(base+"/losses/smooth-l1"))
	tab.waitReady(t)
	names := `(function () {
		var c = window.echarts.getInstanceByDom(document.getElementById('chart-curve'));
		return c ? c.getOption().series.map(function (s) { return s.name; }).join(',') : '';
	})()`
	before := tab.eval(t, names)
	if strings.Contains(before, "MSELoss") {
		t.Fatalf("curve series before the switch = %s; want no overlay", before)
	}
	tab.do(t, "overlay on", chromedp.Evaluate[chromedp.Void](`(function () {
		var b = document.querySelector('input[name=overlay-view]');
		b.checked = true; b.dispatchEvent(new Event('change', {bubbles: true}));
	})()`))
	js := names + `.indexOf('MSELoss') >= 0 && ` + names + `.indexOf('L1Loss') >= 0 && ` + names + `.indexOf('HuberLoss') >= 0`
	if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(8*time.Second))); err != nil {
		t.Errorf("curve series after the switch = %s; want L1Loss, MSELoss and HuberLoss overlaid: %v", tab.eval(t, names), err)
	}
	if got := tab.eval(t, `new URLSearchParams(location.search).get('overlay') || ''`); got != "1" {
		// The URL is synced lazily while dragging; a switch flushes it at the latest on Copy link.
		tab.do(t, "copy link", chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-action=permalink]') && document.querySelector('[data-action=permalink]').click()`))
		if got := tab.eval(t, `new URLSearchParams(location.search).get('overlay') || ''`); got != "1" {
			t.Errorf("overlay in the URL = %q; want 1, so that the permalink keeps it", got)
		}
	}
	tab.screenshot(t, "smooth-l1-overlay")
	tab.checkNoErrors(t)
}

// TestBrowserBadValueNamesField types an out-of-range value into a float
// parameter's number box: the result says which field is wrong and the
// control is marked, and a good value brings the numbers back.
func TestBrowserBadValueNamesField(t *testing.T) {
	var spec *engine.Spec
	var prm *engine.Param
	for _, s := range engine.All() {
		for i := range s.Params {
			if p := &s.Params[i]; p.Kind == engine.KindFloat && p.Min != nil && prm == nil {
				spec, prm = s, p
			}
		}
	}
	if prm == nil {
		t.Fatal("no registered loss has a bounded float parameter")
	}
	browser, base := uiBrowser(t)
	tab := openTab(t, browser)
	tab.do(t, "navigate", chromedp.Navigate(base+"/losses/"+spec.Slug))
	tab.waitReady(t)
	bad := formatExact(*prm.Min - 1)
	tab.do(t, "type a bad value", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(function () {
		var n = document.getElementById('p-%s');
		n.value = %s;
		n.dispatchEvent(new Event('input', {bubbles: true}));
	})()`, prm.Name, jsString(bad))))
	js := `(document.querySelector('[data-testid=result-error]') || {}).textContent || ''`
	msg, err := chromedp.Run(tab.ctx, chromedp.Poll[string](js, chromedp.WithPollingTimeout(8*time.Second)))
	if err != nil {
		t.Fatalf("%s.%s = %s shows no error: %v", spec.Name, prm.Name, bad, err)
	}
	if !strings.Contains(msg, prm.Name) {
		t.Errorf("error for %s = %s is %q; want it to name %s", prm.Name, bad, msg, prm.Name)
	}
	if got := tab.eval(t, `String(document.getElementById('ctl-`+prm.Name+`').getAttribute('aria-invalid'))`); got != "true" {
		t.Errorf("control %s aria-invalid = %s; want true", prm.Name, got)
	}
	tab.screenshot(t, "bad-value")
	tab.do(t, "type a good value", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(function () {
		var n = document.getElementById('p-%s');
		n.value = %s;
		n.dispatchEvent(new Event('input', {bubbles: true}));
	})()`, prm.Name, jsString(formatExact(*prm.Min+1)))))
	tab.waitLoss(t, engineLossWith(t, spec, map[string]json.RawMessage{prm.Name: json.RawMessage(formatExact(*prm.Min + 1))}, nil))
	tab.checkNoErrors(t)
}

// TestBrowserAddRow adds a sample with "+ row": every input with that many
// rows grows together, so the shapes still match and the loss is the
// engine's for the grown inputs.
func TestBrowserAddRow(t *testing.T) {
	spec, ok := engine.LookupSlug("mse")
	if !ok {
		t.Fatal("MSELoss is not registered")
	}
	browser, base := uiBrowser(t)
	tab := openTab(t, browser)
	tab.do(t, "navigate", chromedp.Navigate(base+"/losses/mse"))
	tab.waitReady(t)
	tab.do(t, "+ row", chromedp.Evaluate[chromedp.Void](`Array.from(document.querySelectorAll('[data-testid=input-input] .grid-tools button')).find(function (b) { return b.textContent === '+ row'; }).click()`))
	want := engineLossWith(t, spec, nil, map[string]json.RawMessage{
		"input":  json.RawMessage(`[[0.5,-1,2],[1.5,0,-0.5],[1.5,0,-0.5]]`),
		"target": json.RawMessage(`[[1,-1,0],[1,0.5,0.5],[1,0.5,0.5]]`),
	})
	tab.waitLoss(t, want)
	if got := tab.eval(t, `String(document.querySelectorAll('[data-testid=grid-target] tbody tr').length)`); got != "3" {
		t.Errorf("target rows after + row on input = %s; want 3", got)
	}
	tab.checkNoErrors(t)
}

// TestBrowserChartDownloads clicks a chart's PNG and SVG buttons and checks
// what would be downloaded.
func TestBrowserChartDownloads(t *testing.T) {
	browser, base := uiBrowser(t)
	tab := openTab(t, browser)
	tab.do(t, "navigate", chromedp.Navigate(base+"/losses/mse"))
	tab.waitReady(t)
	if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](`!!document.querySelector('.chart[data-drawn="1"] canvas')`, chromedp.WithPollingTimeout(8*time.Second))); err != nil {
		t.Fatalf("the MSE page drew no chart: %v", err)
	}
	tab.eval(t, `(function () {
		window.__downloads = [];
		HTMLAnchorElement.prototype.click = function () { window.__downloads.push(this.download + " " + this.href.slice(0, 30)); };
		return "";
	})()`)
	for _, typ := range []string{"png", "svg"} {
		tab.do(t, "click "+typ, chromedp.Click(chromedp.CSS(`.chart-fig button[data-download="`+typ+`"]`)))
	}
	// The SVG renderer loads on the first SVG download.
	js := `window.__downloads.length >= 2`
	if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(8*time.Second))); err != nil {
		t.Errorf("downloads after PNG and SVG clicks = %s: %v", tab.eval(t, `window.__downloads.join(" | ")`), err)
	}
	got := tab.eval(t, `window.__downloads.join("\n")`)
	for _, want := range []string{".png data:image/png;base64,", ".svg data:image/svg+xml"} {
		if !strings.Contains(got, want) {
			t.Errorf("downloads = %q; want one like %q", got, want)
		}
	}
	tab.checkNoErrors(t)
}
