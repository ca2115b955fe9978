package web

import (
	"encoding/base64"
	"fmt"
	"os"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestZZShots(t *testing.T) {
	browser, base := uiBrowser(t)
	for _, c := range []struct{ name, page, id string }{
		{"smooth-l1-curve", "/embed/smooth-l1?beta=0.5&lang=en&theme=light", "curve"},
		{"ctc-lattice", "/embed/ctc?lang=en&theme=light", "lattice"},
		{"cross-entropy-family", "/embed/cross-entropy?lang=en&theme=light", "family"},
	} {
		tab := openTab(t, browser)
		tab.do(t, "nav", chromedp.EmulateViewport(1280, 1800), chromedp.Navigate(base+c.page))
		tab.waitReady(t)
		sel := "#chart-" + c.id
		if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](`!!document.querySelector('`+sel+` canvas')`)); err != nil {
			t.Fatal(err)
		}
		wh := tab.eval(t, `(function(){var r=document.querySelector('`+sel+`').getBoundingClientRect();return Math.round(r.width)+','+Math.round(r.height)})()`)
		var w, h int
		fmt.Sscanf(wh, "%d,%d", &w, &h)
		png, err := chromedp.Run(tab.ctx, chromedp.Screenshot(chromedp.CSS(sel)))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile("/work/shots/browser-"+c.name+".png", png, 0o644)
		href := tab.eval(t, `document.querySelector('[data-testid="image-link-`+c.id+`"]').href`)
		href += fmt.Sprintf("&w=%d&h=%d", max(w, 200), max(h, 200))
		svg := tab.eval(t, `(function(){var x=new XMLHttpRequest();x.open('GET',`+jsString(href)+`,false);x.send();return x.responseText})()`)
		os.WriteFile("/work/shots/server-"+c.name+".svg", []byte(svg), 0o644)
		tab2 := openTab(t, browser)
		tab2.do(t, "svg", chromedp.EmulateViewport(int64(max(w, 200)), int64(max(h, 200))), chromedp.Navigate("data:image/svg+xml;base64,"+base64.StdEncoding.EncodeToString([]byte(svg))))
		p2, err := chromedp.Run(tab2.ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile("/work/shots/server-"+c.name+".png", p2, 0o644)
		t.Logf("%s: %dx%d %s", c.name, w, h, href)
	}
}
