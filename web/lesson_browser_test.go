package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// lessonBrowser opens a tab in the suite's shared Chromium, or skips the
// test when there is none (unless LOSS_PLAYGROUND_REQUIRE_BROWSER=1).
func lessonBrowser(t *testing.T) context.Context {
	t.Helper()
	ctx, cancelCtx := chromedp.NewContext(sharedBrowser(t))
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx() })
	return ctx
}

// TestLessonQuestionsInBrowser answers questions on a real page: the
// module loads under the page's CSP, posts the choice, and shows the
// engine's verdict, explanation and numbers.
func TestLessonQuestionsInBrowser(t *testing.T) {
	srv := newLessonTestServer(t)
	ctx := lessonBrowser(t)
	const q = `form[data-question="outlier-l1-vs-mse"]`
	tests := []struct {
		name, page, form, choice string
		wantCorrect              string
		wantText                 []string
	}{
		{"right answer", "/lessons/l1", q, "b", "true", []string{"Correct.", "25", "2.5", "Open in the playground"}},
		{"wrong answer", "/lessons/l1", q, "a", "false", []string{"Not quite: the answer is MSELoss."}},
		{"wrong answer in chinese", "/lessons/l1?lang=zh", q, "a", "false", []string{"不对哦，正确答案是“MSELoss”。", "状态 A：2.5"}},
		{"chinese", "/lessons/l1?lang=zh", q, "b", "true", []string{"答对了。", "平方"}},
		{"no choice", "/lessons/l1", `form[data-question="median-vs-mean"]`, "", "", []string{"Pick an answer first."}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			css := func(sel string) chromedp.CSS { return chromedp.CSS(test.form + sel) }
			steps := []chromedp.Action[chromedp.Void]{
				chromedp.Navigate(srv.URL + test.page),
				// The module marks the forms it has wired.
				chromedp.WaitReady(css(`[data-ready="1"]`)),
			}
			if test.choice != "" {
				steps = append(steps, chromedp.Click(css(` input[value="`+test.choice+`"]`)))
			}
			steps = append(steps, chromedp.Click(css(` [data-testid="reveal"]`)))
			if test.wantCorrect != "" {
				steps = append(steps, chromedp.WaitReady(css(` [data-testid="verdict"][data-correct="`+test.wantCorrect+`"]`)))
			} else {
				steps = append(steps, chromedp.WaitVisible(css(` [data-testid="verdict-message"]`)))
			}
			if err := chromedp.Do(ctx, steps...); err != nil {
				t.Fatalf("browser: %v", err)
			}
			text, err := chromedp.Run(ctx, chromedp.Text(css(` [data-testid="verdict"]`)))
			if err != nil {
				t.Fatalf("browser: reading the verdict: %v", err)
			}
			for _, w := range test.wantText {
				if !strings.Contains(text, w) {
					t.Errorf("verdict text = %q; want it to contain %q", text, w)
				}
			}
		})
	}
}
