package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	cdkb "github.com/chromedp/chromedp/kb"
)

// shotsDir, when set (LP_SHOTS=/work/shots), also receives the lecture's
// screenshots under fixed names, for the closing note.
func lectureShot(t *testing.T, tab *uiTab, name string, full bool) {
	t.Helper()
	if full {
		tab.screenshot(t, name)
	} else {
		tab.viewShot(t, name)
	}
	if dir := os.Getenv("LP_SHOTS"); dir != "" && dir != "1" {
		b, err := os.ReadFile(filepath.Join(uiBrowserArtifact, name+".png"))
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644)
		}
		if err != nil {
			t.Error(err)
		}
	}
}

// lectureTimeout bounds the whole lecture: five tabs on a machine that
// may be running other suites beside this one.
const lectureTimeout = 10 * time.Minute

// lectureTab opens a tab for the lecture: in a browser context of its own
// (another person's device) or in ctx's (another window of the same).
func lectureTab(t *testing.T, ctx context.Context, ownDevice bool) *uiTab {
	t.Helper()
	if ownDevice {
		bctx, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
		t.Cleanup(cancel)
		if err := chromedp.Do(bctx); err != nil {
			t.Fatal(err)
		}
		ctx = bctx
	}
	tab := openTabFor(t, ctx, lectureTimeout)
	return tab
}

// wait polls js until it is true (across a page's reloads), for up to a
// minute: the condition, never a fixed sleep.
func (tab *uiTab) wait(t *testing.T, what, js string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	var err error
	for time.Now().Before(deadline) && tab.ctx.Err() == nil {
		if err = pollOnce(tab, js, 2*time.Second); err == nil {
			return
		}
	}
	state, _ := chromedp.Run(tab.ctx, chromedp.Evaluate[string](`location.href + ' | ' + ((document.querySelector('[data-testid=teach-error]') || {}).textContent || '') + ' | ' + ((document.querySelector('[data-testid=teach-plan-pos]') || {}).textContent || '') + ' | ' + document.body.innerText.slice(0, 300)`))
	t.Fatalf("%s: %v\npage: %s", what, err, state)
}

// evalAwait evaluates js and waits for the promise it returns.
func (tab *uiTab) evalAwait(t *testing.T, js string) string {
	t.Helper()
	v, err := chromedp.Run(tab.ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %.80s: %v", js, err)
	}
	return v
}

// TestBrowserLecture runs a lecture from a plan the way a lecturer would:
// a class made with the API, driven by opening its teacher link; the
// private view and the projector in two windows; three students, one in
// Chinese; the outliers plan stepped with the keyboard; a predict
// question answered, revealed with the correct bar marked on the
// projector.
func TestBrowserLecture(t *testing.T) {
	browser, base := uiBrowser(t)
	res, err := http.Post(base+"/api/v1/classes", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	var created ClassCreated
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if err := json.Unmarshal(body, &created); err != nil {
		t.Fatalf("POST /api/v1/classes: %v (%s)", err, body)
	}
	code := created.Code

	// The teacher link (token in the fragment) on a device that never saw
	// the class: the private view connects, and the token leaves the
	// address bar.
	teacher := lectureTab(t, browser, true)
	teacher.do(t, "open the teacher link", chromedp.Navigate(base+"/c/"+code+"/teach#token="+created.TeacherToken))
	teacher.wait(t, "token kept, fragment dropped", `location.hash === '' && localStorage.getItem('lp-class-token-`+code+`') !== null &&
		document.querySelector('[data-testid=teach-teacher-link]').value.indexOf('#token=') > 0`)

	// The projector, in a window of its own, at 1920×1080.
	proj := lectureTab(t, teacher.ctx, false)
	proj.do(t, "projector size", chromedp.EmulateViewport(1920, 1080))
	proj.do(t, "open the projector", chromedp.Navigate(base+"/c/"+code+"/projector"))
	proj.wait(t, "projector shows the code", `document.querySelector('[data-testid=class-code]').textContent === '`+code+`'`)

	// Three students, the third in Chinese.
	var students []*uiTab
	for i, lang := range []string{"en", "en", "zh"} {
		s := lectureTab(t, browser, true)
		q := "?name=Student%20" + string(rune('1'+i))
		if lang == "zh" {
			q += "&lang=zh"
		}
		s.do(t, "join", chromedp.Navigate(base+"/c/"+code+q))
		students = append(students, s)
	}
	teacher.wait(t, "roster of 3", `document.querySelector('[data-testid=class-students]').textContent === '3'`)

	// Load the outliers plan and step with the keyboard.
	teacher.do(t, "pick the plan", chromedp.SetValue(chromedp.CSS(`[data-testid=teach-plan-select]`), "outliers"),
		chromedp.Click(chromedp.CSS(`[data-testid=teach-plan-load]`)))
	teacher.wait(t, "plan loaded", `!document.querySelector('[data-class-plan-now]').hidden && document.querySelectorAll('[data-testid=teach-plan-step]').length === 12`)
	teacher.do(t, "next step (→)", chromedp.KeyEvent(cdkb.ArrowRight)) // ArrowRight
	teacher.wait(t, "step 1 of 12", `document.querySelector('[data-testid=teach-plan-pos]').textContent === 'Step 1 of 12' &&
		/the loss is 1\./.test(document.querySelector('[data-testid=teach-note]').textContent) &&
		document.querySelector('[data-testid=teach-upnext]').textContent.indexOf('Double the miss') >= 0`)
	for _, s := range students {
		s.wait(t, "student on the MSE page", `location.pathname === '/c/`+code+`' && !!document.querySelector('[data-loss=MSELoss], [data-testid=loss-value]')`)
		s.waitLoss(t, "1")
	}

	// Step 2 asks a predict question.
	teacher.do(t, "next step (→)", chromedp.KeyEvent(cdkb.ArrowRight))
	teacher.wait(t, "question on the private view", `!document.querySelector('[data-testid=class-question]').hidden`)
	for i, s := range students {
		s.waitLoss(t, "4")
		s.wait(t, "question shown", `!!document.querySelector('[data-testid=class-number-answer]')`)
		s.wait(t, "the loss hidden while predicting", `!!document.querySelector('[data-testid=class-hidden-loss]') && document.getElementById('result-panel').offsetParent === null`)
		if i == 0 {
			s.eval(t, `document.querySelector('[data-testid=class-hidden-loss]').scrollIntoView({block: 'center'}); ''`)
			lectureShot(t, s, "lecture-student-predict", false)
		}
		answer := []string{"4", "2", "100"}[i]
		s.do(t, "answer", chromedp.SendKeys(chromedp.CSS(`[data-testid=class-number-answer]`), answer),
			chromedp.Click(chromedp.CSS(`[data-testid=class-send-answer]`)))
	}
	teacher.wait(t, "three answers", `document.querySelector('[data-testid=class-answers]').textContent === '3'`)
	proj.wait(t, "the projector's histogram", `[...document.querySelectorAll('[data-testid=proj-histogram] [data-testid=class-bin]')].reduce(function (n, b) { return n + Number(b.dataset.count); }, 0) === 3`)
	teacher.do(t, "reveal", chromedp.Click(chromedp.CSS(`[data-testid=class-reveal]`)))
	proj.wait(t, "reveal on the projector", `!document.querySelector('[data-testid=proj-reveal]').hidden && /4/.test(document.querySelector('[data-testid=proj-reveal]').textContent)`)
	proj.wait(t, "the correct bar marked", `[...document.querySelectorAll('[data-testid=proj-histogram] [data-testid=class-bin]')].filter(function (b) { return b.dataset.correct === 'true'; }).length === 1`)
	for _, s := range students {
		s.wait(t, "reveal reaches the student, the loss shown again", `!document.querySelector('[data-testid=class-student-reveal]').hidden && !document.querySelector('[data-testid=class-hidden-loss]') && document.getElementById('result-panel').offsetParent !== null`)
	}
	lectureShot(t, teacher, "lecture-private-view", true)
	lectureShot(t, proj, "lecture-projector-1920x1080", false)

	// A student reconnects (a reload): the roster still counts three.
	students[1].do(t, "reload", chromedp.Reload())
	students[1].wait(t, "back on the class page", `location.pathname === '/c/`+code+`' && !!document.querySelector('[data-testid=loss-value]')`)
	teacher.wait(t, "roster of 3 after the reconnect", `document.querySelector('[data-testid=class-students]').textContent === '3'`)
	// Back (←) returns to step 1.
	teacher.do(t, "back (←)", chromedp.KeyEvent(cdkb.ArrowLeft)) // ArrowLeft
	teacher.wait(t, "step 1 again", `document.querySelector('[data-testid=teach-plan-pos]').textContent === 'Step 1 of 12'`)
	// The last step, the regression comparison, reaches every student in
	// their language (the third reads Chinese).
	teacher.do(t, "jump to the last step", chromedp.Click(chromedp.CSS(`[data-testid=teach-plan-steps] li:last-child [data-testid=teach-plan-step]`)))
	for _, s := range students {
		s.wait(t, "student on the comparison", `!!document.querySelector('[data-testid=compare-regression]')`)
	}
	students[2].wait(t, "the Chinese student's comparison page is Chinese", `document.documentElement.lang === 'zh' && !!document.querySelector('[data-testid=compare-regression]')`)
	lectureShot(t, students[2], "lecture-student-zh", false)

	// A loss page opened in the teacher's browser does not move the class
	// until "Drive from this tab"; then a second one does not either.
	page := lectureTab(t, teacher.ctx, false)
	page.do(t, "open a loss page", chromedp.Navigate(base+"/losses/huber"))
	page.wait(t, "the drive switch", `!!document.querySelector('[data-testid=class-drive-here]')`)
	page.do(t, "drive from this tab", chromedp.Click(chromedp.CSS(`[data-testid=class-drive-here]`)))
	page.wait(t, "this tab drives", `!!document.querySelector('[data-testid=class-driving]')`)
	for _, s := range students {
		s.wait(t, "student on Huber", `!!document.querySelector('[data-loss=HuberLoss]')`)
	}
	other := lectureTab(t, teacher.ctx, false)
	other.do(t, "open another loss page", chromedp.Navigate(base+"/losses/l1"))
	other.wait(t, "not driving", `!!document.querySelector('[data-testid=class-drive-here]')`)
	page.do(t, "a change on the driving tab", chromedp.Navigate(base+"/losses/huber?delta=2"))
	for _, s := range students {
		s.wait(t, "student follows the driving tab, not the other", `!!document.querySelector('[data-loss=HuberLoss]') && document.getElementById('p-delta-range').value === '2'`)
	}

	// End the class; the results stay, as JSON and CSV.
	teacher.eval(t, `window.confirm = function () { return true; }; ''`)
	teacher.do(t, "end the class", chromedp.Click(chromedp.CSS(`[data-testid=class-end]`)))
	teacher.wait(t, "ended on the private view", `!document.querySelector('[data-testid=teach-ended]').hidden`)
	proj.wait(t, "ended on the projector", `!document.querySelector('[data-class-ended]').hidden`)
	results := teacher.evalAwait(t, `fetch('/api/v1/classes/`+code+`/results', {headers: {Authorization: 'Bearer ' + localStorage.getItem('lp-class-token-`+code+`')}}).then(function (r) { return r.text(); })`)
	var got struct {
		Ended     bool `json:"ended"`
		Questions []struct {
			Kind    string `json:"kind"`
			Answer  string `json:"answer"`
			Total   int    `json:"total"`
			Answers []struct {
				Number  *float64 `json:"number"`
				Correct bool     `json:"correct"`
			} `json:"answers"`
		} `json:"questions"`
	}
	if err := json.Unmarshal([]byte(results), &got); err != nil {
		t.Fatalf("results JSON: %v (%.300s)", err, results)
	}
	if !got.Ended || len(got.Questions) != 1 || got.Questions[0].Kind != "number" || got.Questions[0].Answer != "4" || got.Questions[0].Total != 3 {
		t.Errorf("results = %.400s; want the ended class's one predict question, answer 4, 3 answers", results)
	}
	correct := 0
	for _, a := range got.Questions[0].Answers {
		if a.Correct {
			correct++
		}
	}
	if correct != 1 {
		t.Errorf("results: %d correct answers; want 1 (the student who said 4)", correct)
	}
	csv := teacher.evalAwait(t, `fetch('/api/v1/classes/`+code+`/results?format=csv', {headers: {Authorization: 'Bearer ' + localStorage.getItem('lp-class-token-`+code+`')}}).then(function (r) { return r.text().then(function (body) { return r.headers.get('Content-Type') + '\n' + body; }); })`)
	if rows := strings.Count(strings.TrimSpace(csv), "\n"); rows != 1+3 {
		t.Errorf("results CSV has %d lines after the Content-Type; want a header and 3 answers:\n%s", rows, csv)
	}
	if !strings.HasPrefix(csv, "text/csv") {
		t.Errorf("results CSV Content-Type line = %.60q; want text/csv", csv)
	}
	for _, tab := range append([]*uiTab{teacher, proj}, students...) {
		tab.checkNoErrors(t)
	}
	if strings.Contains(teacher.eval(t, `document.body.innerHTML`), created.TeacherToken) && teacher.eval(t, `location.href`) != "" {
		// The token is in the teacher-link box (the teacher's own), which
		// is fine; it must not be in the URL.
		if strings.Contains(teacher.eval(t, `location.href`), created.TeacherToken) {
			t.Errorf("the token is in the address bar")
		}
	}
}
