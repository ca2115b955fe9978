package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/web/cost"
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
	// openTab bounds a tab by one page's timeout; a class scenario needs
	// more, from the tab's creation on (the tab closes with the context it
	// was created in).
	return openTabFor(t, ctx, classBrowserTimeout)
}

// waitTrue polls js until it is true, across navigations (a student's
// page reloads when the class moves to another loss).
func (tab *uiTab) waitTrue(t *testing.T, what, js string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		if err = pollOnce(tab, js, time.Second); err == nil {
			return
		}
		if tab.ctx.Err() != nil {
			break
		}
	}
	t.Fatalf("%s: %v", what, err)
}

// pollOnce polls js for up to limit. A poll whose page navigates away
// can go unanswered by the browser for ever (the promise it awaits dies
// with the page), so the call has a deadline of its own, and the caller
// polls again on the page that replaced it.
func pollOnce(tab *uiTab, js string, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(tab.ctx, limit+time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(limit)))
	return err
}

// classChartData is every chart's series data on a page, as JSON.
const classChartData = `JSON.stringify([...document.querySelectorAll('.chart[data-chart]')].map(function (el) {
	var c = echarts.getInstanceByDom(el); return c ? [el.dataset.chart, c.getOption().series.map(function (s) { return s.data; })] : null;
}))`

// countSockets makes every page the tab loads count the WebSockets it
// opens, in window.__sockets.
func countSockets(t *testing.T, tab *uiTab) {
	t.Helper()
	if _, err := chromedp.Call(tab.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `(function () {
			window.__sockets = 0;
			var W = window.WebSocket;
			function Counted(url, protocols) { window.__sockets++; return protocols === undefined ? new W(url) : new W(url, protocols); }
			Counted.prototype = W.prototype;
			["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach(function (k) { Counted[k] = W[k]; });
			window.WebSocket = Counted;
			try { sessionStorage.setItem("__loads", String(Number(sessionStorage.getItem("__loads") || 0) + 1)); } catch (e) {}
		})();`,
	}); err != nil {
		t.Fatal(err)
	}
}

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
		countSockets(t, s)
		s.do(t, "join", chromedp.Navigate(base+"/join"))
		s.do(t, "type code", chromedp.SendKeys(chromedp.CSS(`[data-testid=class-code-input]`), strings.ToLower(code)),
			chromedp.SendKeys(chromedp.CSS(`[data-testid=class-name-input]`), fmt.Sprintf("Student %d", i+1)),
			chromedp.Click(chromedp.CSS(`[data-testid=class-join-submit]`)))
		s.waitTrue(t, "student follows", `location.pathname === '/c/`+code+`' && !!document.querySelector('[data-testid=lock-status]') && document.querySelector('[data-testid=lock-status]').textContent === 'following the teacher' && document.querySelector('#p-beta-range').disabled`)
		students = append(students, s)
	}
	for i, s := range students {
		// The class rides on the page's own socket.
		if got := s.eval(t, `String(window.__sockets)`); got != "1" {
			t.Errorf("student %d's page opened %s WebSockets; want 1", i+1, got)
		}
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
	for _, s := range students {
		s.waitLoss(t, want)
		s.waitTrue(t, "student's beta slider follows", `document.getElementById('p-beta-range').value === `+jsString(beta))
		// The result panel (the reduction spelled out) follows too.
		wantF, _ := strconv.ParseFloat(want, 64)
		s.waitTrue(t, "student's result panel follows", `document.getElementById('result-panel').textContent.indexOf(`+jsString(fmt.Sprintf("= %.6f", wantF))+`) >= 0`)
	}
	// The charts are the teacher's. (The teacher's tab is behind its
	// dashboard: a hidden tab draws its charts on a throttled timer, so
	// its charts are waited for.)
	// Each page draws on its own frames, so the three are read until
	// they agree (one read could catch a page between two frames).
	var studentCharts, second, teacherCharts string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); {
		studentCharts, second, teacherCharts = students[0].eval(t, classChartData), students[1].eval(t, classChartData), teacher.eval(t, classChartData)
		if studentCharts == second && second == teacherCharts {
			break
		}
		waitFrames(t, students[0])
	}
	if studentCharts != second || second != teacherCharts {
		t.Errorf("charts differ:\nstudent 1: %.300s\nstudent 2: %.300s\nteacher:   %.300s", studentCharts, second, teacherCharts)
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

// TestBrowserClassErrorPageNoLoop: a class state whose page the server
// refuses (here the compute budget, lowered after the state was stored,
// makes /c/{code} a 400 page) does not loop the student's page: it
// navigates to that state at most once, then says why it waits; the
// teacher's next state, which the server can show, is followed again.
func TestBrowserClassErrorPageNoLoop(t *testing.T) {
	t.Parallel() // most of it waits on the page's backoff: it runs beside the page-matrix tests
	browser := sharedBrowser(t)
	app, err := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Routes())
	t.Cleanup(func() { app.CloseConnections(); srv.Close(); app.Close() })
	c := classTestCreate(t, srv)
	teacher := classTestDial(t, srv)
	teacher.send(`{"type":"class_teach","code":%q,"token":%q}`, c.Code, c.TeacherToken)
	teacher.untilType("class_joined")
	teacher.send("%s", classTestDrive(1, 0.25))
	teacher.untilType("class_state")

	budget := app.compute.budget
	app.compute.budget = cost.Budget{Elements: 1, Work: 1, Bytes: 1}
	s := openClassTab(t, browser)
	countSockets(t, s)
	s.do(t, "open the class", chromedp.Navigate(srv.URL+"/c/"+c.Code))
	s.waitTrue(t, "the student says why it waits", `(function () {
		var m = document.querySelector('[data-testid=class-message]');
		return !!m && !m.hidden && /as soon as the teacher changes/.test(m.textContent);
	})()`)
	if got := s.eval(t, `sessionStorage.getItem("__loads")`); got != "2" {
		t.Errorf("page loads for one state the server refuses = %s; want 2 (the first, and one navigation)", got)
	}
	if got := s.eval(t, `String(window.__sockets)`); got != "1" {
		t.Errorf("the error page opened %s WebSockets; want 1", got)
	}

	// The teacher moves on to a state the server shows: the student
	// follows it (after backing off).
	app.compute.budget = budget
	teacher.send("%s", classTestDrive(2, 0.5))
	s.waitTrue(t, "the student follows the next state", `!!document.querySelector('[data-loss]') && (document.querySelector('[data-testid=lock-status]') || {}).textContent === 'following the teacher'`)
	if got := s.eval(t, `sessionStorage.getItem("__loads")`); got != "3" {
		t.Errorf("page loads after the next state = %s; want 3", got)
	}
	s.checkNoErrors(t)
}
