package web

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/lossplayground/playground/engine"
)

// TestBrowserInfinityStays opens pages whose URL holds a number beyond
// float64's range. The server reads it as infinity (as Python and PyTorch
// do); the live page must keep that value when it sends the state over the
// socket, and show the same loss, not an error.
func TestBrowserInfinityStays(t *testing.T) {
	browser, base := uiBrowser(t)
	spec, _ := engine.LookupSlug("smooth-l1")
	tests := []struct {
		name           string
		query          url.Values
		params, inputs map[string]json.RawMessage
	}{
		{"beta", url.Values{"beta": {"1e400"}},
			map[string]json.RawMessage{"beta": json.RawMessage(`"Infinity"`)}, nil},
		{"input", url.Values{"input": {"[[1e400,1,2],[1,2,3]]"}, "target": {"[[0,0,0],[0,0,0]]"}},
			nil, map[string]json.RawMessage{"input": json.RawMessage(`[["Infinity",1,2],[1,2,3]]`), "target": json.RawMessage(`[[0,0,0],[0,0,0]]`)}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			want := engineLossWith(t, spec, test.params, test.inputs)
			tab := openTab(t, browser)
			tab.do(t, "navigate", chromedp.Navigate(base+"/losses/smooth-l1?"+test.query.Encode()))
			tab.waitReady(t)
			tab.waitTrue(t, "the socket's answer", `(function () { var i = lossPlayground.ids(); return i.wsOpen && i.inflight === -1 && i.shownLoss >= 0; })()`)
			if got := tab.eval(t, `(document.querySelector('#result-panel [role=alert], #result-panel .error') || {textContent: ''}).textContent`); got != "" {
				t.Errorf("live page shows error %q; want the loss", got)
			}
			tab.waitLoss(t, want)
			tab.checkNoErrors(t)
		})
	}
}
