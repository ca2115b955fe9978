package web

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lossplayground/playground/lessons"
)

func newLessonTestServer(t *testing.T) *httptest.Server {
	t.Helper()
	app, err := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Routes())
	t.Cleanup(srv.Close)
	return srv
}

func TestCheckLessonQuestion(t *testing.T) {
	srv := newLessonTestServer(t)
	tests := []struct {
		name       string
		path       string
		body       string
		wantStatus int
		wantInBody []string
	}{
		{"right answer", "/api/v1/lessons/l1/questions/outlier-l1-vs-mse", `{"answer":"b","lang":"en"}`, 200,
			[]string{`"correct":true`, `"answer":"b"`, `"a":2.5`, `"b":25`, `"explanation":"L1 charges`, `"links":{"a":"/losses/l1?`}},
		{"wrong answer", "/api/v1/lessons/l1/questions/outlier-l1-vs-mse", `{"answer":"a","lang":"en"}`, 200,
			[]string{`"correct":false`, `"answer":"b"`}},
		{"chinese explanation", "/api/v1/lessons/l1/questions/outlier-l1-vs-mse", `{"answer":"b","lang":"zh"}`, 200,
			[]string{`"correct":true`, "平方", `lang=zh`}},
		{"lang defaults to English", "/api/v1/lessons/l1/questions/exact-hit-gradient", `{"answer":"zero"}`, 200,
			[]string{`"correct":true`, `"answer":"zero"`, `"value":0`}},
		{"unknown lesson", "/api/v1/lessons/nope/questions/x", `{"answer":"a"}`, 404, []string{`lesson: no lesson for loss \"nope\"`}},
		{"unknown question", "/api/v1/lessons/l1/questions/nope", `{"answer":"a"}`, 404, []string{`question: lesson l1 has no question \"nope\"`, "outlier-l1-vs-mse"}},
		{"unknown choice", "/api/v1/lessons/l1/questions/outlier-l1-vs-mse", `{"answer":"c"}`, 422, []string{`answer: \"c\" is not one of the choices (a, b, equal)`}},
		{"missing answer", "/api/v1/lessons/l1/questions/outlier-l1-vs-mse", `{}`, 422, []string{"answer: missing"}},
		{"bad lang", "/api/v1/lessons/l1/questions/outlier-l1-vs-mse", `{"answer":"a","lang":"fr"}`, 422, []string{`lang: must be \"en\" or \"zh\", got \"fr\"`}},
		{"unknown field", "/api/v1/lessons/l1/questions/outlier-l1-vs-mse", `{"answer":"a","extra":1}`, 400, []string{"request body", "extra"}},
		{"not JSON", "/api/v1/lessons/l1/questions/outlier-l1-vs-mse", `answer=a`, 400, []string{"request body: invalid JSON at byte 1"}},
		{"answer not a string", "/api/v1/lessons/l1/questions/outlier-l1-vs-mse", `{"answer":1}`, 400, []string{"request body: answer: expected a string, got number"}},
		{"too large", "/api/v1/lessons/l1/questions/outlier-l1-vs-mse", `{"answer":"` + strings.Repeat("a", 5000) + `"}`, 413, []string{"larger than"}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			resp, err := http.Post(srv.URL+test.path, "application/json", strings.NewReader(test.body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != test.wantStatus {
				t.Fatalf("POST %s %s: status = %d; want %d (body %s)", test.path, test.body, resp.StatusCode, test.wantStatus, body)
			}
			if got := resp.Header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q; want application/json", got)
			}
			for _, w := range test.wantInBody {
				if !strings.Contains(string(body), w) {
					t.Errorf("POST %s %s: body = %s; want it to contain %s", test.path, test.body, body, w)
				}
			}
		})
	}
}

// TestCheckLessonQuestionEveryRegistered answers every question of every
// lesson through the endpoint, with each of its choices: exactly
// one choice is correct.
func TestCheckLessonQuestionEveryRegistered(t *testing.T) {
	srv := newLessonTestServer(t)
	lib, err := lessons.Load()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, slug := range lib.Slugs() {
		for _, lang := range lessons.Languages {
			l, _ := lib.Get(slug, lang)
			for _, q := range l.Questions {
				correct := 0
				for _, c := range q.Choices {
					path := "/api/v1/lessons/" + slug + "/questions/" + q.ID
					body := `{"answer":"` + c.Value + `","lang":"` + lang + `"}`
					resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
					if err != nil {
						t.Fatal(err)
					}
					var v struct {
						Correct bool   `json:"correct"`
						Answer  string `json:"answer"`
					}
					err = json.NewDecoder(resp.Body).Decode(&v)
					resp.Body.Close()
					if resp.StatusCode != 200 || err != nil {
						t.Errorf("POST %s %s: status %d, %v", path, body, resp.StatusCode, err)
						continue
					}
					if v.Correct {
						correct++
					}
					if got := v.Correct; got != (v.Answer == c.Value) {
						t.Errorf("POST %s %s: correct = %v with answer %q", path, body, got, v.Answer)
					}
				}
				if correct != 1 {
					t.Errorf("%s/%s question %s: %d choices judged correct; want 1", lang, slug, q.ID, correct)
				}
				checked++
			}
		}
	}
	if checked == 0 {
		t.Fatal("no question was checked")
	}
}
