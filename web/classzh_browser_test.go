package web

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// classEnglish are words of the student's class pages in English: none
// may show on a page asked for in Chinese.
var classEnglish = []string{
	"Join a class", "Type the code", "Class code", "Your name",
	"You have joined", "Waiting for the teacher", "following the teacher", "you are ",
	"Explore on my own", "Snap back", "Send my state", "Eyes on the projector",
	"Question", "Answer", "Your answer", "exploring on your own", "hidden until the reveal",
}

// classTextCheck is JS that is true when the visible text of sel holds
// Chinese and none of classEnglish.
func classTextCheck(sel string) string {
	words, _ := json.Marshal(classEnglish)
	return `(function () {
		var el = document.querySelector(` + jsString(sel) + `); if (!el) return false;
		var text = el.innerText;
		return /[\u4e00-\u9fff]/.test(text) && ` + string(words) + `.every(function (w) { return text.indexOf(w) < 0; });
	})()`
}

// TestBrowserClassChinese: a student who joins with ?lang=zh sees the
// join page, the waiting page and the class panel in Chinese; and while
// a "what will the loss be?" poll is open no part of the page prints the
// loss, until the reveal.
func TestBrowserClassChinese(t *testing.T) {
	browser, base := uiBrowser(t)

	// A class made by the API has no page yet: its students wait.
	res, err := http.Post(base+"/api/v1/classes", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	var created ClassCreated
	err = json.NewDecoder(res.Body).Decode(&created)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("POST /api/v1/classes: %d, %v", res.StatusCode, err)
	}

	s := openClassTab(t, browser)
	s.do(t, "join page", chromedp.Navigate(base+"/join?lang=zh"))
	s.waitTrue(t, "join page in Chinese", classTextCheck(`[data-testid=class-join]`))
	s.do(t, "join", chromedp.SendKeys(chromedp.CSS(`[data-testid=class-code-input]`), created.Code),
		chromedp.Click(chromedp.CSS(`[data-testid=class-join-submit]`)))
	s.waitTrue(t, "waiting page in Chinese", `location.pathname === '/c/`+created.Code+`' && location.search === '?lang=zh' && `+
		classTextCheck(`[data-testid=class-wait]`)+` && `+classTextCheck(`[data-testid=class-student]`))

	// A class taught from a loss page: the student follows it in Chinese.
	teacher := openClassTab(t, browser)
	teacher.do(t, "open loss page", chromedp.Navigate(base+"/losses/smooth-l1"))
	teacher.waitReady(t)
	teacher.do(t, "teach", chromedp.Click(chromedp.CSS(`[data-testid=class-teach-button]`)))
	teacher.waitTrue(t, "class created", `!!localStorage.getItem('lp-class-teaching') && !!document.querySelector('[data-testid=class-teaching]')`)
	code := teacher.eval(t, `localStorage.getItem('lp-class-teaching')`)
	dash := openTabIn(t, teacher.ctx)
	dash.do(t, "open dashboard", chromedp.Navigate(base+"/c/"+code+"/teach"))
	dash.waitTrue(t, "dashboard shows the current loss", `document.querySelector('[data-testid=class-current]').textContent === 'SmoothL1Loss'`)

	s.do(t, "join the taught class", chromedp.Navigate(base+"/join?lang=zh&code="+strings.ToLower(code)))
	s.waitTrue(t, "student follows in Chinese", `location.pathname === '/c/`+code+`' && document.documentElement.lang.indexOf('zh') === 0 &&
		(document.querySelector('[data-testid=lock-status]') || {}).textContent === '正在跟随老师' &&
		/你是/.test((document.querySelector('[data-testid=class-you]') || {}).textContent) && `+classTextCheck(`[data-testid=class-student]`))
	s.waitTrue(t, "charts drawn", `document.querySelectorAll('.chart[data-drawn]').length > 0 && !!document.querySelector('[data-testid=loss-value]') && document.querySelector('[data-testid=loss-value]').getClientRects().length > 0`)
	loss := s.eval(t, `document.querySelector('[data-testid=loss-value]').textContent.trim()`)
	// The elements chart's subtitle prints the loss to 4 decimals.
	short := s.eval(t, `String(Number(Number(`+jsString(loss)+`).toFixed(4)))`)
	shown := `(function () {
		var subs = [...document.querySelectorAll('.chart')].map(function (el) {
			var c = echarts.getInstanceByDom(el); if (!c) return '';
			return [].concat(c.getOption().title || []).map(function (t) { return t.subtext || ''; }).join(' ');
		}).join(' ');
		var text = document.body.innerText;
		return [` + jsString(loss) + `, ` + jsString(short) + `].some(function (v) { return text.indexOf(v) >= 0 || subs.indexOf(v) >= 0; });
	})()`
	if got := s.eval(t, `String(`+shown+`)`); got != "true" {
		t.Fatalf("before the poll the page does not show the loss %s (%s): the check below could not fail", loss, short)
	}

	dash.do(t, "ask for the loss", chromedp.Click(chromedp.CSS(`[data-testid=class-ask-number]`)))
	s.waitTrue(t, "poll shown, in Chinese", `!!document.querySelector('[data-testid=class-number-answer]') && !!document.querySelector('[data-testid=class-hidden-loss]') &&
		document.querySelector('[data-testid=class-question-prompt]').textContent === '损失会是多少？'`)
	s.waitTrue(t, "the loss is nowhere on the page", `!`+shown+` &&
		document.querySelector('[data-testid=result-dock]').getClientRects().length === 0 &&
		[...document.querySelectorAll('[data-testid^=image-link-], [data-download]')].every(function (e) { return e.getClientRects().length === 0; })`)
	s.do(t, "answer", chromedp.SendKeys(chromedp.CSS(`[data-testid=class-number-answer]`), "0.5"),
		chromedp.Click(chromedp.CSS(`[data-testid=class-send-answer]`)))
	s.waitTrue(t, "answer acknowledged in Chinese", `/你的回答：0\.5/.test(document.querySelector('[data-testid=class-answered]').textContent) && `+classTextCheck(`[data-testid=class-student]`))
	if got := s.eval(t, `String(`+shown+`)`); got != "false" {
		t.Errorf("after answering, the page shows the loss %s before the reveal", loss)
	}

	for _, w := range []struct {
		name   string
		width  int64
		height int64
	}{{"classzh-375", 375, 740}, {"classzh-1280", 1280, 900}} {
		s.do(t, "viewport", chromedp.EmulateViewport(w.width, w.height))
		s.waitTrue(t, "the loss stays hidden at "+w.name, `!`+shown)
		s.eval(t, `(window.scrollTo(0, 0), "top")`)
		s.viewShot(t, w.name)
	}

	dash.do(t, "reveal", chromedp.Click(chromedp.CSS(`[data-testid=class-reveal]`)))
	s.waitTrue(t, "reveal in Chinese, the loss back", `!document.querySelector('[data-testid=class-student-reveal]').hidden &&
		/答案：/.test(document.querySelector('[data-testid=class-student-reveal]').textContent) &&
		!document.querySelector('[data-testid=class-hidden-loss]') && `+shown)

	for _, tab := range []*uiTab{teacher, dash, s} {
		tab.checkNoErrors(t)
	}
	if dir := os.Getenv("LOSS_PLAYGROUND_SHOTS"); dir != "" {
		for _, name := range []string{"classzh-375", "classzh-1280"} {
			if b, err := os.ReadFile(filepath.Join(uiBrowserArtifact, name+".png")); err == nil {
				os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644)
			}
		}
	}
}
