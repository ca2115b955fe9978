package web

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/lossplayground/playground/lessons"
	"github.com/lossplayground/playground/web/templates"
)

func TestShowLesson(t *testing.T) {
	srv := newLessonTestServer(t)
	tests := []struct {
		name       string
		path       string
		accept     string
		wantStatus int
		want       []string
	}{
		{"english", "/lessons/l1", "", 200, []string{`<html lang="en"`, `data-testid="lesson-content"`, `data-testid="lesson-title"`,
			`data-testid="question"`, `data-testid="reveal"`, `type="radio"`, `data-testid="preset"`, `class="math`,
			`data-endpoint="/api/v1/lessons/l1/questions/outlier-l1-vs-mse"`, `<script type="module" src="/static/dist/lessons-`}},
		{"chinese by query", "/lessons/l1?lang=zh", "", 200, []string{`<html lang="zh"`, "揭晓答案", "lang=zh"}},
		{"chinese by header", "/lessons/l1", "zh-CN,zh;q=0.9", 200, []string{`<html lang="zh"`}},
		{"query beats header", "/lessons/l1?lang=en", "zh-CN", 200, []string{`<html lang="en"`}},
		// A page, like /losses/nope: the site's 404 page in the reader's language.
		{"unknown lesson", "/lessons/nope", "", 404, []string{`<html lang="en"`, "No such lesson", "&#34;nope&#34;", `href="/"`}},
		{"unknown lesson in chinese", "/lessons/nope?lang=zh", "", 404, []string{`<html lang="zh"`, "没有这篇课文", "nope"}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", srv.URL+test.path, nil)
			if test.accept != "" {
				req.Header.Set("Accept-Language", test.accept)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != test.wantStatus {
				t.Fatalf("GET %s: status = %d; want %d", test.path, resp.StatusCode, test.wantStatus)
			}
			for _, w := range test.want {
				if !strings.Contains(string(body), w) {
					t.Errorf("GET %s: body lacks %s", test.path, w)
				}
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("GET %s: Content-Type = %q; want text/html", test.path, ct)
			}
			if got := resp.Header.Values("Vary"); strings.Count(strings.Join(got, ","), "Accept-Language") != 1 {
				t.Errorf("GET %s: Vary = %q; want Accept-Language once", test.path, got)
			}
			if resp.StatusCode == 200 {
				if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
					t.Errorf("Content-Security-Policy = %q; want script-src 'self'", csp)
				}
				if strings.Contains(string(body), "<script>") {
					t.Errorf("GET %s: page has an inline script", test.path)
				}
			}
		})
	}
}

// TestShowEveryLesson renders every lesson page in every language.
func TestShowEveryLesson(t *testing.T) {
	srv := newLessonTestServer(t)
	lib, err := lessons.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, slug := range lib.Slugs() {
		for _, lang := range lessons.Languages {
			t.Run(slug+"/"+lang, func(t *testing.T) {
				resp, err := http.Get(srv.URL + "/lessons/" + slug + "?lang=" + lang)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != 200 {
					t.Fatalf("GET /lessons/%s?lang=%s: status %d", slug, lang, resp.StatusCode)
				}
				l, _ := lib.Get(slug, lang)
				for _, want := range []string{`<html lang="` + lang + `"`, `data-testid="question"`, `data-testid="preset"`} {
					if !strings.Contains(string(body), want) {
						t.Errorf("page lacks %s", want)
					}
				}
				if got, want := strings.Count(string(body), `data-testid="question"`), len(l.Questions); got != want {
					t.Errorf("page has %d questions; want %d", got, want)
				}
				if got, want := strings.Count(string(body), `data-testid="preset"`), len(l.Presets); got != want {
					t.Errorf("page has %d presets; want %d", got, want)
				}
			})
		}
	}
}

func TestLessonForComponent(t *testing.T) {
	tests := []struct {
		slug, lang string
		want       []string // empty: renders nothing
	}{
		{"l1", "en", []string{`data-testid="lesson-content"`, `lang="en"`, `data-lesson="l1"`}},
		{"mse", "zh", []string{`lang="zh"`, "揭晓答案"}},
		{"nope", "en", nil},
	}
	for _, test := range tests {
		t.Run(test.slug+"/"+test.lang, func(t *testing.T) {
			var buf strings.Builder
			if err := templates.LessonFor(test.slug, test.lang).Render(context.Background(), &buf); err != nil {
				t.Fatal(err)
			}
			got := buf.String()
			if test.want == nil && got != "" {
				t.Errorf("LessonFor(%q, %q) = %q; want nothing", test.slug, test.lang, got)
			}
			for _, w := range test.want {
				if !strings.Contains(got, w) {
					t.Errorf("LessonFor(%q, %q) lacks %s", test.slug, test.lang, w)
				}
			}
		})
	}
}

// TestHeadingOrder checks that no page of lessons skips a heading level
// (axe's heading-order): every lesson on its own page and on its loss
// page, in both languages, and the intro.
func TestHeadingOrder(t *testing.T) {
	srv := newLessonTestServer(t)
	lib, err := lessons.Load()
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{"/intro", "/intro?lang=zh"}
	for _, slug := range lib.Slugs() {
		for _, lang := range lessons.Languages {
			paths = append(paths, "/lessons/"+slug+"?lang="+lang, "/losses/"+slug+"?lang="+lang)
		}
	}
	heading := regexp.MustCompile(`<h([1-6])[\s>]`)
	for _, path := range paths {
		t.Run(path, func(t *testing.T) {
			resp, err := http.Get(srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			prev := 0
			for _, m := range heading.FindAllSubmatch(body, -1) {
				level := int(m[1][0] - '0')
				if level > prev+1 {
					t.Errorf("h%d after h%d: a heading level skipped", level, prev)
				}
				prev = level
			}
			if prev == 0 {
				t.Error("no heading")
			}
		})
	}
}
