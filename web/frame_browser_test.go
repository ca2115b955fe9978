package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestFramingInBrowser checks the frame policy where it matters, in a
// browser: a page of another origin (a second server) frames the
// playground's /embed/mse, which loads, and /losses/mse, which Chromium
// refuses (frame-ancestors 'self').
func TestFramingInBrowser(t *testing.T) {
	browser, base := uiBrowser(t)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>another site</title>
<iframe name="embed" src="%[1]s/embed/mse" width="600" height="400"></iframe>
<iframe name="page" src="%[1]s/losses/mse" width="600" height="400"></iframe>`, base)
	}))
	t.Cleanup(other.Close)

	tab := openTab(t, browser)
	tab.do(t, "open the other site", chromedp.Navigate(other.URL))
	// Wait until both frames have finished: loaded, or replaced by the
	// browser's error page.
	frames := map[string]*cdp.Frame{}
	deadline := time.Now().Add(15 * time.Second)
	for len(frames) < 2 || frames["embed"].URL == "about:blank" || frames["page"].URL == "about:blank" {
		if time.Now().After(deadline) {
			t.Fatalf("the frames did not finish loading: %v", frames)
		}
		time.Sleep(50 * time.Millisecond)
		tree, err := chromedp.Call(tab.ctx, page.GetFrameTree, cdp.Empty{})
		if err != nil {
			t.Fatalf("Page.getFrameTree: %v", err)
		}
		clear(frames)
		for _, child := range tree.FrameTree.ChildFrames {
			frames[child.Frame.Name] = child.Frame
		}
	}
	for name, f := range frames {
		t.Logf("frame %s: url %q unreachable %q", name, f.URL, f.UnreachableURL)
	}
	if f := frames["embed"]; f.URL != base+"/embed/mse" || f.UnreachableURL != "" {
		t.Errorf("framed /embed/mse: url %q, unreachable %q; want it loaded", f.URL, f.UnreachableURL)
	}
	if f := frames["page"]; f.URL == base+"/losses/mse" && f.UnreachableURL == "" {
		t.Errorf("framed /losses/mse: url %q loaded; want Chromium to refuse it", f.URL)
	}
	tab.screenshot(t, "framing")
}
