package web

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserCompose drives the composer in Chromium: the live answer
// over the WebSocket, a new parameter's slider, the "equals" badge
// following the inputs, the formula's error under the box, the permalink.
func TestBrowserCompose(t *testing.T) {
	browser, base := uiBrowser(t)
	tab := openTab(t, browser)
	tab.do(t, "navigate", chromedp.Navigate(base+"/compose"))
	poll := func(what, js string) {
		t.Helper()
		if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
			t.Fatalf("%s: %v; page says %s", what, err, tab.eval(t, `document.querySelector('[data-compose-result]').innerText`))
		}
	}
	poll("live socket", `document.documentElement.dataset.composeLive === '1'`)
	poll("chart drawn", `!!(window.echarts && window.echarts.getInstanceByDom(document.getElementById('chart-curve')))`)
	if got := tab.eval(t, `document.querySelector('[data-testid=equals]').innerText`); !strings.Contains(got, "MSELoss") {
		t.Errorf("equals = %q; want MSELoss for the default (input - target)^2", got)
	}

	// type sets a field's value as typing would, and waits for the answer
	// to that state.
	typeIn := func(selector, value string) {
		t.Helper()
		tab.eval(t, `(function () { var el = document.querySelector(`+jsString(selector)+`); el.value = `+jsString(value)+
			`; el.dispatchEvent(new Event('input', {bubbles: true})); return ''; })()`)
	}
	typeIn("#formula", "abs(input - target)^gamma")
	poll("gamma slider", `!!document.querySelector('[data-testid=slider-gamma]')`)
	poll("loss for gamma 2", `(document.querySelector('[data-testid=loss]') || {}).textContent === '0.9800000000000001'`)
	if got := tab.eval(t, `document.querySelector('[data-testid=equals]').innerText`); !strings.Contains(got, "MSELoss") {
		t.Errorf("equals = %q; want MSELoss at gamma 2", got)
	}

	typeIn("[data-testid=slider-gamma]", "1")
	poll("loss for gamma 1", `(document.querySelector('[data-testid=loss]') || {}).textContent === '0.9333333333333332'`)
	if got := tab.eval(t, `document.querySelector('[data-testid=equals]').innerText`); !strings.Contains(got, "L1Loss") {
		t.Errorf("equals = %q; want L1Loss at gamma 1", got)
	}
	if got := tab.eval(t, `document.querySelector('[data-testid=value-gamma]').value`); got != "1" {
		t.Errorf("gamma's number = %q; want the slider's 1", got)
	}
	if got := tab.eval(t, `location.search`); !strings.Contains(got, "gamma=1") || !strings.Contains(got, "formula=abs") {
		t.Errorf("address = %q; want the state (formula, gamma=1)", got)
	}

	typeIn("#formula", "abs(input - target) + frob(1)")
	poll("formula error", `!document.getElementById('formula-error').hidden && document.getElementById('formula-error').innerText.indexOf('unknown function "frob" at 23') >= 0`)
	if got := tab.eval(t, `document.querySelector('[data-testid=formula-error-mark]').textContent`); got != "f" {
		t.Errorf("marked character = %q; want f, where frob starts", got)
	}
	if got := tab.eval(t, `document.querySelector('[data-testid=pytorch]').textContent`); !strings.Contains(got, "torch.abs(input - target) ** gamma") {
		t.Errorf("PyTorch function = %q; want the last good formula's", got)
	}
	tab.checkNoErrors(t)

	// A page opened on a wrong formula has no chart until it is fixed.
	tab = openTab(t, browser)
	tab.do(t, "navigate", chromedp.Navigate(base+"/compose?formula=frob(1)"))
	poll("live socket", `document.documentElement.dataset.composeLive === '1'`)
	if got := tab.eval(t, `String(document.querySelector('[data-testid=chart-curve]').hidden)`); got != "true" {
		t.Errorf("chart hidden = %s on a wrong formula; want true", got)
	}
	typeIn("#formula", "(input - target)^2")
	poll("chart shown once fixed", `!document.querySelector('[data-testid=chart-curve]').hidden && !!echarts.getInstanceByDom(document.getElementById('chart-curve'))`)
	poll("error gone", `document.getElementById('formula-error').hidden`)
	tab.checkNoErrors(t)
}
