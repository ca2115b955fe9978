package chartexport

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"

	"github.com/chromedp/chromedp"
)

// pngScale is the device pixel ratio of PNG exports: sharp on high-density
// screens and in print.
const pngScale = 2

// ErrNoChromium is returned for -format png when no Chromium is found.
var ErrNoChromium = errors.New("PNG export needs Chromium (headless, through chromedp) and none was found: install it (apt-get install chromium-headless-shell, or chromium) or name it with -chromium; SVG export works without it")

// chromiumNames are the executables looked for on the PATH. The headless
// build comes first: it draws the same, with no browser UI to start.
var chromiumNames = []string{"chromium-headless-shell", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// FindChromium returns the first Chromium on the PATH that PNG export
// would use, or "".
func FindChromium() string {
	for _, n := range chromiumNames {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// pngWriter draws SVGs to PNG in one headless Chromium tab.
type pngWriter struct {
	ctx    context.Context
	cancel func()
}

func newPNGWriter(ctx context.Context, chromium string) (*pngWriter, error) {
	if chromium == "" {
		if chromium = FindChromium(); chromium == "" {
			return nil, ErrNoChromium
		}
	} else if _, err := exec.LookPath(chromium); err != nil {
		return nil, fmt.Errorf("%w (%v)", ErrNoChromium, err)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
	)
	tab, cancelTab := chromedp.NewContext(alloc)
	if err := chromedp.Do(tab); err != nil {
		cancelTab()
		cancelAlloc()
		return nil, fmt.Errorf("start %s: %w", chromium, err)
	}
	return &pngWriter{ctx: tab, cancel: func() { cancelTab(); cancelAlloc() }}, nil
}

func (p *pngWriter) close() { p.cancel() }

// svgSize reads the width and height attributes of an SVG's root.
var svgSize = regexp.MustCompile(`^<svg[^>]*?\swidth="(\d+)"[^>]*?\sheight="(\d+)"`)

// draw opens svg as a document at its own size and screenshots it.
func (p *pngWriter) draw(svg []byte) ([]byte, error) {
	m := svgSize.FindSubmatch(svg)
	if m == nil {
		return nil, errors.New("the SVG has no width and height")
	}
	w, _ := strconv.ParseInt(string(m[1]), 10, 64)
	h, _ := strconv.ParseInt(string(m[2]), 10, 64)
	page := "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(svg)
	if err := chromedp.Do(p.ctx,
		chromedp.EmulateViewport(w, h, chromedp.EmulateScale(pngScale)),
		chromedp.Navigate(page),
	); err != nil {
		return nil, err
	}
	return chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
}
