package web

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/lossplayground/playground/engine"
)

// classBrowserTimeout bounds a whole class scenario in one browser
// context (several pages, several steps).
const classBrowserTimeout = 90 * time.Second

// openClassTab opens a tab in a browser context of its own: its own
// localStorage and cookies, like another person's device.
func openClassTab(t *testing.T, browser context.Context) *uiTab {
	t.Helper()
	bctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatal(err)
	}
	return openTabIn(t, bctx)
}

// openTabIn opens another tab in ctx's browser context.
func openTabIn(t *testing.T, ctx context.Context) *uiTab {
	t.Helper()
	tab := openTab(t, ctx)
	// openTab bounds a tab by one page's timeout; a class scenario needs more.
	tctx, cancel := context.WithTimeout(context.WithoutCancel(tab.ctx), classBrowserTimeout)
	t.Cleanup(cancel)
	tab.ctx = tctx
	return tab
}

// waitTrue polls js until it is true, across navigations (a student's
// page reloads when the class moves to another loss).
func (tab *uiTab) waitTrue(t *testing.T, what, js string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		if _, err = chromedp.Run(tab.ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(time.Second))); err == nil {
			return
		}
		if tab.ctx.Err() != nil {
			break
		}
	}
	t.Fatalf("%s: %v", what, err)
}

// classChartData is every chart's series data on a page, as JSON.
const classChartData = `JSON.stringify([...document.querySelectorAll('.chart[data-chart]')].map(function (el) {
	var c = echarts.getInstanceByDom(el); return c ? [el.dataset.chart, c.getOption().series.map(function (s) { return s.data; })] : null;
}))`

func TestBrowserClass(t *testing.T) {
	browser, base := uiBrowser(t)
	spec, _ := engine.LookupSlug("smooth-l1")

	// The teacher starts a class from a loss page.
	teacher := openClassTab(t, browser)
	teacher.do(t, "open loss page", chromedp.Navigate(base+"/losses/smooth-l1"))
	teacher.waitReady(t)
	teacher.do(t, "teach", chromedp.Click(chromedp.CSS(`[data-testid=class-teach-button]`)))
	teacher.waitTrue(t, "class created", `!!localStorage.getItem('lp-class-teaching') && !!document.querySelector('[data-testid=class-teaching]')`)
	code := teacher.eval(t, `localStorage.getItem('lp-class-teaching')`)

	// The dashboard, in the teacher's browser (which holds the token).
	dash := openTabIn(t, teacher.ctx)
	dash.do(t, "open dashboard", chromedp.Navigate(base+"/c/"+code+"/teach"))
	dash.waitTrue(t, "dashboard shows the current loss", `document.querySelector('[data-testid=class-current]').textContent === 'SmoothL1Loss'`)

	// Two students, each on a device of their own.
	var students []*uiTab
	for i := range 2 {
		s := openClassTab(t, browser)
		s.do(t, "join", chromedp.Navigate(base+"/join"))
		s.do(t, "type code", chromedp.SendKeys(chromedp.CSS(`[data-testid=class-code-input]`), strings.ToLower(code)),
			chromedp.SendKeys(chromedp.CSS(`[data-testid=class-name-input]`), fmt.Sprintf("Student %d", i+1)),
			chromedp.Click(chromedp.CSS(`[data-testid=class-join-submit]`)))
		s.waitTrue(t, "student follows", `location.pathname === '/c/`+code+`' && !!document.querySelector('[data-testid=lock-status]') && document.querySelector('[data-testid=lock-status]').textContent === 'following the teacher' && document.querySelector('#p-beta-range').disabled`)
		students = append(students, s)
	}
	for i, s := range students {
		if got := s.eval(t, `[...document.querySelectorAll('[data-testid=class-student] button')].filter(function (b) { return b.getClientRects().length > 0; }).map(function (b) { return b.dataset.testid; }).join(' ')`); got != "" {
			t.Errorf("student %d, following in follow mode, sees buttons %q; want none", i+1, got)
		}
	}
	dash.waitTrue(t, "roster of 2", `document.querySelector('[data-testid=class-students]').textContent === '2' && document.querySelector('[data-testid=class-following]').textContent === '2'`)

	// The teacher moves a slider: both students' loss and charts follow.
	beta := teacher.eval(t, `(function () {
		var r = document.getElementById('p-beta-range');
		r.value = String(Number(r.max) - 3 * Number(r.step));
		r.dispatchEvent(new Event('input', {bubbles: true}));
		return r.value;
	})()`)
	want := engineLossWith(t, spec, map[string]json.RawMessage{"beta": json.RawMessage(beta)}, nil)
	teacher.waitLoss(t, want)
	teacherCharts := teacher.eval(t, classChartData)
	for i, s := range students {
		s.waitLoss(t, want)
		s.waitTrue(t, "student's beta slider follows", `document.getElementById('p-beta-range').value === `+jsString(beta))
		if got := s.eval(t, classChartData); got != teacherCharts {
			t.Errorf("student %d charts = %.300s; want the teacher's %.300s", i+1, got, teacherCharts)
		}
		// The result panel (the reduction spelled out) follows too.
		wantF, _ := strconv.ParseFloat(want, 64)
		s.waitTrue(t, "student's result panel follows", `document.getElementById('result-panel').textContent.indexOf(`+jsString(fmt.Sprintf("= %.6f", wantF))+`) >= 0`)
	}
	students[0].viewShot(t, "class-student-following")

	// A question answered by both: a histogram of 2 on the dashboard.
	dash.do(t, "ask", chromedp.Click(chromedp.CSS(`[data-testid=class-ask-lesson]`)))
	for _, s := range students {
		s.waitTrue(t, "question shown", `!!document.querySelector('[data-testid=class-student-question] [data-choice]')`)
		s.do(t, "answer", chromedp.Click(chromedp.CSS(`[data-testid=class-student-question] [data-choice]`)))
		s.waitTrue(t, "answer acknowledged", `!document.querySelector('[data-testid=class-answered]').hidden`)
	}
	dash.waitTrue(t, "histogram of 2", `document.querySelector('[data-testid=class-answers]').textContent === '2' &&
		[...document.querySelectorAll('[data-testid=class-bin]')].reduce(function (n, b) { return n + Number(b.dataset.count); }, 0) === 2`)
	dash.do(t, "reveal", chromedp.Click(chromedp.CSS(`[data-testid=class-reveal]`)))
	for _, s := range students {
		s.waitTrue(t, "reveal reaches the student", `!document.querySelector('[data-testid=class-student-reveal]').hidden && /Answer:/.test(document.querySelector('[data-testid=class-student-reveal]').textContent)`)
	}
	students[1].viewShot(t, "class-student-reveal")

	// Explore, then a snapshot reaches the teacher.
	dash.do(t, "explore", chromedp.Click(chromedp.CSS(`[data-testid=class-mode-explore]`)))
	s := students[0]
	s.waitTrue(t, "student unlocked", `!document.getElementById('p-beta-range').disabled && document.querySelector('[data-testid=class-send-snapshot]').getClientRects().length > 0`)
	s.do(t, "send snapshot", chromedp.Click(chromedp.CSS(`[data-testid=class-send-snapshot]`)))
	dash.waitTrue(t, "snapshot listed", `document.querySelectorAll('[data-testid=class-snapshot]').length === 1`)
	dash.screenshot(t, "class-dashboard")

	// Pause: eyes on the projector; then everyone follows again.
	dash.do(t, "pause", chromedp.Click(chromedp.CSS(`[data-testid=class-mode-pause]`)))
	for _, s := range students {
		s.waitTrue(t, "pause screen", `document.querySelector('[data-testid=class-pause]').getClientRects().length > 0`)
	}
	dash.do(t, "follow", chromedp.Click(chromedp.CSS(`[data-testid=class-mode-follow]`)))
	for _, s := range students {
		s.waitTrue(t, "following again", `document.querySelector('[data-testid=class-pause]').getClientRects().length === 0 && document.getElementById('p-beta-range').disabled`)
	}

	for _, tab := range append([]*uiTab{teacher, dash}, students...) {
		tab.checkNoErrors(t)
	}
	if dir := os.Getenv("LOSS_PLAYGROUND_SHOTS"); dir != "" {
		for _, name := range []string{"class-dashboard", "class-student-following", "class-student-reveal"} {
			if b, err := os.ReadFile(filepath.Join(uiBrowserArtifact, name+".png")); err == nil {
				os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644)
			}
		}
	}
}
