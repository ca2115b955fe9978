package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserDTypeToggle switches a loss page to float32 and back: the
// live panel equals the server's for the permalink (which carries
// dtype=float32), marks the values that overflowed, and loses the marks in
// float64 again.
func TestBrowserDTypeToggle(t *testing.T) {
	browser, base := uiBrowser(t)
	tab := openTab(t, browser)
	tab.do(t, "navigate", chromedp.Navigate(base+"/losses/soft-margin?input=[-89,1]&target=[1,1]&reduction=none"))
	tab.waitReady(t)
	liveWaitRest(t, tab)
	set := func(v string) {
		t.Helper()
		js := `(function () { var s = document.getElementById('p-dtype'); s.value = '` + v + `'; s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`
		if _, err := chromedp.Run(tab.ctx, chromedp.Evaluate[bool](js)); err != nil {
			t.Fatal(err)
		}
		liveWaitRest(t, tab)
	}
	marks := `document.querySelectorAll('#result-panel [data-f32=overflow]').length`

	set("float32")
	liveCompareWithServer(t, tab)
	if got := tab.eval(t, `location.search`); !strings.Contains(got, "dtype=float32") {
		t.Errorf("URL query %s; want dtype=float32 in it", got)
	}
	if got := tab.eval(t, `document.querySelector('[data-testid=result-dtype]').textContent`); got != "float32" {
		t.Errorf("panel dtype = %q; want float32", got)
	}
	// Input −89: the element (+Inf) and its gradient (NaN) overflowed.
	if got := tab.eval(t, `String(`+marks+`)`); got != "2" {
		t.Errorf("values marked overflow = %s; want 2 (the element and its gradient)", got)
	}
	if got := tab.eval(t, `document.querySelector('[data-testid=pytorch-snippet]').textContent`); !strings.Contains(got, "dtype=torch.float32") {
		t.Errorf("PyTorch snippet %q; want torch.float32 tensors", got)
	}

	set("float64")
	liveCompareWithServer(t, tab)
	if got := tab.eval(t, `String(`+marks+`)`); got != "0" {
		t.Errorf("values marked in float64 = %s; want 0", got)
	}
	if got := tab.eval(t, `location.search`); strings.Contains(got, "dtype") {
		t.Errorf("URL query %s; want no dtype in float64, the default", got)
	}
	tab.checkNoErrors(t)
}
